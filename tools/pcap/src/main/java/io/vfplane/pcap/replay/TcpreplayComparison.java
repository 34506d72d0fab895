package io.vfplane.pcap.replay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code tcpreplay --topspeed} against {@link Replayer} with {@code --topspeed}, on the same capture and the same veth
 * pair in a namespace of its own, in the same run: the yardstick for {@code vfplane perf compare replay}.
 *
 * <pre>
 *   namespace (VethNamespace)
 *   round r: tcpreplay --topspeed -K --loop L -i rpa FILE   -> rpa ==veth== rpb (kernel drops, nobody reads)
 *            Replayer  topspeed preload loops L  on rpa      -> rpa ==veth== rpb
 * </pre>
 *
 * Both preload the capture (tcpreplay {@code -K}, ours {@code preload}), so neither reads the file while sending;
 * rounds alternate the two so drifting machine load hits both alike; the best round of each is kept (the least
 * disturbed one). tcpreplay's figure is parsed from its own "Rated: ... pps" line; ours is packets over the time from
 * the first send to the end of the last, which is what tcpreplay measures too.
 */
public final class TcpreplayComparison
{
    private static final Pattern RATED = Pattern.compile("Rated: [0-9.]+ Bps, [0-9.]+ Mbps, ([0-9.]+) pps");
    private static final Pattern ACTUAL = Pattern.compile("Actual: ([0-9]+) packets");
    private static final long TIMEOUT_SECONDS = 300;
    /** veth MTU: above any corpus frame, so the same frames are sent by both. */
    private static final int MTU = 9000;

    private TcpreplayComparison()
    {
    }

    /**
     * One comparison.
     *
     * @param tcpreplayPps best tcpreplay round, packets per second.
     * @param vfplanePps   best vfplane round, packets per second.
     * @param packets      packets per round (as tcpreplay reported them).
     * @param tcpreplayRounds every tcpreplay round.
     * @param vfplaneRounds   every vfplane round.
     */
    public record Result(double tcpreplayPps, double vfplanePps, long packets, List<Double> tcpreplayRounds,
        List<Double> vfplaneRounds)
    {
        /** @return vfplane over tcpreplay (best rounds, packets per second); above 1 means vfplane was faster. */
        public double ratio()
        {
            return vfplanePps / tcpreplayPps;
        }

        /** @return vfplane over tcpreplay, median rounds: less flattering, less sensitive to one lucky round. */
        public double medianRatio()
        {
            return median(vfplaneRounds) / median(tcpreplayRounds);
        }

        @Override
        public String toString()
        {
            return String.format(Locale.ROOT, "best rounds: tcpreplay %.0f pps, vfplane %.0f pps, ratio %.2f; " +
                "median ratio %.2f (%d packets per round; rounds tcpreplay %s, vfplane %s)", tcpreplayPps,
                vfplanePps, ratio(), medianRatio(), packets, format(tcpreplayRounds), format(vfplaneRounds));
        }

        private static String format(final List<Double> rounds)
        {
            final StringBuilder out = new StringBuilder("[");
            for (final double pps : rounds)
            {
                out.append(out.length() > 1 ? ", " : "").append(String.format(Locale.ROOT, "%.0f", pps));
            }
            return out.append(']').toString();
        }
    }

    /**
     * Set up a namespace with a veth pair, run both senders {@code rounds} times each, alternating, and remove the
     * namespace.
     *
     * @param capture   the capture (Ethernet frames).
     * @param loops     times each round sends the capture: pick it so a round lasts a few seconds.
     * @param rounds    rounds per sender.
     * @param batchSize vfplane frames per {@code sendmmsg}.
     * @return both rates.
     * @throws ReplayException if the capture cannot be opened or tcpreplay fails.
     */
    public static Result compare(final Path capture, final int loops, final int rounds, final int batchSize)
        throws ReplayException
    {
        final List<Double> theirs = new ArrayList<>();
        final List<Double> ours = new ArrayList<>();
        long packets = 0;
        try (VethNamespace ns = VethNamespace.create(MTU))
        {
            final ReplayOptions options = ReplayOptions.builder(capture)
                .iface(ns.sendSide())
                .netns(ns.name())
                .topspeed()
                .preload(true)
                .loops(loops)
                .batchSize(batchSize)
                .build();
            // warm up the JIT on a short run, so round 1 measures compiled code as tcpreplay's is
            Replayer.run(ReplayOptions.builder(capture).iface(ns.sendSide()).netns(ns.name()).topspeed()
                .preload(true).loops(Math.max(1, loops / 10)).batchSize(batchSize).build());
            for (int r = 0; r < rounds; r++)
            {
                final String output = tcpreplay(ns.name(), ns.sendSide(), capture, loops);
                theirs.add(parse(RATED, output, "Rated"));
                packets = (long)parse(ACTUAL, output, "Actual");
                ours.add(Replayer.run(options).pps());
            }
        }
        return new Result(max(theirs), max(ours), packets, theirs, ours);
    }

    private static double median(final List<Double> values)
    {
        final double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        final int n = sorted.length;
        return n == 0 ? 0 : (n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2);
    }

    private static double max(final List<Double> values)
    {
        double max = 0;
        for (final double v : values)
        {
            max = Math.max(max, v);
        }
        return max;
    }

    private static double parse(final Pattern pattern, final String output, final String what)
        throws ReplayException
    {
        final Matcher matcher = pattern.matcher(output);
        if (!matcher.find())
        {
            throw new ReplayException("tcpreplay: no '" + what + "' line in its output: " + output.strip());
        }
        return Double.parseDouble(matcher.group(1));
    }

    private static String tcpreplay(final String ns, final String device, final Path capture, final int loops)
        throws ReplayException
    {
        final List<String> command = List.of("ip", "netns", "exec", ns, "tcpreplay", "--topspeed", "-K",
            "--loop", Integer.toString(loops), "-i", device, capture.toString());
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            // tcpreplay prints a warning per packet it cannot classify into flows: read as we go, keep the summary
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new ReplayException("tcpreplay timed out: " + String.join(" ", command));
            }
            if (process.exitValue() != 0)
            {
                throw new ReplayException("tcpreplay failed (" + process.exitValue() + "): " + output.strip());
            }
            return output;
        }
        catch (final IOException ex)
        {
            throw new ReplayException("tcpreplay: cannot run it (is it installed?): " + ex.getMessage(), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new ReplayException("tcpreplay: interrupted", ex);
        }
    }

    /**
     * {@code TcpreplayComparison FILE LOOPS [ROUNDS [BATCH]]}: print one comparison.
     *
     * @param args capture, loops, rounds (default 3), batch (default {@link ReplayOptions#DEFAULT_BATCH}).
     * @throws ReplayException as {@link #compare}.
     */
    public static void main(final String[] args) throws ReplayException
    {
        final Result result = compare(Path.of(args[0]), Integer.parseInt(args[1]),
            args.length > 2 ? Integer.parseInt(args[2]) : 3,
            args.length > 3 ? Integer.parseInt(args[3]) : ReplayOptions.DEFAULT_BATCH);
        System.out.println(result);
    }
}
