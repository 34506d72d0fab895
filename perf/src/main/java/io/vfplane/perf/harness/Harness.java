package io.vfplane.perf.harness;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.agrona.concurrent.status.CountersReader;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.pipeline.BackpressurePolicy;
import io.vfplane.pipeline.Pipeline;
import io.vfplane.pipeline.Placement;
import io.vfplane.pipeline.idle.IdleStrategyConfig;

/**
 * Runs one scenario: the pipeline with its generator and sink for the duration, then the limit loop on its own.
 *
 * <pre>
 *  generator thread --offer (BLOCK)--> ring --> [ stages ... -> tx ] --> output --> sink (latency, counts)
 *  harness thread: warm-up, then every second: latency interval (to the .hlog), counts, progress bar
 *  then: limit thread: the same header work, no pipeline, for the limit duration
 * </pre>
 *
 * The generator and the pipeline run concurrently; the limit loop runs after them, alone, so neither steals the
 * other's core. The first part of each (the warm-up) is not measured: the JIT compiles the data path there.
 */
final class Harness
{
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Runs at least this long get a progress bar. */
    static final long PROGRESS_AFTER_NANOS = TimeUnit.SECONDS.toNanos(3);

    /**
     * How to run.
     *
     * @param durationNanos   the measured window of the pipeline run.
     * @param warmupNanos     run before the window, not measured.
     * @param limitNanos      the measured window of the limit loop (it warms up for a fifth of it first).
     * @param rate            packets per second, 0 for as fast as possible.
     * @param placement       stage threads.
     * @param idle            idle strategy of the stage threads.
     * @param size            --size as given (for the report).
     * @param flows           --flows (for the report).
     * @param progress        where the progress bar goes, or null for none.
     * @param hlog            where the latency intervals go, or null.
     */
    record Settings(
        long durationNanos,
        long warmupNanos,
        long limitNanos,
        long rate,
        Placement placement,
        IdleStrategyConfig.Kind idle,
        String size,
        int flows,
        PrintWriter progress,
        HistogramLogWriter hlog)
    {
    }

    private Harness()
    {
    }

    static RunResult run(final Scenario scenario, final Settings settings)
    {
        final String loadBefore = loadavg();
        final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        final Sink sink = new Sink();
        final Histogram latency = new Histogram(LatencyRecorder.HIGHEST, LatencyRecorder.DIGITS);
        final PacketPool pool = new PacketPool("perf", scenario.poolSlots, PacketPool.MIN_HEADROOM,
            scenario.dataCapacity, scenario.counters);
        try
        {
            final Pipeline pipeline = Pipeline.builder("perf")
                .pool(pool)
                .counters(scenario.counters)
                .ringSize(scenario.ringSize)
                .maxBatch(Math.min(Scenarios.maxBatch(), scenario.ringSize))
                .placement(settings.placement())
                .idle(settings.idle())
                .backpressure(BackpressurePolicy.BLOCK)
                .stages(scenario.stages)
                .tx(scenario.output.create(sink, pool))
                .build();
            final Generator generator = new Generator(pipeline, pool, scenario.templates, settings.rate());
            final Thread generatorThread = new Thread(generator, "vfplane-perf-generator");
            final List<Thread> threads = new ArrayList<>(pipeline.threads());
            threads.addFirst(generatorThread);

            pipeline.start();
            generatorThread.start();
            final long runStart = System.nanoTime();
            final long warmupEnd = runStart + settings.warmupNanos();
            final long total = settings.warmupNanos() + settings.durationNanos();
            final Progress progress = settings.progress() != null && total >= PROGRESS_AFTER_NANOS ?
                new Progress(settings.progress(), total) : null;
            while (System.nanoTime() - warmupEnd < 0)
            {
                tick(progress, runStart, warmupEnd, sink);
            }
            // the window opens: discard the warm-up's latencies, take the counts and CPU times
            sink.latency().interval(TimeUnit.SECONDS.toNanos(1));
            final long t0 = System.nanoTime();
            final long epochStartMs = System.currentTimeMillis();
            final long packets0 = sink.packets();
            final long bytes0 = sink.bytes();
            final long[] cpu0 = cpu(mx, threads);
            final long[] alloc0 = allocated(mx, threads);
            final long[] stagePackets0 = stagePackets(pipeline);
            final long[] stageNanos0 = stageNanos(pipeline);
            if (settings.hlog() != null)
            {
                settings.hlog().outputLogFormatVersion();
                settings.hlog().outputStartTime(epochStartMs);
                settings.hlog().setBaseTime(epochStartMs);
                settings.hlog().outputLegend();
            }
            final long end = t0 + settings.durationNanos();
            long intervalStart = t0;
            while (System.nanoTime() - end < 0)
            {
                tick(progress, runStart, end, sink);
                final long now = System.nanoTime();
                if (now - intervalStart >= INTERVAL_NANOS && end - now > TICK_NANOS)
                {
                    final Histogram interval = sink.latency().interval(TICK_NANOS);
                    if (interval != null)
                    {
                        final long closed = System.nanoTime();
                        record(settings.hlog(), interval, latency, intervalStart - t0, closed - t0);
                        intervalStart = closed;
                    }
                }
            }
            final long[] cpu1 = cpu(mx, threads);
            final long[] alloc1 = allocated(mx, threads);
            final long[] stagePackets1 = stagePackets(pipeline);
            final long[] stageNanos1 = stageNanos(pipeline);
            final long packets1 = sink.packets();
            final long bytes1 = sink.bytes();
            final long t1 = System.nanoTime();
            generator.stop();
            join(generatorThread);
            pipeline.close();
            final Histogram last = new Histogram(LatencyRecorder.HIGHEST, LatencyRecorder.DIGITS);
            sink.latency().drainStopped(last);
            record(settings.hlog(), last, latency, intervalStart - t0, System.nanoTime() - t0);
            if (progress != null)
            {
                progress.done();
            }

            final double seconds = (t1 - t0) / 1e9;
            final long packets = packets1 - packets0;
            final List<RunResult.ThreadCpu> cpus = new ArrayList<>();
            long stageCpu = 0;
            for (int i = 0; i < threads.size(); i++)
            {
                final long ns = Math.max(0, cpu1[i] - cpu0[i]);
                cpus.add(new RunResult.ThreadCpu(threads.get(i).getName(), ns,
                    alloc0[i] < 0 || alloc1[i] < 0 ? -1 : alloc1[i] - alloc0[i]));
                if (i > 0)
                {
                    stageCpu += ns;
                }
            }
            final List<RunResult.StageCost> stages = new ArrayList<>();
            long stageNanos = 0;
            for (int i = 0; i < stageNanos0.length; i++)
            {
                final long ns = stageNanos1[i] - stageNanos0[i];
                stages.add(new RunResult.StageCost(pipeline.stages().get(i).name(), stagePackets1[i] - stagePackets0[i],
                    ns));
                stageNanos += ns;
            }
            long inFlight = pool.inFlight();
            for (final PacketPool other : scenario.otherPools)
            {
                inFlight += other.inFlight();
            }
            final Map<String, Long> drops = drops(scenario.counters.reader());

            Double limitPps = null;
            long limitPackets = 0;
            double limitSeconds = 0;
            long limitCpu = 0;
            if (scenario.limit != null)
            {
                final long[] limit = runLimit(scenario.limit, settings.limitNanos());
                limitPackets = limit[0];
                limitSeconds = limit[1] / 1e9;
                limitCpu = limit[2];
                limitPps = limitPackets / limitSeconds;
                cpus.add(new RunResult.ThreadCpu("vfplane-perf-limit", limitCpu, limit[3]));
            }
            return new RunResult(scenario.name, scenario.description, scenario.unit, describe(settings, scenario),
                packets, seconds, packets / seconds, (bytes1 - bytes0) * 8 / seconds,
                packets == 0 ? Double.NaN : (double)stageNanos / packets, stageCpu, stages, limitPps,
                scenario.limit == null ? null : scenario.limit.description(), limitPackets, limitSeconds, limitCpu,
                latency, settings.rate() > 0, cpus, drops, inFlight, generator.sent(), generator.poolWaits(),
                loadBefore, loadavg());
        }
        finally
        {
            pool.close();
        }
    }

    private static String describe(final Settings s, final Scenario scenario)
    {
        return String.format(Locale.ROOT, "size %s, flows %d, rate %s, placement %s, wait %s, ring %d, " +
            "duration %s after %s warm-up%s", s.size(), s.flows(), s.rate() == 0 ? "max" : s.rate() + " pps",
            s.placement(), s.idle().name().toLowerCase(Locale.ROOT).replace('_', '-'), scenario.ringSize,
            Durations.format(s.durationNanos()), Durations.format(s.warmupNanos()),
            scenario.limit == null ? "" : ", limit loop " + Durations.format(s.limitNanos()));
    }

    private static void tick(final Progress progress, final long runStart, final long until, final Sink sink)
    {
        final long left = until - System.nanoTime();
        if (left > 0)
        {
            LockSupport.parkNanos(Math.min(left, TICK_NANOS));
        }
        if (progress != null)
        {
            progress.update(System.nanoTime() - runStart, sink.packets());
        }
    }

    private static void record(
        final HistogramLogWriter hlog,
        final Histogram interval,
        final Histogram total,
        final long fromNanos,
        final long toNanos)
    {
        total.add(interval);
        if (hlog != null)
        {
            hlog.outputIntervalHistogram(fromNanos / 1e9, toNanos / 1e9, interval, 1e6);
        }
    }

    /**
     * @return packets, window nanoseconds, CPU nanoseconds and allocated bytes of the loop's thread in the window.
     */
    private static long[] runLimit(final LimitLoop loop, final long windowNanos)
    {
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final long[] result = new long[4];
        final Thread thread = new Thread(() ->
        {
            try
            {
                final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
                final long warmupEnd = System.nanoTime() + windowNanos / 5;
                while (System.nanoTime() - warmupEnd < 0)
                {
                    loop.round();
                }
                final long cpu0 = mx.getCurrentThreadCpuTime();
                final long alloc0 = allocatedBytes(mx, Thread.currentThread());
                final long t0 = System.nanoTime();
                final long end = t0 + windowNanos;
                long packets = 0;
                long now;
                while ((now = System.nanoTime()) - end < 0)
                {
                    packets += loop.round();
                }
                result[0] = packets;
                result[1] = now - t0;
                result[2] = mx.getCurrentThreadCpuTime() - cpu0;
                final long alloc1 = allocatedBytes(mx, Thread.currentThread());
                result[3] = alloc0 < 0 || alloc1 < 0 ? -1 : alloc1 - alloc0;
            }
            catch (final Throwable t)
            {
                failure.set(t);
            }
        }, "vfplane-perf-limit");
        thread.start();
        join(thread);
        if (failure.get() != null)
        {
            throw new IllegalStateException("limit loop failed", failure.get());
        }
        return result;
    }

    private static long[] stagePackets(final Pipeline pipeline)
    {
        final long[] v = new long[pipeline.stages().size()];
        for (int i = 0; i < v.length; i++)
        {
            v[i] = pipeline.stagePackets(i);
        }
        return v;
    }

    private static long[] stageNanos(final Pipeline pipeline)
    {
        final long[] v = new long[pipeline.stages().size()];
        for (int i = 0; i < v.length; i++)
        {
            v[i] = pipeline.stageNanos(i);
        }
        return v;
    }

    private static long[] allocated(final ThreadMXBean mx, final List<Thread> threads)
    {
        final long[] bytes = new long[threads.size()];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = allocatedBytes(mx, threads.get(i));
        }
        return bytes;
    }

    private static long allocatedBytes(final ThreadMXBean mx, final Thread thread)
    {
        return mx instanceof final com.sun.management.ThreadMXBean sun ?
            sun.getThreadAllocatedBytes(thread.threadId()) : -1;
    }

    private static long[] cpu(final ThreadMXBean mx, final List<Thread> threads)
    {
        final long[] ns = new long[threads.size()];
        for (int i = 0; i < ns.length; i++)
        {
            ns[i] = mx.getThreadCpuTime(threads.get(i).threadId());
        }
        return ns;
    }

    /** Non-zero counters that mean a packet did not reach the sink: stage drops, entry refusals, output refusals. */
    static Map<String, Long> drops(final CountersReader reader)
    {
        final Map<String, Long> drops = new LinkedHashMap<>();
        reader.forEach((id, type, key, label) ->
        {
            final boolean drop = label.contains(".drop.") || label.endsWith(".entry_full") ||
                label.endsWith(".shutdown_released") || label.endsWith(".no_output") ||
                label.endsWith(".output_full") || label.endsWith(".port_refused") || label.endsWith(".errors");
            final long value = reader.getCounterValue(id);
            if (drop && value != 0)
            {
                drops.merge(label, value, Long::sum);
            }
        });
        return drops;
    }

    private static void join(final Thread thread)
    {
        try
        {
            thread.join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + thread.getName(), ex);
        }
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

    /** A one-line progress bar, redrawn in place on stderr. */
    static final class Progress
    {
        private static final int WIDTH = 30;
        private final PrintWriter out;
        private final long totalNanos;
        private long lastPackets;
        private long lastNanos;

        Progress(final PrintWriter out, final long totalNanos)
        {
            this.out = out;
            this.totalNanos = totalNanos;
        }

        void update(final long elapsedNanos, final long packets)
        {
            final double done = Math.min(1.0, (double)elapsedNanos / totalNanos);
            final int filled = (int)(done * WIDTH);
            final double rate = elapsedNanos > lastNanos ?
                (packets - lastPackets) * 1e3 / (elapsedNanos - lastNanos) : 0;
            lastPackets = packets;
            lastNanos = elapsedNanos;
            out.printf(Locale.ROOT, "\r[%s%s] %5.1f/%.1f s  %8.3f Mpps ", "#".repeat(filled),
                ".".repeat(WIDTH - filled), elapsedNanos / 1e9, totalNanos / 1e9, rate);
            out.flush();
        }

        void done()
        {
            out.print("\r" + " ".repeat(WIDTH + 40) + "\r");
            out.flush();
        }
    }
}
