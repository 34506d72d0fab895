package io.vfplane.perf.encap;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

import com.sun.management.HotSpotDiagnosticMXBean;

/**
 * {@link DecapBatchBenchmark}'s {@code stage256} and {@code loadOnly256}, timed by the thread's CPU time rather than
 * the wall clock, alternating in the same process: on a machine shared with other work, time spent preempted does
 * not count, and the two figures of a round ran under the same conditions, so their difference (the stage's own
 * cost) is steadier than two JMH runs apart. Supplementary to JMH (which stays the reference figure): it does not
 * shield the run from other work's use of the shared caches and memory bandwidth.
 *
 * <pre>
 *   setup (the benchmark's own: 1,000,000 rules, a random permutation over them, every frame checked)
 *   warm-up: both variants, WARMUP batches each
 *   round r = 1..ROUNDS: stage256 x BATCHES, loadOnly256 x BATCHES   (thread CPU time of each)
 *   -> one line per round: ns/packet of each and of their difference; then min and median of each column
 * </pre>
 *
 * Run: {@code JAVA_TOOL_OPTIONS=-XX:+UseTransparentHugePages ./vfplane bench-main
 * io.vfplane.perf.encap.DecapCpuTime [span] [rounds] [batches]} (the huge pages the JMH benchmark's fork asks for;
 * the program says whether they are on). Defaults: span 1000000, 15 rounds, 4000 batches of 256 per variant and round.
 */
public final class DecapCpuTime
{
    private static final int PACKETS_PER_BATCH = 256;
    private static final int WARMUP = 40_000;

    private DecapCpuTime()
    {
    }

    public static void main(final String[] args) throws ReflectiveOperationException
    {
        final int span = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        final int batches = args.length > 2 ? Integer.parseInt(args[2]) : 4000;
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (!threads.isCurrentThreadCpuTimeSupported())
        {
            throw new IllegalStateException("this JVM cannot measure a thread's CPU time");
        }
        final String hugePages = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
            .getVMOption("UseTransparentHugePages").getValue();
        System.out.println("span " + span + ", " + rounds + " rounds of " + batches + " batches x " +
            PACKETS_PER_BATCH + " packets per variant, UseTransparentHugePages=" + hugePages);

        final DecapBatchBenchmark benchmark = new DecapBatchBenchmark();
        benchmark.span = span;
        benchmark.setUp("stage256");
        long sink = 0;
        for (int i = 0; i < WARMUP; i++)
        {
            sink += benchmark.stage256();
            sink += benchmark.loadOnly256();
        }

        final double[] stage = new double[rounds];
        final double[] load = new double[rounds];
        final double[] own = new double[rounds];
        final double packets = (double)batches * PACKETS_PER_BATCH;
        System.out.println("round  stage256  loadOnly256  stage-load   (ns/packet of thread CPU time)");
        for (int r = 0; r < rounds; r++)
        {
            final long t0 = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < batches; i++)
            {
                sink += benchmark.stage256();
            }
            final long t1 = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < batches; i++)
            {
                sink += benchmark.loadOnly256();
            }
            final long t2 = threads.getCurrentThreadCpuTime();
            stage[r] = (t1 - t0) / packets;
            load[r] = (t2 - t1) / packets;
            own[r] = stage[r] - load[r];
            System.out.printf("%5d  %8.2f  %11.2f  %10.2f%n", r + 1, stage[r], load[r], own[r]);
        }
        System.out.printf("min    %8.2f  %11.2f  %10.2f%n", min(stage), min(load), min(own));
        System.out.printf("median %8.2f  %11.2f  %10.2f%n", median(stage), median(load), median(own));
        benchmark.tearDown();
        System.out.println("(sink " + (sink & 1) + ")");
    }

    private static double min(final double[] values)
    {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    private static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
