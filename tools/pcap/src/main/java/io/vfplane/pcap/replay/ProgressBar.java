package io.vfplane.pcap.replay;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar for a terminal, redrawn in place with a carriage return:
 * {@code [#########           ]  45%  1234567 pkts  812.3 kpps  9.8 Mbps  2.1s}. It appears only once a replay has
 * run for {@link #SHOW_AFTER_NANOS}, so short runs print nothing but their summary. Without a known total (a streamed
 * capture in its first loop) it shows the counts without the bar.
 */
public final class ProgressBar implements ProgressListener
{
    /** Runs shorter than this show no bar. */
    public static final long SHOW_AFTER_NANOS = 2_000_000_000L;
    private static final int WIDTH = 30;

    private final PrintWriter out;
    private final StringBuilder line = new StringBuilder(128);
    private boolean shown;

    /**
     * @param out where to draw (standard error).
     */
    public ProgressBar(final PrintWriter out)
    {
        this.out = out;
    }

    @Override
    public void progress(final long packetsSent, final long bytesSent, final long expectedPackets,
        final long elapsedNanos)
    {
        if (elapsedNanos < SHOW_AFTER_NANOS)
        {
            return;
        }
        shown = true;
        line.setLength(0);
        line.append('\r');
        if (expectedPackets > 0)
        {
            final double fraction = Math.min(1.0, (double)packetsSent / expectedPackets);
            final int filled = (int)(fraction * WIDTH);
            line.append('[');
            for (int i = 0; i < WIDTH; i++)
            {
                line.append(i < filled ? '#' : ' ');
            }
            line.append(String.format(Locale.ROOT, "] %3d%%", (int)(fraction * 100)));
        }
        final double seconds = elapsedNanos / 1e9;
        line.append(String.format(Locale.ROOT, "  %d pkts  %.1f kpps  %.1f Mbps  %.1fs ", packetsSent,
            packetsSent / seconds / 1e3, bytesSent * 8 / seconds / 1e6, seconds));
        out.print(line);
        out.flush();
    }

    /** End the bar's line, if one was drawn, so the summary starts on a fresh line. */
    public void finish()
    {
        if (shown)
        {
            out.println();
            out.flush();
        }
    }
}
