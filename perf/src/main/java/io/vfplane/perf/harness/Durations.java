package io.vfplane.perf.harness;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Parses the durations the harness takes on its command line: {@code 500ms}, {@code 10s}, {@code 1.5s}, {@code 2m},
 * {@code 250us}; a bare number is seconds.
 */
public final class Durations
{
    private Durations()
    {
    }

    /**
     * @return the duration in nanoseconds.
     * @throws IllegalArgumentException with a message naming the text when it is not a positive duration.
     */
    public static long parseNanos(final String text)
    {
        final String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        try
        {
            final double nanos;
            if (t.endsWith("ms"))
            {
                nanos = number(t, 2) * 1e6;
            }
            else if (t.endsWith("us"))
            {
                nanos = number(t, 2) * 1e3;
            }
            else if (t.endsWith("ns"))
            {
                nanos = number(t, 2);
            }
            else if (t.endsWith("s"))
            {
                nanos = number(t, 1) * 1e9;
            }
            else if (t.endsWith("m"))
            {
                nanos = number(t, 1) * TimeUnit.MINUTES.toNanos(1);
            }
            else if (t.endsWith("h"))
            {
                nanos = number(t, 1) * TimeUnit.HOURS.toNanos(1);
            }
            else
            {
                nanos = Double.parseDouble(t) * 1e9;
            }
            if (!(nanos >= 1) || nanos > Long.MAX_VALUE / 2.0)
            {
                throw new NumberFormatException();
            }
            return (long)nanos;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("duration '" + text + "': expected e.g. 500ms, 10s, 2m", ex);
        }
    }

    private static double number(final String t, final int suffix)
    {
        return Double.parseDouble(t.substring(0, t.length() - suffix));
    }

    /** Formats nanoseconds the way they are parsed: 10s, 500ms, 1.5s. */
    public static String format(final long nanos)
    {
        if (nanos % 1_000_000_000L == 0)
        {
            return nanos / 1_000_000_000L + "s";
        }
        if (nanos % 1_000_000L == 0)
        {
            return nanos / 1_000_000L + "ms";
        }
        return String.format(Locale.ROOT, "%.3fs", nanos / 1e9);
    }
}
