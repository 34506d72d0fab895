package io.vfplane.tsorsc.meta;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Simulates segments of 64 KiB tunnelled frames (45 segments) crossing a lossy underlay, with the real writer,
 * Reed-Solomon code and resolver, and reports the bytes saved against full metadata on every segment and the
 * fraction of delivered segments whose metadata is recovered, under 1 %, 5 % and 20 % independent random loss.
 * <p>
 * Metadata: 32 bytes (VNI, source VF, tenant, security tags, flags). Baseline: a Geneve option carrying them in full
 * on every segment (4-byte option header + 32 = 36 bytes). Ours: hash + shard index + one shard, in a Geneve option
 * (rounded up to 4 bytes, plus its header) or a declared opaque field (exact). Cache: cold, every frame carries
 * metadata never seen before (each frame a new flow: the worst case; with a warm cache every segment resolves).
 * For contrast, "first only" is the naive scheme: full metadata on the first segment, the hash on the others.
 */
class MetadataLossSimulationTest
{
    private static final int METADATA = 32;
    private static final int FRAMES = 4000;
    private static final int BASELINE_OPTION = 4 + METADATA;

    @Test
    void shouldReportBytesSavedAndRecoveryUnderLoss()
    {
        final StringBuilder report = new StringBuilder();
        report.append(String.format("%-5s %-3s %-6s %-9s %-11s %-10s %-12s %-12s%n", "segs", "k", "loss", "field B",
            "geneve B", "saved/seg", "recovered", "first-only"));
        for (final int segments : new int[]{45, 8})
        {
            for (final int k : new int[]{2, 4, 8})
            {
                final MetadataField field = new MetadataField(METADATA, k);
                final int geneveOption = 4 + ((field.fieldLength() + 3) & ~3);
                for (final double loss : new double[]{0.01, 0.05, 0.20})
                {
                    final double[] r = simulate(field, segments, loss, new Random(k * 100 + (int)(loss * 100)));
                    report.append(String.format("%-5d %-3d %-6s %-9d %-11d %-10d %-12.5f %-12.5f%n", segments, k,
                        (int)(loss * 100) + "%", field.fieldLength(), geneveOption, BASELINE_OPTION - geneveOption,
                        r[0], r[1]));
                    if (k <= 4 && segments == 45)
                    {
                        assertTrue(r[0] >= (loss <= 0.05 ? 0.9999 : 0.999), "k " + k + " loss " + loss + ": " + r[0]);
                    }
                    assertTrue(r[0] > r[1] || loss < 0.02 || segments < 2 * k, "erasure code beats first-only at " + loss);
                }
            }
        }
        System.out.println("metadata at segmentation boundaries, 32-byte metadata, " +
            FRAMES + " frames per row, cold cache\n" + report);
    }

    /**
     * @return {recovered fraction, first-only recovered fraction} over delivered segments.
     */
    private static double[] simulate(
        final MetadataField field, final int segmentCount, final double loss, final Random random)
    {
        final MetadataResolver resolver = new MetadataResolver(field, 8192, 64);
        final MetadataFieldWriter writer = new MetadataFieldWriter(field);
        final int length = field.fieldLength();
        final UnsafeBuffer segments = new UnsafeBuffer(new byte[segmentCount * length]);
        final boolean[] delivered = new boolean[segmentCount];
        final byte[] metadata = new byte[METADATA];
        final byte[] out = new byte[METADATA];
        long deliveredCount = 0;
        long recovered = 0;
        long firstOnly = 0;
        for (int frame = 0; frame < FRAMES; frame++)
        {
            random.nextBytes(metadata);
            writer.begin(metadata, 0);
            for (int i = 0; i < segmentCount; i++)
            {
                writer.write(segments, i * length, length, i, segmentCount);
                delivered[i] = random.nextDouble() >= loss;
            }
            for (int i = 0; i < segmentCount; i++)
            {
                if (delivered[i])
                {
                    resolver.collect(segments, i * length);
                }
            }
            for (int i = 0; i < segmentCount; i++)
            {
                if (delivered[i])
                {
                    deliveredCount++;
                    if (resolver.resolve(segments, i * length, out))
                    {
                        assertArrayEquals(metadata, out, "never the wrong metadata");
                        recovered++;
                    }
                    if (delivered[0])
                    {
                        firstOnly++;
                    }
                }
            }
            resolver.endBatch();
        }
        assertEquals(deliveredCount - recovered, resolver.unknownHash(), "every unrecovered segment is counted");
        return new double[]{(double)recovered / deliveredCount, (double)firstOnly / deliveredCount};
    }
}
