package io.vfplane.pcap.cli;

import java.io.PrintWriter;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.vfplane.pcap.replay.ProgressBar;
import io.vfplane.pcap.replay.ProgressListener;
import io.vfplane.pcap.replay.ReplayException;
import io.vfplane.pcap.replay.ReplayOptions;
import io.vfplane.pcap.replay.ReplayStats;
import io.vfplane.pcap.replay.Replayer;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vfplane pcap replay}: sends the frames of a capture through an AF_PACKET socket on an interface or into a
 * TAP, at the capture's own pace, a multiple of it, a fixed packet or bit rate, or as fast as possible, and prints a
 * summary shaped like tcpreplay's (plus the timing error percentiles when paced).
 *
 * Exit codes: 0 every frame sent; 1 some frames were refused by the kernel (see "Failed packets"); 2 usage errors,
 * and input that cannot be used (missing or bad capture, missing interface or namespace): a one-line message naming
 * it, never a stack trace. A capture that ends early (truncated, malformed) is sent up to there, then exits 2.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
        "Send a capture's frames on an interface (AF_PACKET) or into a TAP, like tcpreplay.",
        "Pacing: the capture's own (default), --speed xN, --pps N, --mbps N, or --topspeed."
    },
    exitCodeOnInvalidInput = 2,
    exitCodeOnExecutionException = 1)
public final class ReplayCommand implements Callable<Integer>
{
    static final int EXIT_OK = 0;
    static final int EXIT_FAILED_FRAMES = 1;
    static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "pcap or pcapng file.")
    String file;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Pace pace;

    @Option(names = "--netns", paramLabel = "NAME",
        description = "The interface or TAP is in this network namespace (as `ip netns` names it).")
    String netns;

    @Option(names = "--loop", paramLabel = "N", defaultValue = "1",
        description = "Send the capture N times (default: ${DEFAULT-VALUE}).")
    int loops;

    @Option(names = "--preload", description = "Copy the capture into memory before sending (like tcpreplay -K).")
    boolean preload;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "" + ReplayOptions.DEFAULT_BATCH,
        description = "Most frames per system call (sendmmsg), 1..1024 (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--qdisc-bypass",
        description = "AF_PACKET PACKET_QDISC_BYPASS: straight to the driver; tcpdump on DEV then sees nothing.")
    boolean qdiscBypass;

    @Option(names = "--progress", negatable = true,
        description = "Progress bar on stderr for runs over 2 s (default: when there is a terminal).")
    Boolean progress;

    /** Where the frames go. */
    static final class Target
    {
        @Option(names = "--iface", paramLabel = "DEV", required = true,
            description = "Send on this interface through an AF_PACKET socket.")
        String iface;

        @Option(names = "--tap", paramLabel = "NAME", required = true,
            description = "Write into this TAP (created if missing, removed again then).")
        String tap;
    }

    /** How fast. */
    static final class Pace
    {
        @Option(names = "--speed", paramLabel = "original|xN",
            description = "The capture's own timing, or N times faster (x2, x0.5).")
        String speed;

        @Option(names = "--pps", paramLabel = "N", description = "Fixed packets per second.")
        Double pps;

        @Option(names = "--mbps", paramLabel = "N", description = "Fixed megabits per second.")
        Double mbps;

        @Option(names = "--topspeed", description = "As fast as the kernel takes them.")
        boolean topspeed;
    }

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        try
        {
            return replay(out, err);
        }
        finally
        {
            out.flush();
            err.flush();
        }
    }

    private int replay(final PrintWriter out, final PrintWriter err)
    {
        final Path path;
        try
        {
            path = Path.of(file);
        }
        catch (final InvalidPathException ex)
        {
            err.println("file " + file + ": invalid path");
            return EXIT_USAGE;
        }
        final ReplayOptions options;
        try
        {
            final ReplayOptions.Builder builder = ReplayOptions.builder(path)
                .netns(netns)
                .loops(loops)
                .preload(preload)
                .batchSize(batch)
                .qdiscBypass(qdiscBypass);
            if (target.iface != null)
            {
                builder.iface(target.iface);
            }
            else
            {
                builder.tap(target.tap);
            }
            pacing(builder);
            options = builder.build();
        }
        catch (final IllegalArgumentException ex)
        {
            err.println(ex.getMessage());
            return EXIT_USAGE;
        }

        final Replayer replayer = new Replayer();
        final boolean showProgress = progress != null ? progress : isTerminal();
        final ProgressBar bar = showProgress ? new ProgressBar(err) : null;
        final ProgressListener listener = bar != null ? bar : ProgressListener.NONE;
        // Ctrl-C: stop sending and still print the summary, as tcpreplay does
        final CountDownLatch reported = new CountDownLatch(1);
        final Thread hook = new Thread(() ->
        {
            replayer.stop();
            try
            {
                reported.await(5, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ignored)
            {
                Thread.currentThread().interrupt();
            }
        }, "replay-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try
        {
            final ReplayStats stats;
            try
            {
                stats = replayer.replay(options, listener);
            }
            catch (final ReplayException ex)
            {
                err.println(ex.getMessage());
                return EXIT_USAGE;
            }
            if (bar != null)
            {
                bar.finish();
            }
            out.print(stats.format(options.iface() != null ? options.iface() : options.tap()));
            out.flush();
            if (stats.captureError() != null)
            {
                err.println("file " + file + ": " + stats.captureError().message());
                return EXIT_USAGE;
            }
            return stats.failed() > 0 ? EXIT_FAILED_FRAMES : EXIT_OK;
        }
        finally
        {
            reported.countDown();
            try
            {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (final IllegalStateException ignored)
            {
                // shutting down already: the hook is running and has been released by the latch
            }
        }
    }

    private void pacing(final ReplayOptions.Builder builder)
    {
        if (pace == null || (pace.speed != null && pace.speed.equalsIgnoreCase("original")))
        {
            builder.original();
        }
        else if (pace.speed != null)
        {
            builder.multiplier(parseFactor(pace.speed));
        }
        else if (pace.pps != null)
        {
            builder.pps(pace.pps);
        }
        else if (pace.mbps != null)
        {
            builder.mbps(pace.mbps);
        }
        else
        {
            builder.topspeed();
        }
    }

    static double parseFactor(final String speed)
    {
        final String number = speed.toLowerCase(Locale.ROOT).startsWith("x") ? speed.substring(1) : speed;
        try
        {
            final double factor = Double.parseDouble(number);
            if (factor > 0 && Double.isFinite(factor))
            {
                return factor;
            }
        }
        catch (final NumberFormatException ignored)
        {
            // reported below with the option's name
        }
        throw new IllegalArgumentException("--speed: 'original' or xN with N a positive number: " + speed);
    }

    private static boolean isTerminal()
    {
        final java.io.Console console = System.console();
        return console != null && console.isTerminal();
    }
}
