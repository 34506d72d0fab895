package io.vfplane.perf.tsorsc;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.dataplane.parse.PacketParser;
import io.vfplane.dataplane.parse.ParseResult;
import io.vfplane.perf.BenchmarkDefaults;
import io.vfplane.tsorsc.SegmentLayout;
import io.vfplane.tsorsc.gro.CoalescedFrame;
import io.vfplane.tsorsc.gro.Coalescer;
import io.vfplane.tsorsc.gso.SegmentSink;
import io.vfplane.tsorsc.gso.Segmenter;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.ByteBuffer;

/**
 * Coalescing the 45 segments of one 64 KiB IPv4 TCP flow (1448-byte payloads) back into one frame; scores are per
 * segment, so segments per second per core = 1e9 / score.
 * <pre>
 *  pool slots: seg 0 | seg 1 | ... | seg 44  --offer x45, flushAll--> handler (one 64 KiB frame)
 * </pre>
 * The segments stay in their pool slots between operations ({@code releaseBuffers(false)}); the head segment's
 * header, which a merge rewrites in place, is restored before each operation (66 bytes). Variants:
 * {@link #coalesceTrusted()} trusts the segments' checksums (a kernel TAP or our own segmenter checked them) and
 * reads headers only; {@link #coalesceVerified()} verifies each TCP checksum (reads every payload byte);
 * {@link #coalesceTrustedAndLinearize()} also copies the merged frame into one contiguous buffer.
 */
@OperationsPerInvocation(TsoFrames.SEGMENTS)
public class CoalescerBenchmark extends BenchmarkDefaults
{
    private final Counters counters = Counters.inMemory(16);
    private final PacketPool pool = new PacketPool("bench", 64, 128, 2048, counters);
    private final PacketDescriptor[] segments = new PacketDescriptor[TsoFrames.SEGMENTS];
    private final UnsafeBuffer headSaved = new UnsafeBuffer(new byte[TsoFrames.HEADER_LENGTH]);
    private final UnsafeBuffer linear = new UnsafeBuffer(ByteBuffer.allocateDirect(70_000));
    private Coalescer trusted;
    private Coalescer verified;
    private Coalescer linearizing;
    private int seen;

    @Setup
    public void setUp()
    {
        final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(70_000));
        final int length = TsoFrames.write(frame, 0, TsoFrames.PAYLOAD_LENGTH, 1, 1);
        final SegmentLayout layout = new SegmentLayout();
        final PacketParser parser = new PacketParser();
        layout.parse(parser, new ParseResult(), frame, 0, length);
        final int[] index = {0};
        new Segmenter().segment(frame, 0, layout, TsoFrames.MSS, false, new SegmentSink()
        {
            private int id;

            @Override
            public MutableDirectBuffer buffer()
            {
                return pool.buffer();
            }

            @Override
            public int claim(final int len)
            {
                id = pool.allocate();
                return pool.dataOffset(id);
            }

            @Override
            public void commit(final int len, final PacketDescriptor segment)
            {
                segments[index[0]++] = new PacketDescriptor().resetMetadata().bind(id, pool.dataOffset(id), len);
            }
        });
        headSaved.putBytes(0, pool.buffer(), segments[0].offset(), TsoFrames.HEADER_LENGTH);
        trusted = new Coalescer(pool, new PacketParser(), 64, 1_000_000, false, this::onFrame)
            .releaseBuffers(false);
        verified = new Coalescer(pool, new PacketParser(), 64, 1_000_000, true, this::onFrame)
            .releaseBuffers(false);
        linearizing = new Coalescer(pool, new PacketParser(), 64, 1_000_000, false, this::onFrameLinearize)
            .releaseBuffers(false);
    }

    @TearDown
    public void tearDown()
    {
        if (seen == 0)
        {
            throw new IllegalStateException("no frame coalesced");
        }
        pool.close();
        counters.close();
    }

    private void onFrame(final CoalescedFrame frame)
    {
        if (frame.segmentCount() != TsoFrames.SEGMENTS)
        {
            throw new IllegalStateException("merged " + frame.segmentCount() + " segments");
        }
        seen++;
    }

    private void onFrameLinearize(final CoalescedFrame frame)
    {
        onFrame(frame);
        frame.copyTo(linear, 0);
    }

    private int run(final Coalescer coalescer)
    {
        pool.buffer().putBytes(segments[0].offset(), headSaved, 0, TsoFrames.HEADER_LENGTH);
        for (final PacketDescriptor segment : segments)
        {
            coalescer.offer(segment, 0);
        }
        coalescer.flushAll();
        return seen;
    }

    @Benchmark
    public int coalesceTrusted()
    {
        return run(trusted);
    }

    @Benchmark
    public int coalesceVerified()
    {
        return run(verified);
    }

    @Benchmark
    public int coalesceTrustedAndLinearize()
    {
        return run(linearizing);
    }
}
