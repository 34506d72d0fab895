package io.vfplane.perf.compare;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

import io.vfplane.perf.harness.Durations;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vfplane perf compare BENCH...}: vfplane and a peer on the same work, in the same run, with their ratio.
 *
 * <pre>
 *   overlay-tcp    iperf3 TCP between two guest namespaces: kernel vxlan devices vs two vfplane daemons
 *   overlay-udp64  the same with 64-byte UDP frames (packets/s received)
 *   replay         tcpreplay --topspeed vs vfplane pcap replay --topspeed, same capture, same veth (packets/s)
 *   idle           busy-spin vs anticipatory (and blocking) stage threads at a bursty load: p99, CPU per idle second
 * </pre>
 *
 * Both overlay benches come from one run of {@link OverlayComparison#SCRIPT} (root only). Prints a table; with
 * {@code --json FILE} also writes the comparisons as a JSON array of objects
 * {@code {"name","unit","ours","peer","peer_name","ratio", ...}} ({@code -} for stdout, the table then goes to stderr).
 * Exit code 0 when every comparison ran, 1 when one could not (its reason on stderr), 2 on invalid input.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 2,
    description = {"Measure vfplane and a peer on the same work in the same run, and their ratio (ours / peer).",
        "Benches: overlay-tcp, overlay-udp64 (kernel vxlan vs vfplane daemons, iperf3; needs root), "
            + "replay (tcpreplay --topspeed vs vfplane pcap replay --topspeed on one veth; needs root), "
            + "idle (busy-spin vs anticipatory and blocking stage threads at a bursty load)."})
public final class CompareCommand implements Callable<Integer>
{
    /** The benches this command runs. */
    static final List<String> BENCHES = List.of("overlay-tcp", "overlay-udp64", "replay", "idle");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "BENCH", description = "overlay-tcp, overlay-udp64, replay, idle")
    List<String> benches;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "5s",
        description = "overlay: iperf3 time per measurement (whole seconds); idle: time per strategy "
            + "(500ms, 5s) (default: ${DEFAULT-VALUE})")
    String duration;

    @Option(names = "--json", paramLabel = "FILE",
        description = "also write the comparisons as a JSON array (- for stdout)")
    String json;

    @Option(names = "--rate", paramLabel = "PPS", defaultValue = "100000",
        description = "idle: packets per second offered in bursts of 32 (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--daemon-placement", paramLabel = "PLACEMENT",
        description = "overlay: the daemons' pipelines.placement: inline, fused, split or 2+1 (default: the " +
            "script's, inline)")
    String daemonPlacement;

    @Option(names = "--daemon-idle", paramLabel = "STRATEGY",
        description = "overlay: how the daemons' pipeline threads wait, for the placements that have them (not " +
            "inline) (default: the script's, blocking)")
    String daemonIdle;

    @Option(names = "--capture", paramLabel = "FILE",
        description = "replay: the capture both send (default: a generated one of 64-byte UDP frames over 1024 flows)")
    Path capture;

    /** The machine as the overlay comparison sees it; tests replace it. */
    OverlayComparison.Host host = OverlayComparison.SYSTEM;

    @Override
    public Integer call()
    {
        final PrintWriter err = spec.commandLine().getErr();
        final Set<String> wanted = new LinkedHashSet<>();
        for (final String bench : benches)
        {
            final String b = bench.trim().toLowerCase(Locale.ROOT);
            if (!BENCHES.contains(b))
            {
                err.println("vfplane perf compare: unknown bench '" + bench + "': one of " +
                    String.join(", ", BENCHES));
                return 2;
            }
            wanted.add(b);
        }
        final double seconds;
        try
        {
            seconds = seconds(duration);
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("vfplane perf compare: " + ex.getMessage());
            return 2;
        }
        if (!(rate > 0))
        {
            err.println("vfplane perf compare: --rate must be > 0: " + rate);
            return 2;
        }

        final boolean jsonToStdout = "-".equals(json);
        final PrintWriter table = jsonToStdout ? err : spec.commandLine().getOut();
        final List<Comparison> results = new ArrayList<>();
        int failed = 0;
        if (wanted.contains("overlay-tcp") || wanted.contains("overlay-udp64"))
        {
            try
            {
                for (final Comparison c : OverlayComparison.run(host, Math.max(1, Math.round(seconds)),
                    daemonPlacement, daemonIdle, System.err))
                {
                    if (wanted.contains(c.name()))
                    {
                        results.add(c);
                    }
                }
            }
            catch (final CompareException ex)
            {
                err.println("vfplane perf compare: " + ex.getMessage());
                failed++;
            }
        }
        if (wanted.contains("replay"))
        {
            try
            {
                results.add(ReplayComparison.run(host, capture, seconds, System.err));
            }
            catch (final CompareException ex)
            {
                err.println("vfplane perf compare: " + ex.getMessage());
                failed++;
            }
        }
        if (wanted.contains("idle"))
        {
            err.printf(Locale.ROOT, "idle: busy-spin, anticipatory, blocking; %.0f pps in bursts of 32, %.1f s each%n",
                rate, seconds);
            err.flush();
            results.add(IdleComparison.run(rate, seconds));
        }

        table.print(table(results));
        table.flush();
        if (json != null)
        {
            final String text = toJson(results);
            if (jsonToStdout)
            {
                spec.commandLine().getOut().println(text);
                spec.commandLine().getOut().flush();
            }
            else
            {
                try
                {
                    Files.writeString(Path.of(json), text + System.lineSeparator(), StandardCharsets.UTF_8);
                }
                catch (final IOException ex)
                {
                    err.println("vfplane perf compare: cannot write " + json + ": " + ex.getMessage());
                    return 1;
                }
            }
        }
        return failed == 0 ? 0 : 1;
    }

    /** The comparisons as a JSON array, one object per line. */
    static String toJson(final List<Comparison> results)
    {
        final StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < results.size(); i++)
        {
            s.append(i == 0 ? "\n  " : ",\n  ").append(results.get(i).toJson());
        }
        return s.append(results.isEmpty() ? "]" : "\n]").toString();
    }

    /** The human table: one line per comparison. */
    static String table(final List<Comparison> results)
    {
        final StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%-14s %-10s %14s %14s  %-13s %8s%n",
            "bench", "unit", "vfplane", "peer", "peer name", "ratio"));
        for (final Comparison c : results)
        {
            s.append(String.format(Locale.ROOT, "%-14s %-10s %14s %14s  %-13s %8.3f",
                c.name(), c.unit(), figure(c.ours()), figure(c.peer()), c.peerName(), c.ratio()));
            final Object cpu = c.extra().get("cpu_ratio");
            if (cpu instanceof Number n)
            {
                s.append(String.format(Locale.ROOT, "  idle cpu ratio %.4f (anticipatory %.4f s/s, " +
                    "busy-spin %.4f s/s; blocking p99 %s us, %.4f s/s)", n.doubleValue(),
                    number(c, "anticipatory_idle_cpu"), number(c, "busy_spin_idle_cpu"),
                    figure(number(c, "blocking_p99_us")), number(c, "blocking_idle_cpu")));
            }
            s.append(System.lineSeparator());
        }
        return s.toString();
    }

    private static double number(final Comparison c, final String key)
    {
        return c.extra().get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static String figure(final double value)
    {
        final double abs = Math.abs(value);
        if (abs >= 1e9)
        {
            return String.format(Locale.ROOT, "%.2fG", value / 1e9);
        }
        if (abs >= 1e6)
        {
            return String.format(Locale.ROOT, "%.2fM", value / 1e6);
        }
        if (abs >= 1e4)
        {
            return String.format(Locale.ROOT, "%.1fk", value / 1e3);
        }
        return String.format(Locale.ROOT, "%.1f", value);
    }

    /** Reads {@code 500ms}, {@code 5s}, {@code 2m} or a plain number of seconds, as {@code perf run} does. */
    static double seconds(final String text)
    {
        try
        {
            return Durations.parseNanos(text) / 1e9;
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("bad --duration: " + ex.getMessage(), ex);
        }
    }
}
