package io.vfplane.pcap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs tshark as a subprocess with a timeout; the real decoder the tests compare against.
 */
public final class Tshark
{
    private static final long TIMEOUT_SECONDS = 60;

    private Tshark()
    {
    }

    /**
     * Run tshark with the given arguments.
     *
     * @param args arguments after "tshark".
     * @return stdout lines.
     */
    public static List<String> run(final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add("tshark");
        command.addAll(Arrays.asList(args));
        try
        {
            final Path out = Files.createTempFile("tshark", ".out");
            final Path err = Files.createTempFile("tshark", ".err");
            try
            {
                final Process process = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
                if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS))
                {
                    process.destroyForcibly();
                    throw new IllegalStateException("tshark timed out: " + command);
                }
                if (process.exitValue() != 0 && process.exitValue() != 2)
                {
                    throw new IllegalStateException("tshark failed (" + process.exitValue() + "): " + command +
                        ": " + Files.readString(err, StandardCharsets.UTF_8));
                }
                final String text = Files.readString(out, StandardCharsets.UTF_8);
                return text.lines().toList();
            }
            finally
            {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Parse tshark's frame.time_epoch ("seconds.fraction") into nanoseconds.
     *
     * @param epoch the field text.
     * @return nanoseconds since the epoch.
     */
    public static long epochNanos(final String epoch)
    {
        final int dot = epoch.indexOf('.');
        if (dot < 0)
        {
            return Long.parseLong(epoch) * 1_000_000_000L;
        }
        final String fraction = (epoch.substring(dot + 1) + "000000000").substring(0, 9);
        return Long.parseLong(epoch.substring(0, dot)) * 1_000_000_000L + Long.parseLong(fraction);
    }
}
