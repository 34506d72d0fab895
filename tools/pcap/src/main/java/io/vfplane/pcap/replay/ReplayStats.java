package io.vfplane.pcap.replay;

import java.util.Locale;

import io.vfplane.pcap.CaptureError;

/**
 * What a replay did.
 *
 * @param packets          frames the kernel took whole or in part (tcpreplay's "successful").
 * @param bytes            bytes the kernel took.
 * @param failed           frames the kernel refused (e.g. larger than the MTU), after retries.
 * @param truncated        frames the kernel took fewer bytes of than were given.
 * @param retriedNoBuffers sends retried after ENOBUFS.
 * @param retriedAgain     sends retried after EAGAIN or EINTR.
 * @param skipped          records not sent: not Ethernet, empty, or larger than a frame can be.
 * @param elapsedNanos     from the start of the first send (paced: from when the first packet was due) to the
 *                         end of the last.
 * @param loops            loops completed.
 * @param timing           lateness against deadlines; null with no pacing ({@code --topspeed}).
 * @param firstFailure     the kernel's text for the first refused frame, or null.
 * @param captureError     why reading the capture stopped early, or null.
 * @param stopped          whether the replay was stopped before its end ({@link Replayer#stop()}).
 */
public record ReplayStats(
    long packets,
    long bytes,
    long failed,
    long truncated,
    long retriedNoBuffers,
    long retriedAgain,
    long skipped,
    long elapsedNanos,
    long loops,
    TimingError timing,
    String firstFailure,
    CaptureError captureError,
    boolean stopped)
{
    /** @return elapsed seconds. */
    public double seconds()
    {
        return elapsedNanos / 1e9;
    }

    /** @return packets per second, 0 for an empty run. */
    public double pps()
    {
        return elapsedNanos <= 0 ? 0 : packets * 1e9 / elapsedNanos;
    }

    /** @return bytes per second. */
    public double bytesPerSecond()
    {
        return elapsedNanos <= 0 ? 0 : bytes * 1e9 / elapsedNanos;
    }

    /** @return megabits (10^6) per second. */
    public double mbps()
    {
        return bytesPerSecond() * 8 / 1e6;
    }

    /**
     * @param target where the frames went, e.g. {@code veth0}.
     * @return a summary in tcpreplay's shape (Actual, Rated, Statistics), plus timing error percentiles when paced.
     */
    public String format(final String target)
    {
        final StringBuilder out = new StringBuilder(512);
        out.append(String.format(Locale.ROOT, "Actual: %d packets (%d bytes) sent in %.6f seconds%n", packets,
            bytes, seconds()));
        out.append(String.format(Locale.ROOT, "Rated: %.1f Bps, %.2f Mbps, %.2f pps%n", bytesPerSecond(), mbps(),
            pps()));
        if (timing != null)
        {
            out.append(String.format(Locale.ROOT,
                "Timing error (send start - deadline): p50 %s, p90 %s, p99 %s, p99.9 %s, max %s over %d packets%n",
                micros(timing.p50()), micros(timing.p90()), micros(timing.p99()), micros(timing.p999()),
                micros(timing.max()), timing.count()));
        }
        out.append("Statistics for network device: ").append(target).append(System.lineSeparator());
        out.append(String.format(Locale.ROOT, "\tSuccessful packets:        %d%n", packets));
        out.append(String.format(Locale.ROOT, "\tFailed packets:            %d%s%n", failed,
            firstFailure == null ? "" : " (first: " + firstFailure + ")"));
        out.append(String.format(Locale.ROOT, "\tTruncated packets:         %d%n", truncated));
        out.append(String.format(Locale.ROOT, "\tRetried packets (ENOBUFS): %d%n", retriedNoBuffers));
        out.append(String.format(Locale.ROOT, "\tRetried packets (EAGAIN):  %d%n", retriedAgain));
        if (skipped != 0)
        {
            out.append(String.format(Locale.ROOT, "\tSkipped records:           %d (not Ethernet, empty or oversize)%n",
                skipped));
        }
        if (stopped)
        {
            out.append("\tStopped before the end (interrupted)").append(System.lineSeparator());
        }
        return out.toString();
    }

    private static String micros(final long nanos)
    {
        return String.format(Locale.ROOT, "%.1fus", nanos / 1e3);
    }
}
