package io.vfplane.pipeline.cli;

import java.io.PrintWriter;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.IoUtil;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.pipeline.AutoPlacement;
import io.vfplane.pipeline.BackpressurePolicy;
import io.vfplane.pipeline.Pipeline;
import io.vfplane.pipeline.Placement;
import io.vfplane.pipeline.ShardedPipeline;
import io.vfplane.pipeline.ShowPipeline;
import io.vfplane.pipeline.idle.IdleStrategyConfig;
import io.vfplane.pipeline.placement.PlacementAdvisor;

/**
 * {@code vfplane pipeline run}: runs a synthetic pipeline (stages of given costs) under a chosen placement, idle
 * strategy and shard count, fed by this thread at a fixed rate or as fast as it can (flood), with its counters in a
 * file so another terminal can watch it with {@code vfplane show pipeline --counters FILE}. Prints the
 * {@code show pipeline} report at the end.
 *
 * <pre>
 *  this thread (rate or flood, descriptors only) -> shard(s): ring -> [ s0 -> s1 -> ... ]   placement as given
 * </pre>
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run a synthetic pipeline and print `show pipeline` at the end; watch it meanwhile with "
        + "`vfplane show pipeline --counters FILE`.",
    exitCodeOnInvalidInput = 2)
public final class PipelineRunCommand implements Callable<Integer>
{
    private static final int BURST = 32;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--stages", paramLabel = "NS,NS,...", split = ",", defaultValue = "50,50,50",
        description = "one stage per figure: its busy-loop cost in ns per packet (default: ${DEFAULT-VALUE})")
    long[] stageNanos;

    @Option(names = "--placement", paramLabel = "PLACEMENT", defaultValue = "fused",
        description = "fused, split, group sizes like 2+1, or auto (calibrate and plan) (default: ${DEFAULT-VALUE})")
    String placement;

    @Option(names = "--strategy", paramLabel = "IDLE", defaultValue = "anticipatory",
        description = "idle strategy: busy-spin, yielding, sleeping, blocking, anticipatory (default: ${DEFAULT-VALUE})")
    String strategy;

    @Option(names = "--shards", paramLabel = "N",
        description = "pipelines, flows split by hash (default 1; with auto: the most the planner may use)")
    Integer shards;

    @Option(names = "--cores", paramLabel = "N",
        description = "cores auto placement may use for stage threads (default: available processors - 1, at least 1)")
    Integer cores;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "5s",
        description = "how long to offer packets: 500ms, 5s, 2m (default: ${DEFAULT-VALUE})")
    String duration;

    @Option(names = "--rate", paramLabel = "PPS", defaultValue = "0",
        description = "offered packets per second, in bursts of " + BURST + "; 0 = flood (default: ${DEFAULT-VALUE})")
    long rate;

    @Option(names = "--flows", paramLabel = "N", defaultValue = "1024",
        description = "distinct flow hashes offered round robin (default: ${DEFAULT-VALUE})")
    int flows;

    @Option(names = "--backpressure", paramLabel = "POLICY", defaultValue = "DROP",
        description = "when a ring is full: DROP (count entry_full) or BLOCK (default: ${DEFAULT-VALUE})")
    BackpressurePolicy backpressure;

    @Option(names = "--advise", paramLabel = "MS", defaultValue = "1000",
        description = "with auto: re-plan from the runtime counters every MS ms, shown as the advice line; 0 = off "
            + "(default: ${DEFAULT-VALUE})")
    long adviseMillis;

    @Option(names = "--counters", paramLabel = "FILE", defaultValue = ShowPipelineCommand.DEFAULT_COUNTERS_FILE,
        description = "counters file to write (default: ${DEFAULT-VALUE}); refused while another live process owns it")
    Path file;

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final long durationNanos = parseDuration(duration);
        final IdleStrategyConfig.Kind kind = parse(() -> IdleStrategyConfig.Kind.parse(strategy));
        final boolean auto = placement.trim().equalsIgnoreCase("auto");
        final Placement fixed = auto ? null : parse(() -> Placement.parse(placement));
        if (stageNanos.length == 0 || flows < 1 || rate < 0 || (shards != null && shards < 1) ||
            (cores != null && cores < 1))
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "need at least one stage, --flows >= 1, --rate >= 0, --shards >= 1, --cores >= 1");
        }
        checkNotInUse(file);
        try (Counters counters = Counters.mapped(file, 8192);
            PacketPool pool = new PacketPool("run", 64, PacketPool.MIN_HEADROOM, 128, counters))
        {
            final ShardedPipeline pipelines;
            if (auto)
            {
                final int c = cores != null ? cores : Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
                pipelines = ShardedPipeline.auto("run", AutoPlacement.cores(c)
                    .maxShards(shards == null ? Integer.MAX_VALUE : shards)
                    .offeredPps(rate)
                    .sample((index, p, d) ->
                    {
                        d.flowHash((int)(index % flows));
                        return true;
                    }), s -> builder(s, counters, pool, kind));
            }
            else
            {
                pipelines = ShardedPipeline.build(shards == null ? 1 : shards,
                    s -> builder(s, counters, pool, kind).placement(fixed));
            }
            out.printf("running %d shard(s) x %s, %d stage(s) %s ns/packet, idle %s, %s for %s; counters in %s%n",
                pipelines.shardCount(), pipelines.shard(0).placement(), stageNanos.length, costs(),
                kind.name().toLowerCase(Locale.ROOT), rate == 0 ? "flood" : rate + " pps", duration, file);
            out.flush();
            pipelines.start();
            final PlacementAdvisor advisor = auto && adviseMillis > 0 ?
                new PlacementAdvisor(pipelines).start(TimeUnit.MILLISECONDS.toNanos(adviseMillis)) : null;
            final long start = System.nanoTime();
            final long offered = drive(pipelines, durationNanos);
            final double seconds = (System.nanoTime() - start) / 1e9;
            if (advisor != null)
            {
                advisor.evaluate();
                advisor.close();
            }
            pipelines.close();
            long entered = 0;
            long refused = 0;
            for (int s = 0; s < pipelines.shardCount(); s++)
            {
                entered += pipelines.shard(s).entered();
                refused += pipelines.shard(s).entryFull();
            }
            out.printf(Locale.ROOT, "offered %d packets in %.2f s (%.3f Mpps), entered %d (%.3f Mpps), entry_full %d%n",
                offered, seconds, offered / seconds / 1e6, entered, entered / seconds / 1e6, refused);
            out.print(ShowPipeline.format(counters.reader()));
            out.flush();
        }
        return 0;
    }

    private Pipeline.Builder builder(
        final int shard,
        final Counters counters,
        final PacketPool pool,
        final IdleStrategyConfig.Kind kind)
    {
        final Pipeline.Builder b = Pipeline.builder("run" + shard).pool(pool).counters(counters).ringSize(4096)
            .maxBatch(256).idle(kind).backpressure(backpressure);
        for (int i = 0; i < stageNanos.length; i++)
        {
            b.stage(new SyntheticStage("s" + i, stageNanos[i]));
        }
        return b;
    }

    private long drive(final ShardedPipeline pipelines, final long durationNanos)
    {
        final PacketDescriptor d = new PacketDescriptor();
        final long start = System.nanoTime();
        final long end = start + durationNanos;
        final long burstInterval = rate == 0 ? 0 : Math.max(1, (long)(BURST * 1e9 / rate));
        long next = start;
        long offered = 0;
        int flow = 0;
        while (true)
        {
            long now = System.nanoTime();
            if (now - end >= 0)
            {
                return offered;
            }
            if (burstInterval > 0)
            {
                while ((now = System.nanoTime()) - next < 0)
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
                next += burstInterval;
            }
            for (int i = 0; i < BURST; i++)
            {
                pipelines.offer(d.flowHash(flow).timestampNs(now));
                flow = flow + 1 == flows ? 0 : flow + 1;
            }
            offered += BURST;
        }
    }

    private String costs()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < stageNanos.length; i++)
        {
            sb.append(i == 0 ? "" : ",").append(stageNanos[i]);
        }
        return sb.toString();
    }

    private <T> T parse(final java.util.function.Supplier<T> parser)
    {
        try
        {
            return parser.get();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage());
        }
    }

    private long parseDuration(final String text)
    {
        final String t = text.trim().toLowerCase(Locale.ROOT);
        try
        {
            if (t.endsWith("ms"))
            {
                return TimeUnit.MILLISECONDS.toNanos(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            if (t.endsWith("s"))
            {
                return (long)(Double.parseDouble(t.substring(0, t.length() - 1)) * 1e9);
            }
            if (t.endsWith("m"))
            {
                return TimeUnit.MINUTES.toNanos(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            return Duration.parse(text).toNanos();
        }
        catch (final RuntimeException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--duration '" + text + "': expected e.g. 500ms, 5s, 2m");
        }
    }

    /**
     * Counters.mapped replaces the file: refuse when the process that wrote it (its pid in the header) still runs,
     * so a test run cannot wipe a live vfplane's counters.
     */
    private void checkNotInUse(final Path path)
    {
        if (!Files.isRegularFile(path))
        {
            return;
        }
        long pid = -1;
        try
        {
            final MappedByteBuffer mapped = IoUtil.mapExistingFile(path.toFile(), FileChannel.MapMode.READ_ONLY,
                "counters");
            try
            {
                if (mapped.capacity() >= Counters.HEADER_LENGTH &&
                    mapped.order(ByteOrder.nativeOrder()).getLong(Counters.MAGIC_OFFSET) == Counters.MAGIC)
                {
                    pid = mapped.getLong(Counters.PID_OFFSET);
                }
            }
            finally
            {
                IoUtil.unmap(mapped);
            }
        }
        catch (final RuntimeException ex)
        {
            return; // not a counters file we can read: Counters.mapped will replace it
        }
        final long self = ProcessHandle.current().pid();
        if (pid > 0 && pid != self && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                path + ": in use by running process " + pid + "; choose another file with --counters FILE");
        }
    }
}
