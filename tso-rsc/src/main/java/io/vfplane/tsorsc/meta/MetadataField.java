package io.vfplane.tsorsc.meta;

/**
 * The layout of the opaque field that carries virtualization metadata (VNI, source VF, tenant and security tags:
 * {@code metadataLength} bytes, opaque here) on the segments of a large tunnelled frame.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   metadata hash (32 bits)                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  shard index  |  erasure-code shard (shardSize bytes) ...      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * Segment i of a frame carries the hash that names the metadata and shard i of a systematic (n, k) Reed-Solomon
 * code ({@link ReedSolomon}) of it, n = the frame's segment count: any k segments rebuild the metadata, whichever
 * they are, so losing the first segment loses nothing. The field sits at a fixed, declared offset of the outer
 * header (a Geneve option or a custom format's opaque field), i.e. next to the segmentation boundary, and has the
 * same size on every segment. Shard index {@link #RESOLVED} marks a field the receiver has rebuilt and rewritten
 * into one canonical form (hash, 0xFF, zeros), so the coalescer sees equal fields on all segments of a flow.
 * <p>
 * A frame of fewer than k segments cannot be rebuilt from its own segments: send the full metadata there.
 */
public final class MetadataField
{
    public static final int HASH_OFFSET = 0;
    public static final int INDEX_OFFSET = 4;
    public static final int SHARD_OFFSET = 5;
    public static final int RESOLVED = 0xFF;

    private final int metadataLength;
    private final int k;
    private final int shardSize;

    /**
     * @param metadataLength bytes of full metadata.
     * @param k              segments needed to rebuild it, 1..{@link ReedSolomon#MAX_K}.
     */
    public MetadataField(final int metadataLength, final int k)
    {
        if (k < 1 || k > ReedSolomon.MAX_K || metadataLength < 1)
        {
            throw new IllegalArgumentException("k must be 1.." + ReedSolomon.MAX_K + ": " + k);
        }
        this.metadataLength = metadataLength;
        this.k = k;
        this.shardSize = (metadataLength + k - 1) / k;
    }

    public int metadataLength()
    {
        return metadataLength;
    }

    public int k()
    {
        return k;
    }

    public int shardSize()
    {
        return shardSize;
    }

    /**
     * @return bytes of the field on every segment.
     */
    public int fieldLength()
    {
        return SHARD_OFFSET + shardSize;
    }

    /**
     * The 32-bit hash that names a metadata value (murmur3 x86_32 over its bytes, fixed seed).
     *
     * @param metadata bytes.
     * @param offset   start.
     * @param length   bytes.
     * @return the hash.
     */
    public static int hash(final byte[] metadata, final int offset, final int length)
    {
        int h = 0x5F3759DF;
        int i = 0;
        for (; i + 4 <= length; i += 4)
        {
            int w = (metadata[offset + i] & 0xFF) | (metadata[offset + i + 1] & 0xFF) << 8 |
                (metadata[offset + i + 2] & 0xFF) << 16 | (metadata[offset + i + 3] & 0xFF) << 24;
            w *= 0xCC9E2D51;
            w = Integer.rotateLeft(w, 15) * 0x1B873593;
            h ^= w;
            h = Integer.rotateLeft(h, 13) * 5 + 0xE6546B64;
        }
        int w = 0;
        for (int s = 0; i < length; i++, s += 8)
        {
            w |= (metadata[offset + i] & 0xFF) << s;
        }
        w *= 0xCC9E2D51;
        h ^= Integer.rotateLeft(w, 15) * 0x1B873593;
        h ^= length;
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        return h ^ (h >>> 16);
    }
}
