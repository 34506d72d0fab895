package io.vfplane.perf.tsorsc;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.checksum.Checksums;
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
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

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
 * <p>
 * The score is wall time, which on a shared two-core machine also counts the time other processes held the core;
 * the secondary result {@code cpuNsPerSegment} ({@link CpuTime}) is the benchmark thread's own CPU time per segment
 * over each iteration, the figure "segments per second per core" means.
 */
@OperationsPerInvocation(TsoFrames.SEGMENTS)
public class CoalescerBenchmark extends BenchmarkDefaults
{
    /** Flows of the multi-flow variants, each one 64 KiB frame of {@link TsoFrames#SEGMENTS} segments per operation. */
    static final int FLOWS = 4;
    static final int FLOW_SEGMENTS = FLOWS * TsoFrames.SEGMENTS;

    private final Counters counters = Counters.inMemory(16);
    private final PacketPool pool = new PacketPool("bench", 64, 128, 2048, counters);
    private final PacketPool flowPool = new PacketPool("bench-flows", FLOW_SEGMENTS + 8, 128, 2048, counters);
    private final PacketDescriptor[] flowAfterFlow = new PacketDescriptor[FLOW_SEGMENTS];
    private final PacketDescriptor[] roundRobin = new PacketDescriptor[FLOW_SEGMENTS];
    private final UnsafeBuffer flowHeadsSaved = new UnsafeBuffer(new byte[FLOWS * TsoFrames.HEADER_LENGTH]);
    private Coalescer multiFlow;
    private long multiFlowFrames;
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
        for (int flow = 0; flow < FLOWS; flow++)
        {
            // the same frame with another source port (and so another checksum): another flow
            frame.putShort(TsoFrames.TCP_OFFSET, (short)(40000 + flow), BIG_ENDIAN);
            Checksums.writeL4Checksum(
                frame, TsoFrames.IP_OFFSET, TsoFrames.TCP_OFFSET, length - TsoFrames.TCP_OFFSET, 6);
            final int first = flow * TsoFrames.SEGMENTS;
            final int column = flow;
            final int[] next = {first};
            new Segmenter().segment(frame, 0, layout, TsoFrames.MSS, false, new SegmentSink()
            {
                private int id;

                @Override
                public MutableDirectBuffer buffer()
                {
                    return flowPool.buffer();
                }

                @Override
                public int claim(final int len)
                {
                    id = flowPool.allocate();
                    return flowPool.dataOffset(id);
                }

                @Override
                public void commit(final int len, final PacketDescriptor segment)
                {
                    final PacketDescriptor d = new PacketDescriptor().resetMetadata()
                        .bind(id, flowPool.dataOffset(id), len);
                    final int i = next[0]++;
                    flowAfterFlow[i] = d;
                    roundRobin[(i - first) * FLOWS + column] = d;
                }
            });
            flowHeadsSaved.putBytes(flow * TsoFrames.HEADER_LENGTH, flowPool.buffer(), flowAfterFlow[first].offset(),
                TsoFrames.HEADER_LENGTH);
        }
        multiFlow = new Coalescer(flowPool, new PacketParser(), 64, 1_000_000, false, f -> multiFlowFrames++)
            .releaseBuffers(false);
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
        if (seen == 0 && multiFlowFrames == 0)
        {
            throw new IllegalStateException("no frame coalesced");
        }
        if (multiFlow.merged() > 0 && multiFlowFrames * 2 > multiFlow.merged())
        {
            throw new IllegalStateException("multi-flow: " + multiFlowFrames + " frames for " + multiFlow.merged() +
                " merged segments");
        }
        pool.close();
        flowPool.close();
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

    /**
     * The benchmark thread's CPU time per segment over one iteration (JMH reports it beside the score as
     * {@code cpuNsPerSegment}); taken at iteration boundaries only, so it adds nothing per operation.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class CpuTime
    {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

        /** CPU nanoseconds per segment in the last iteration (read by JMH). */
        public double cpuNsPerSegment;
        private long startCpuNs;
        private long segments;

        @Setup(Level.Iteration)
        public void start()
        {
            segments = 0;
            startCpuNs = THREADS.getCurrentThreadCpuTime();
        }

        @TearDown(Level.Iteration)
        public void stop()
        {
            final long cpuNs = THREADS.getCurrentThreadCpuTime() - startCpuNs;
            cpuNsPerSegment = segments == 0 ? Double.NaN : (double)cpuNs / segments;
        }
    }

    private int run(final Coalescer coalescer, final CpuTime cpu)
    {
        cpu.segments += TsoFrames.SEGMENTS;
        return run(coalescer);
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

    private long runFlows(final PacketDescriptor[] order, final CpuTime cpu)
    {
        cpu.segments += FLOW_SEGMENTS;
        for (int flow = 0; flow < FLOWS; flow++)
        {
            flowPool.buffer().putBytes(flowAfterFlow[flow * TsoFrames.SEGMENTS].offset(), flowHeadsSaved,
                flow * TsoFrames.HEADER_LENGTH, TsoFrames.HEADER_LENGTH);
        }
        for (final PacketDescriptor segment : order)
        {
            multiFlow.offer(segment, 0);
        }
        multiFlow.flushAll();
        return (int)multiFlowFrames;
    }

    /**
     * Four flows, each a 64 KiB frame of 45 segments, arriving one flow after the other in one batch (trusted).
     */
    @Benchmark
    @OperationsPerInvocation(FLOW_SEGMENTS)
    public long coalesceFourFlowsInTurn(final CpuTime cpu)
    {
        return runFlows(flowAfterFlow, cpu);
    }

    /**
     * The same four flows strictly interleaved, segment by segment (the worst order for the fast path: every segment
     * belongs to another flow than the one before it).
     */
    @Benchmark
    @OperationsPerInvocation(FLOW_SEGMENTS)
    public long coalesceFourFlowsInterleaved(final CpuTime cpu)
    {
        return runFlows(roundRobin, cpu);
    }

    @Benchmark
    public int coalesceTrusted(final CpuTime cpu)
    {
        return run(trusted, cpu);
    }

    @Benchmark
    public int coalesceVerified(final CpuTime cpu)
    {
        return run(verified, cpu);
    }

    @Benchmark
    public int coalesceTrustedAndLinearize(final CpuTime cpu)
    {
        return run(linearizing, cpu);
    }
}
