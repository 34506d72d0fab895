package io.vfplane.perf.tsorsc;

import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.dataplane.parse.PacketParser;
import io.vfplane.dataplane.parse.ParseResult;
import io.vfplane.perf.BenchmarkDefaults;
import io.vfplane.tsorsc.CopySum;
import io.vfplane.tsorsc.SegmentLayout;
import io.vfplane.tsorsc.gso.SegmentSink;
import io.vfplane.tsorsc.gso.Segmenter;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;

import java.nio.ByteBuffer;

/**
 * Segmenting one 64 KiB IPv4 TCP frame (45 x 1448 bytes of payload, timestamp option) into 45 segments, one
 * operation per frame, beside a bare copy of the same payload bytes in the same run.
 * <pre>
 *  src (off-heap, 64 KiB frame) --segment--> dst (off-heap, 45 segments at 2 KiB strides, like pool slots)
 * </pre>
 * Payload throughput in Gbit/s = 65160 * 8 / (ns per op). {@link #segmentFullChecksum()} copies and sums each
 * payload byte in one pass and writes every checksum; {@link #segmentPartialChecksum()} leaves the TCP checksum to a
 * later offload (copy only); {@link #bareCopyPayload()} copies the 45 payload pieces and nothing else;
 * {@link #bareCopyWhole()} copies the 64 KiB in one call.
 */
public class SegmenterBenchmark extends BenchmarkDefaults
{
    private static final int STRIDE = 2048;

    private final UnsafeBuffer src = new UnsafeBuffer(ByteBuffer.allocateDirect(70_000));
    private final UnsafeBuffer dst = new UnsafeBuffer(ByteBuffer.allocateDirect(STRIDE * 64 + 70_000));
    private final SegmentLayout layout = new SegmentLayout();
    private final Segmenter segmenter = new Segmenter();
    private final StrideSink sink = new StrideSink();
    private final PacketParser parser = new PacketParser();
    private final ParseResult scratch = new ParseResult();
    private int frameLength;

    @Setup
    public void setUp()
    {
        frameLength = TsoFrames.write(src, 0, TsoFrames.PAYLOAD_LENGTH, 1, 1);
        if (layout.parse(parser, scratch, src, 0, frameLength) != SegmentLayout.OK)
        {
            throw new IllegalStateException("benchmark frame does not parse");
        }
    }

    @Benchmark
    public int segmentFullChecksum()
    {
        sink.reset();
        return segmenter.segment(src, 0, layout, TsoFrames.MSS, false, sink) + sink.checksum;
    }

    @Benchmark
    public int segmentPartialChecksum()
    {
        sink.reset();
        return segmenter.segment(src, 0, layout, TsoFrames.MSS, true, sink) + sink.checksum;
    }

    @Benchmark
    public int parseLayoutAndSegment()
    {
        sink.reset();
        layout.parse(parser, scratch, src, 0, frameLength);
        return segmenter.segment(src, 0, layout, TsoFrames.MSS, false, sink) + sink.checksum;
    }

    @Benchmark
    public int copyAndSumPayload()
    {
        return CopySum.copyAndSum(src, TsoFrames.HEADER_LENGTH, dst, 0, TsoFrames.PAYLOAD_LENGTH);
    }

    /** The checksum pass alone over the payload, as the daemon's headers-only tunnel TSO reads it. */
    @Benchmark
    public int sumPayload()
    {
        return CopySum.sum(src, TsoFrames.HEADER_LENGTH, TsoFrames.PAYLOAD_LENGTH);
    }

    @Benchmark
    public int copyThenSumPayload()
    {
        dst.putBytes(0, src, TsoFrames.HEADER_LENGTH, TsoFrames.PAYLOAD_LENGTH);
        return CopySum.sum(dst, 0, TsoFrames.PAYLOAD_LENGTH);
    }

    @Benchmark
    public int bareCopyPayload()
    {
        for (int i = 0; i < TsoFrames.SEGMENTS; i++)
        {
            dst.putBytes(i * STRIDE + TsoFrames.HEADER_LENGTH, src, TsoFrames.HEADER_LENGTH + i * TsoFrames.MSS,
                TsoFrames.MSS);
        }
        return dst.getInt(STRIDE + 100);
    }

    @Benchmark
    public int bareCopyWhole()
    {
        dst.putBytes(0, src, 0, frameLength);
        return dst.getInt(100);
    }

    private final class StrideSink implements SegmentSink
    {
        int next;
        int checksum;

        void reset()
        {
            next = 0;
            checksum = 0;
        }

        @Override
        public MutableDirectBuffer buffer()
        {
            return dst;
        }

        @Override
        public int claim(final int length)
        {
            final int at = next;
            next += STRIDE;
            return at;
        }

        @Override
        public void commit(final int length, final PacketDescriptor segment)
        {
            // read one header byte so the segment's writes are observed
            checksum += dst.getShort(next - STRIDE + 50);
        }
    }
}
