package io.vfplane.pcap.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

class ProgressBarTest
{
    private final StringWriter text = new StringWriter();
    private final ProgressBar bar = new ProgressBar(new PrintWriter(text));

    @Test
    void shouldDrawNothingForShortRuns()
    {
        bar.progress(1000, 64_000, 2000, ProgressBar.SHOW_AFTER_NANOS - 1);
        bar.finish();
        assertEquals("", text.toString());
    }

    @Test
    void shouldRedrawInPlaceWithPercentageWhenTheTotalIsKnown()
    {
        bar.progress(500, 32_000, 1000, 4_000_000_000L);
        bar.progress(1000, 64_000, 1000, 5_000_000_000L);
        bar.finish();
        final String out = text.toString();
        assertTrue(out.startsWith("\r[###############               ]  50%  500 pkts  0.1 kpps"), out);
        assertTrue(out.contains("\r[##############################] 100%  1000 pkts"), out);
        assertTrue(out.endsWith(System.lineSeparator()), "finish ends the line");
    }

    @Test
    void shouldShowCountsWithoutABarWhileTheTotalIsUnknown()
    {
        bar.progress(300, 30_000, -1, 3_000_000_000L);
        assertTrue(text.toString().startsWith("\r  300 pkts  0.1 kpps  0.1 Mbps  3.0s"), text.toString());
    }
}
