package io.vfplane.perf.pipeline;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.pipeline.BackpressurePolicy;
import io.vfplane.pipeline.PacketBatch;
import io.vfplane.pipeline.Pipeline;
import io.vfplane.pipeline.Placement;
import io.vfplane.pipeline.Stage;
import io.vfplane.pipeline.idle.IdleStrategyConfig;

/**
 * Compares the idle strategies at a bursty 10% load: CPU time the stage threads burn per second of idleness, and the
 * latency (entry to last stage) of packets arriving in bursts.
 *
 * <pre>
 *  producer (bursts of 64, paced to 10% of measured capacity)
 *     -> ring -> [ work -> work ] -> [ work + latency recorder ]      placement 2+1, 2 stage threads
 * </pre>
 *
 * For each strategy: 0.5 s settle, 1 s with no traffic measuring stage-thread CPU (ThreadMXBean), then 1 s warm-up
 * and 2 s measured of bursty traffic; one line per strategy. Capacity is measured once first with yielding stages (busy-spin starves the producer on 2 cores) and a
 * flood. Run:
 *
 * <pre>
 * ./mvnw -B -q -pl perf -am package -DskipTests
 * java $(vfplane.jvmFlags) -cp perf/target/classes:dataplane/target/classes:pipeline-stages/target/classes:AGRONA:DISRUPTOR:HDRHISTOGRAM \
 *     io.vfplane.perf.pipeline.IdleStrategyComparison
 * </pre>
 */
public final class IdleStrategyComparison
{
    private static final int BURST = 64;
    private static final int WORK_ITERATIONS = 40;

    private IdleStrategyComparison()
    {
    }

    /** Costs a few tens of ns per packet, so the pipeline has a capacity to be 10% of. */
    static final class WorkStage implements Stage
    {
        private final String name;
        private final Histogram latency;
        private volatile boolean recording;
        long sink;

        WorkStage(final String name, final Histogram latency)
        {
            this.name = name;
            this.latency = latency;
        }

        @Override
        public String name()
        {
            return name;
        }

        @Override
        public void onBatch(final PacketBatch batch)
        {
            long s = sink;
            for (int i = 0, n = batch.size(); i < n; i++)
            {
                final PacketDescriptor d = batch.get(i);
                long h = d.flowHash();
                for (int k = 0; k < WORK_ITERATIONS; k++)
                {
                    h = h * 0x9E3779B97F4A7C15L + k;
                }
                s += h;
            }
            sink = s;
            if (latency != null && recording)
            {
                final long now = System.nanoTime();
                for (int i = 0, n = batch.size(); i < n; i++)
                {
                    latency.recordValue(Math.max(0, now - batch.get(i).timestampNs()));
                }
            }
        }
    }

    public static void main(final String[] args) throws Exception
    {
        final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        final double capacity = measureCapacity();
        final double offered = capacity * 0.10;
        final long burstIntervalNs = (long)(BURST / offered * 1e9);
        System.out.printf("capacity %.2f Mpps (yielding, flood); offered 10%% = %.3f Mpps in bursts of %d every %d us%n",
            capacity / 1e6, offered / 1e6, BURST, burstIntervalNs / 1000);
        for (final IdleStrategyConfig.Kind kind : IdleStrategyConfig.Kind.values())
        {
            final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(1), 3);
            final WorkStage last = new WorkStage("c", latency);
            try (Counters counters = Counters.inMemory(1024);
                PacketPool pool = new PacketPool("cmp", 16, PacketPool.MIN_HEADROOM, 128, counters))
            {
                final Pipeline p = build(kind, counters, pool, last);
                final List<Thread> threads = p.threads();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
                final long idleStart = System.nanoTime();
                final long cpuStart = cpu(mx, threads);
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
                final double idleCpuPerSecond = (cpu(mx, threads) - cpuStart) / (double)(System.nanoTime() - idleStart);

                drive(p, burstIntervalNs, TimeUnit.SECONDS.toNanos(1));
                last.recording = true;
                final long loadStart = System.nanoTime();
                final long loadCpuStart = cpu(mx, threads);
                drive(p, burstIntervalNs, TimeUnit.SECONDS.toNanos(2));
                final double loadCpuPerSecond =
                    (cpu(mx, threads) - loadCpuStart) / (double)(System.nanoTime() - loadStart);
                last.recording = false;
                p.close();
                System.out.printf("%-13s idle cpu %7.4f s/s  load cpu %6.3f s/s  p50 %7.1f us  p99 %8.1f us  " +
                    "p99.9 %8.1f us  max %8.1f us  (%d packets)%n",
                    kind.name().toLowerCase(), idleCpuPerSecond, loadCpuPerSecond,
                    latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(99) / 1e3,
                    latency.getValueAtPercentile(99.9) / 1e3, latency.getMaxValue() / 1e3,
                    latency.getTotalCount());
            }
        }
    }

    private static Pipeline build(
        final IdleStrategyConfig.Kind kind,
        final Counters counters,
        final PacketPool pool,
        final WorkStage last)
    {
        return Pipeline.builder("cmp")
            .pool(pool)
            .counters(counters)
            .ringSize(4096)
            .maxBatch(256)
            .placement(Placement.parse("2+1"))
            .idle(kind)
            .backpressure(BackpressurePolicy.BLOCK)
            .stage(new WorkStage("a", null))
            .stage(new WorkStage("b", null))
            .stage(last)
            .build()
            .start();
    }

    private static double measureCapacity()
    {
        try (Counters counters = Counters.inMemory(1024);
            PacketPool pool = new PacketPool("cap", 16, PacketPool.MIN_HEADROOM, 128, counters))
        {
            final Pipeline p = build(IdleStrategyConfig.Kind.YIELDING, counters, pool, new WorkStage("c", null));
            final PacketDescriptor d = new PacketDescriptor();
            final int warm = 2_000_000;
            final int n = 5_000_000;
            for (int i = 0; i < warm; i++)
            {
                p.offer(d.flowHash(i));
            }
            final long start = System.nanoTime();
            for (int i = 0; i < n; i++)
            {
                p.offer(d.flowHash(i));
            }
            final long head = p.head();
            while (p.processed() < head)
            {
                Thread.onSpinWait();
            }
            final double pps = n / ((System.nanoTime() - start) / 1e9);
            p.close();
            return pps;
        }
    }

    private static void drive(final Pipeline p, final long intervalNs, final long durationNs)
    {
        final PacketDescriptor d = new PacketDescriptor();
        final long end = System.nanoTime() + durationNs;
        long next = System.nanoTime();
        int flow = 0;
        while (next < end)
        {
            long now;
            while ((now = System.nanoTime()) < next)
            {
                final long left = next - now;
                if (left > 60_000)
                {
                    LockSupport.parkNanos(left - 50_000);
                }
                else
                {
                    Thread.onSpinWait();
                }
            }
            for (int i = 0; i < BURST; i++)
            {
                d.flowHash(flow++).timestampNs(System.nanoTime());
                p.offer(d);
            }
            next += intervalNs;
        }
    }

    private static long cpu(final ThreadMXBean mx, final List<Thread> threads)
    {
        long total = 0;
        for (final Thread t : threads)
        {
            total += Math.max(0, mx.getThreadCpuTime(t.threadId()));
        }
        return total;
    }
}
