package io.vfplane.perf.harness;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.HdrHistogram.HistogramLogWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import io.vfplane.pipeline.Placement;
import io.vfplane.pipeline.idle.IdleStrategyConfig;

/**
 * {@code vfplane perf run SCENARIO}: one in-process scenario (see {@link Scenarios}) for a duration, then its limit
 * loop; prints a table, and on request writes the figures as JSON, the latency intervals as an HdrHistogram log and
 * the percentile distribution as an SVG plot.
 *
 * <pre>
 *  generator thread -> ring -> [ scenario stages -> tx ] -> sink        (placement, wait strategy as given)
 *  then, alone: limit thread (the same header work, no pipeline)
 * </pre>
 *
 * A scenario that cannot run as asked (unknown name, bad size, a placement that does not fit its stages) is refused
 * with one line on stderr and exit code 2.
 */
@Command(name = "run", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 2,
    description = {"Run one in-process scenario: a generator into a pipeline and a sink, then the same header work "
        + "alone (the limit loop); report rates, CPU per thread and latency percentiles.",
        "Scenarios: pipeline-noop, vxlan-encap, vxlan-decap, geneve-encap, tso, rsc, host-path."})
public final class RunCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SCENARIO",
        description = "pipeline-noop, vxlan-encap, vxlan-decap, geneve-encap, tso, rsc or host-path")
    String scenarioName;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "10s",
        description = "measured time of the pipeline run: 500ms, 10s, 2m (default: ${DEFAULT-VALUE})")
    String duration;

    @Option(names = "--warmup", paramLabel = "TIME",
        description = "unmeasured run before it (default: a fifth of the duration, at most 1s)")
    String warmup;

    @Option(names = "--limit-duration", paramLabel = "TIME",
        description = "measured time of the limit loop (default: the duration, at most 3s)")
    String limitDuration;

    @Option(names = "--size", paramLabel = "64|imix|1500", defaultValue = "64",
        description = "guest frame length in bytes, or imix (7:4:1 of 64, 576, 1500); for tso and rsc the MTU "
            + "of the segments (1500: MSS 1448, 1514-byte frames) (default: ${DEFAULT-VALUE}; tso and rsc: 1500)")
    String size;

    @Option(names = "--flows", paramLabel = "N", defaultValue = "1024",
        description = "distinct flows (templates) the generator cycles through (default: ${DEFAULT-VALUE})")
    int flows;

    @Option(names = "--rate", paramLabel = "PPS|max", defaultValue = "max",
        description = "offered packets per second (500k, 2M), or max; a fixed rate measures latency from each "
            + "packet's intended send time (coordinated omission corrected) (default: ${DEFAULT-VALUE})")
    String rate;

    @Option(names = "--placement", paramLabel = "PLACEMENT", defaultValue = "fused",
        description = "stage threads: inline (the generator thread runs the stages, as a daemon's receive thread), "
            + "fused, split, or group sizes like 2+1 (tx is the last stage) "
            + "(default: ${DEFAULT-VALUE})")
    String placement;

    @Option(names = "--wait", paramLabel = "STRATEGY", defaultValue = "busy-spin",
        description = "idle strategy of the stage threads: busy-spin, yielding, sleeping, blocking, anticipatory "
            + "(default: ${DEFAULT-VALUE})")
    String wait;

    @Option(names = "--json", paramLabel = "FILE", description = "write the figures as JSON (- for stdout)")
    Path json;

    @Option(names = "--hlog", paramLabel = "FILE", description = "write the latency intervals as an HdrHistogram log")
    Path hlog;

    @Option(names = "--plot", paramLabel = "FILE", description = "write the latency percentile plot as SVG")
    Path plot;

    @Option(names = "--no-progress", description = "no progress bar on stderr")
    boolean noProgress;

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final Harness.Settings settings;
        final Scenario scenario;
        try
        {
            final long durationNanos = Durations.parseNanos(duration);
            final long warmupNanos = warmup != null ? Durations.parseNanos(warmup) :
                Math.min(1_000_000_000L, durationNanos / 5);
            final long limitNanos = limitDuration != null ? Durations.parseNanos(limitDuration) :
                Math.min(3_000_000_000L, durationNanos);
            final String sizeText = isSegmenting(scenarioName) && isDefault("--size") ? "1500" : size;
            final FrameSizes sizes = FrameSizes.parse(sizeText);
            final long pps = parseRate(rate);
            final Placement stagePlacement = Placement.parse(placement);
            final IdleStrategyConfig.Kind kind = IdleStrategyConfig.Kind.parse(wait);
            if (!Scenarios.NAMES.contains(scenarioName.toLowerCase(Locale.ROOT)))
            {
                throw new IllegalArgumentException("unknown scenario '" + scenarioName + "': one of " +
                    String.join(", ", Scenarios.NAMES));
            }
            scenario = Scenarios.create(scenarioName, sizes, flows);
            try
            {
                checkPlacement(stagePlacement, scenario.stages.size() + 1);
            }
            catch (final IllegalArgumentException ex)
            {
                scenario.close();
                throw ex;
            }
            settings = new Harness.Settings(durationNanos, warmupNanos, limitNanos, pps, stagePlacement, kind,
                sizes.name(), flows, noProgress ? null : err, null);
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("vfplane perf run: " + ex.getMessage());
            err.flush();
            return 2;
        }
        try (scenario; OutputStream hlogStream = hlog == null ? null : Files.newOutputStream(hlog))
        {
            final HistogramLogWriter writer = hlogStream == null ? null :
                new HistogramLogWriter(new PrintStream(hlogStream, false, StandardCharsets.UTF_8));
            final RunResult result = Harness.run(scenario, new Harness.Settings(settings.durationNanos(),
                settings.warmupNanos(), settings.limitNanos(), settings.rate(), settings.placement(), settings.idle(),
                settings.size(), settings.flows(), settings.progress(), writer));
            if (writer != null)
            {
                writer.close();
            }
            out.print(Reports.table(result));
            out.flush();
            if (json != null)
            {
                final String text = Reports.json(result);
                if (json.toString().equals("-"))
                {
                    out.print(text);
                    out.flush();
                }
                else
                {
                    Files.writeString(json, text);
                }
            }
            if (plot != null)
            {
                Files.writeString(plot, PercentilePlot.svg(result.latency(),
                    String.format(Locale.ROOT, "vfplane perf run %s: %.3f M%s/s, latency generation -> sink%s",
                        result.scenario(), result.pps() / 1e6, result.unit(),
                        result.coCorrected() ? " (CO corrected)" : ""),
                    result.settings()));
            }
            return 0;
        }
        catch (final IOException ex)
        {
            err.println("vfplane perf run: " + ex.getMessage());
            err.flush();
            return 1;
        }
    }

    private boolean isDefault(final String option)
    {
        return spec.commandLine().getParseResult() == null || !spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    private static boolean isSegmenting(final String name)
    {
        final String n = name.toLowerCase(Locale.ROOT);
        return n.equals("tso") || n.equals("rsc");
    }

    /** {@code max}, or packets per second with an optional k or M. */
    static long parseRate(final String text)
    {
        final String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("max"))
        {
            return 0;
        }
        try
        {
            double multiplier = 1;
            String digits = t;
            if (t.endsWith("k"))
            {
                multiplier = 1e3;
                digits = t.substring(0, t.length() - 1);
            }
            else if (t.endsWith("m"))
            {
                multiplier = 1e6;
                digits = t.substring(0, t.length() - 1);
            }
            final double pps = Double.parseDouble(digits) * multiplier;
            if (pps >= 1 && pps <= 1e9)
            {
                return (long)pps;
            }
        }
        catch (final NumberFormatException ex)
        {
            // the message below
        }
        throw new IllegalArgumentException("--rate '" + text + "': expected packets per second (e.g. 500000, 500k, 2M) " +
            "or max");
    }

    private static void checkPlacement(final Placement placement, final int stages)
    {
        try
        {
            placement.groupOfStages(stages);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("--placement: " + ex.getMessage() + " (tx included)", ex);
        }
    }
}
