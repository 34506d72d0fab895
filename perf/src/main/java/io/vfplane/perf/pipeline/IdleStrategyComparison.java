package io.vfplane.perf.pipeline;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
import io.vfplane.pipeline.idle.AnticipatoryIdleStrategy;
import io.vfplane.pipeline.idle.IdleCounters;
import io.vfplane.pipeline.idle.IdleStrategyConfig;
import io.vfplane.pipeline.idle.TimerSlack;

/**
 * Compares the idle strategies of the stage threads at a fixed offered rate: CPU the stage thread burns while there
 * is no traffic, and the latency from entry to the last stage under bursty traffic, each beside busy-spin's figure
 * from the same run.
 *
 * <pre>
 *  producer (this thread; bursts of 32 at a FIXED rate, default 100 kpps)
 *     -> ring -> [ a -> b -> c ]      placement fused, ONE shard: one stage thread
 * </pre>
 *
 * One stage thread plus the producer fit two cores, so busy-spin is not starved and its figures mean something.
 * The rate is fixed (not a fraction of a measured flood capacity, which collapses when the machine is loaded); at the
 * default 100 kpps a burst of 32 comes every 320 us and takes the stage thread a few microseconds: the thread is
 * idle over 90% of the time. The producer is punctual (1 us timer slack, parks until 150 us before each burst, then
 * spins), so that the offered load is the periodic load it claims.
 * For each strategy, busy-spin first: settle, a period with no traffic measuring the stage thread's CPU time
 * (ThreadMXBean), a warm-up, then the measured period of traffic with each packet's entry-to-exit latency in an
 * HdrHistogram (0.5 s, 1 s, 1 s and SECONDS from the command line; {@link Options#scaled} shares a shorter time in
 * the same proportions). One line per strategy; {@code idle x} and {@code p99 x} are ratios to busy-spin;
 * {@code signal->running} is the mean time from a publisher's signal to the woken stage thread running (the wake-up's
 * cost). The load average is printed before and after, because figures taken on a busy machine are noise.
 *
 * <pre>
 * ./vfplane bench-main io.vfplane.perf.pipeline.IdleStrategyComparison [PPS] [SECONDS] [PLACEMENT] [STRATEGIES]
 * </pre>
 * PLACEMENT is what {@link Placement#parse} reads (default {@code fused}; {@code 2+1} puts stages a, b on one thread
 * and c on another, where head-based anticipation applies). STRATEGIES is a comma list (default all; busy-spin is
 * always run first, as the reference). The parking strategies' lines also print their idle counters of the measured
 * period (see {@link IdleCounters}); anticipatory runs with burst prediction on (window {@link #PREDICT_WINDOW_NANOS}),
 * whatever the pipeline's default ({@code -Dvfplane.idle.predictWindowUs=0} turns it off, to see the linger alone).
 * {@link #compare(Options)} is the same measurement for other programs
 * ({@code vfplane perf compare idle}).
 */
public final class IdleStrategyComparison
{
    private static final int BURST = 32;
    private static final int WORK_ITERATIONS = 40;
    /** How long before each burst the producer stops parking and spins: above the tail of a timed park's lateness. */
    private static final long PRODUCER_SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(150);
    /**
     * The anticipatory line predicts the next burst (the pipeline's default may not): it wakes shortly before the
     * expected burst and spins this long past it.
     */
    private static final long PREDICT_WINDOW_NANOS = TimeUnit.MICROSECONDS.toNanos(
        Long.getLong("vfplane.idle.predictWindowUs", 50));

    private IdleStrategyComparison()
    {
    }

    /** Costs a few tens of ns per packet; the last one records latency. */
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

    /**
     * One strategy's figures.
     *
     * @param name         the strategy, as {@code busy_spin}, {@code blocking}, {@code anticipatory}...
     * @param idleCpu      CPU seconds the stage threads burnt per second of no traffic.
     * @param loadCpu      CPU seconds the stage threads burnt per second of the bursty traffic.
     * @param latency      entry-to-exit latency of every packet of the measured period, in ns.
     * @param offered      packets offered in the measured period.
     * @param entered      packets that entered the pipeline in it.
     * @param idleCounters the idle counters of the measured period, as text (parking strategies only).
     * @param wakeLatencyNs mean time from a publisher's signal to the woken stage thread running, or -1 without one.
     */
    public record Result(
        String name, double idleCpu, double loadCpu, Histogram latency, long offered, long entered,
        String idleCounters, double wakeLatencyNs)
    {
        /** @return the 99th percentile latency in ns. */
        public long p99Nanos()
        {
            return latency.getValueAtPercentile(99);
        }
    }

    /**
     * What to compare, and how long.
     *
     * @param rate          packets per second offered (in bursts of 32).
     * @param settleSeconds pause after start before the idle CPU is measured.
     * @param idleSeconds   the no-traffic period whose CPU is measured.
     * @param warmupSeconds traffic before the measured period.
     * @param loadSeconds   the measured traffic period.
     * @param placement     the stages' placement.
     * @param kinds         the strategies; busy-spin is added first when missing (the reference).
     */
    public record Options(
        double rate, double settleSeconds, double idleSeconds, double warmupSeconds, double loadSeconds,
        Placement placement, List<IdleStrategyConfig.Kind> kinds)
    {
        /** The program's defaults with the given rate and measured seconds. */
        public static Options of(final double rate, final double loadSeconds, final Placement placement,
            final List<IdleStrategyConfig.Kind> kinds)
        {
            return new Options(rate, 0.5, 1, 1, loadSeconds, placement, kinds);
        }

        /** All phases scaled to {@code seconds} per strategy (a quick comparison: tests, short CLI runs). */
        public static Options scaled(final double rate, final double seconds, final List<IdleStrategyConfig.Kind> kinds)
        {
            return new Options(rate, seconds * 0.1, seconds * 0.3, seconds * 0.2, seconds * 0.4, Placement.fused(),
                kinds);
        }

        /** @return the burst interval in ns. */
        public long burstIntervalNs()
        {
            return (long)(BURST / rate * 1e9);
        }
    }

    public static void main(final String[] args) throws Exception
    {
        final double rate = args.length > 0 ? Double.parseDouble(args[0]) : 100_000;
        final int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        final Placement placement = args.length > 2 ? Placement.parse(args[2]) : Placement.fused();
        final List<IdleStrategyConfig.Kind> kinds = new ArrayList<>();
        if (args.length > 3)
        {
            for (final String k : args[3].split(","))
            {
                kinds.add(IdleStrategyConfig.Kind.parse(k));
            }
        }
        else
        {
            kinds.addAll(List.of(IdleStrategyConfig.Kind.YIELDING, IdleStrategyConfig.Kind.SLEEPING,
                IdleStrategyConfig.Kind.BLOCKING, IdleStrategyConfig.Kind.ANTICIPATORY));
        }
        final Options options = Options.of(rate, seconds, placement, kinds);
        System.out.printf(Locale.ROOT, "loadavg before: %s%n", loadavg());
        System.out.printf(Locale.ROOT, "offered %.0f pps in bursts of %d every %d us; placement %s, 1 shard " +
            "(%d stage threads + producer), %d s measured per strategy%n", rate, BURST,
            options.burstIntervalNs() / 1000, placement, placement.threads(3), seconds);
        final List<Result> results = compare(options);
        final Result spin = results.get(0);
        final double spinP99 = spin.latency().getValueAtPercentile(99);
        for (final Result r : results)
        {
            final Histogram h = r.latency();
            System.out.printf(Locale.ROOT, "%-13s idle cpu %7.4f s/s (x%6.3f)  load cpu %6.3f s/s  p50 %7.1f us  " +
                "p99 %8.1f us (x%5.2f)  p99.9 %8.1f us  max %8.1f us  (%d of %d offered)%s%s%n",
                r.name(), r.idleCpu(), r.idleCpu() / spin.idleCpu(), r.loadCpu(),
                h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3,
                h.getValueAtPercentile(99) / spinP99, h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3,
                h.getTotalCount(), r.offered(),
                r.wakeLatencyNs() < 0 ? "" : String.format(Locale.ROOT, "  signal->running %.1f us",
                    r.wakeLatencyNs() / 1e3), r.idleCounters());
        }
        System.out.printf(Locale.ROOT, "anticipatory: prediction window %d us, lead %d us; timer slack settable %b, " +
            "failures %d%n", PREDICT_WINDOW_NANOS / 1000, AnticipatoryIdleStrategy.DEFAULT_PREDICT_LEAD_NANOS / 1000,
            TimerSlack.isAvailable(), TimerSlack.failures());
        System.out.printf(Locale.ROOT, "loadavg after: %s%n", loadavg());
    }

    /**
     * Runs each strategy in turn, busy-spin first, on its own pipeline, on the calling thread as producer.
     *
     * @return one result per strategy, busy-spin's first.
     */
    public static List<Result> compare(final Options options)
    {
        final List<IdleStrategyConfig.Kind> kinds = new ArrayList<>();
        kinds.add(IdleStrategyConfig.Kind.BUSY_SPIN);
        for (final IdleStrategyConfig.Kind kind : options.kinds())
        {
            if (!kinds.contains(kind))
            {
                kinds.add(kind);
            }
        }
        final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        final List<Result> results = new ArrayList<>();
        for (final IdleStrategyConfig.Kind kind : kinds)
        {
            results.add(run(kind, options, mx));
        }
        return results;
    }

    private static long nanos(final double seconds)
    {
        return (long)(seconds * 1e9);
    }

    private static Result run(final IdleStrategyConfig.Kind kind, final Options options, final ThreadMXBean mx)
    {
        final Placement placement = options.placement();
        final long burstIntervalNs = options.burstIntervalNs();
        final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(1), 3);
        final WorkStage last = new WorkStage("c", latency);
        try (Counters counters = Counters.inMemory(1024);
            PacketPool pool = new PacketPool("cmp", 16, PacketPool.MIN_HEADROOM, 128, counters))
        {
            final Pipeline p = Pipeline.builder("cmp")
                .pool(pool)
                .counters(counters)
                .ringSize(4096)
                .maxBatch(256)
                .placement(placement)
                .idle(config(kind))
                .backpressure(BackpressurePolicy.DROP)
                .stage(new WorkStage("a", null))
                .stage(new WorkStage("b", null))
                .stage(last)
                .build()
                .start();
            final List<Thread> threads = p.threads();
            LockSupport.parkNanos(nanos(options.settleSeconds()));
            final long idleStart = System.nanoTime();
            final long cpuStart = cpu(mx, threads);
            LockSupport.parkNanos(nanos(options.idleSeconds()));
            final double idleCpu = (cpu(mx, threads) - cpuStart) / (double)(System.nanoTime() - idleStart);

            drive(p, burstIntervalNs, nanos(options.warmupSeconds()));
            final long enteredBefore = p.entered();
            last.recording = true;
            final long loadStart = System.nanoTime();
            final long loadCpuStart = cpu(mx, threads);
            final long[] before = idleCounters(counters, threads.size());
            final long offered = drive(p, burstIntervalNs, nanos(options.loadSeconds()));
            final long[] after = idleCounters(counters, threads.size());
            final double loadCpu = (cpu(mx, threads) - loadCpuStart) / (double)(System.nanoTime() - loadStart);
            final long head = p.head();
            while (p.processed() < head)
            {
                Thread.onSpinWait();
            }
            last.recording = false;
            final long entered = p.entered() - enteredBefore;
            p.close();
            final StringBuilder idle = new StringBuilder();
            long signalled = 0;
            long wakeNs = 0;
            if (kind.needsSignal())
            {
                for (int t = 0; t < threads.size(); t++)
                {
                    idle.append(String.format(Locale.ROOT, "  [t%d", t));
                    for (int c = 0; c < IDLE_COUNTERS.length; c++)
                    {
                        final int i = t * IDLE_COUNTERS.length + c;
                        final boolean gauge = IDLE_COUNTERS[c].startsWith("predict_");
                        final long delta = gauge ? after[i] : after[i] - before[i];
                        if (IDLE_COUNTERS[c].equals(IdleCounters.WOKE_SIGNALLED))
                        {
                            signalled += delta;
                        }
                        else if (IDLE_COUNTERS[c].equals(IdleCounters.WAKE_LATENCY_NS))
                        {
                            wakeNs += delta;
                            continue;
                        }
                        idle.append(' ').append(IDLE_COUNTERS[c]).append(' ').append(delta);
                    }
                    idle.append(']');
                }
            }
            return new Result(kind.name().toLowerCase(Locale.ROOT), idleCpu, loadCpu, latency, offered, entered,
                idle.toString(), signalled == 0 ? -1 : wakeNs / (double)signalled);
        }
    }

    private static IdleStrategyConfig config(final IdleStrategyConfig.Kind kind)
    {
        final IdleStrategyConfig config = IdleStrategyConfig.of(kind);
        if (kind != IdleStrategyConfig.Kind.ANTICIPATORY)
        {
            return config;
        }
        return config.prediction(AnticipatoryIdleStrategy.DEFAULT_PREDICT_LEAD_NANOS, PREDICT_WINDOW_NANOS,
            AnticipatoryIdleStrategy.DEFAULT_MAX_PREDICT_GAP_NANOS);
    }

    /**
     * Offers bursts on a fixed schedule; a late burst is sent at once (no catch-up storm beyond one burst). The
     * producer must be punctual, or the load it offers is not the periodic load it claims: it asks for a 1 us timer
     * slack and parks until {@link #PRODUCER_SPIN_NANOS} before each burst, then spins (its CPU is not measured).
     */
    private static long drive(final Pipeline p, final long intervalNs, final long durationNs)
    {
        TimerSlack.applyToCurrentThread(TimerSlack.PREDICTING_SLACK_NANOS);
        final PacketDescriptor d = new PacketDescriptor();
        final long end = System.nanoTime() + durationNs;
        long next = System.nanoTime();
        long offered = 0;
        int flow = 0;
        while (next < end)
        {
            long now;
            while ((now = System.nanoTime()) < next)
            {
                final long left = next - now;
                if (left > PRODUCER_SPIN_NANOS + 10_000)
                {
                    LockSupport.parkNanos(left - PRODUCER_SPIN_NANOS);
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
            offered += BURST;
            next = Math.max(next + intervalNs, now - intervalNs);
        }
        return offered;
    }

    private static final String[] IDLE_COUNTERS = {
        IdleCounters.AWAKE_HEAD, IdleCounters.AWAKE_UPSTREAM, IdleCounters.AWAKE_PREDICTED, IdleCounters.AWAKE_BURST,
        IdleCounters.WENT_IDLE, IdleCounters.WOKE, IdleCounters.WOKE_SIGNALLED, IdleCounters.WAKE_LATENCY_NS,
        IdleCounters.PREDICT_MISSED, IdleCounters.PREDICT_OVERSLEPT, IdleCounters.PREDICT_GAP_NS,
        IdleCounters.PREDICT_LATE_NS};

    private static long[] idleCounters(final Counters counters, final int threads)
    {
        final long[] values = new long[threads * IDLE_COUNTERS.length];
        for (int t = 0; t < threads; t++)
        {
            for (int c = 0; c < IDLE_COUNTERS.length; c++)
            {
                values[t * IDLE_COUNTERS.length + c] =
                    counters.valueOf("pipeline.cmp.thread." + t + ".idle." + IDLE_COUNTERS[c], 0);
            }
        }
        return values;
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

    static String loadavg()
    {
        try
        {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        }
        catch (final java.io.IOException ex)
        {
            return "n/a";
        }
    }
}
