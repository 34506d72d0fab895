package io.vfplane.perf.harness;

import java.util.Locale;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The latency percentile distribution as an SVG a person can open in a browser: percentile on a logarithmic x axis
 * from 0 to 99.999 (the axis is {@code log10(1 / (1 - p))}: 90, 99, 99.9 ... are equally spaced, as in HdrHistogram's
 * plotter), latency on a linear y axis.
 *
 * <pre>
 *  latency
 *    |                                              ___/
 *    |                                   __________/
 *    |___________________________________/
 *    +---------+---------+---------+---------+---------+-->
 *    0%       90%       99%      99.9%    99.99%   99.999%
 * </pre>
 */
final class PercentilePlot
{
    private static final int WIDTH = 880;
    private static final int HEIGHT = 520;
    private static final int LEFT = 90;
    private static final int RIGHT = 30;
    private static final int TOP = 60;
    private static final int BOTTOM = 60;
    /** Decades of the x axis: 99.999 % is 5 nines. */
    private static final int NINES = 5;
    private static final double LAST = 99.999;

    private PercentilePlot()
    {
    }

    /**
     * @param title  first line over the plot.
     * @param note   second line (settings), may be empty.
     */
    static String svg(final Histogram h, final String title, final String note)
    {
        final int plotW = WIDTH - LEFT - RIGHT;
        final int plotH = HEIGHT - TOP - BOTTOM;
        final long max = h.getTotalCount() == 0 ? 1 : Math.max(1, h.getValueAtPercentile(LAST));
        // the y unit follows the size of the figures, so the labels stay short
        final double unit = max < 10_000 ? 1 : max < 10_000_000 ? 1e3 : max < 10_000_000_000L ? 1e6 : 1e9;
        final String unitName = unit == 1 ? "ns" : unit == 1e3 ? "us" : unit == 1e6 ? "ms" : "s";
        final double yMax = niceCeiling(max / unit);
        final StringBuilder sb = new StringBuilder(16_384);
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" " +
            "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        sb.append(String.format(Locale.ROOT, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"white\"/>%n",
            WIDTH, HEIGHT));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"16\">%s</text>%n", LEFT,
            escape(title)));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"44\" fill=\"#555\" font-size=\"10\">%s</text>%n", LEFT,
            escape(note)));
        // x grid: 0, 90, 99, ... 99.999
        final String[] xLabels = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"};
        for (int k = 0; k <= NINES; k++)
        {
            final double x = LEFT + (double)k / NINES * plotW;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n",
                x, TOP, x, TOP + plotH));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                x, TOP + plotH + 18, xLabels[k]));
        }
        // y grid: 5 steps
        for (int k = 0; k <= 5; k++)
        {
            final double v = yMax * k / 5;
            final double y = TOP + plotH - (double)k / 5 * plotH;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                LEFT, y, LEFT + plotW, y));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                LEFT - 8, y + 4, trim(v)));
        }
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" " +
            "stroke=\"#333\"/>%n", LEFT, TOP, plotW, plotH));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>%n",
            LEFT + plotW / 2, HEIGHT - 16));
        sb.append(String.format(Locale.ROOT, "<text x=\"18\" y=\"%d\" text-anchor=\"middle\" " +
            "transform=\"rotate(-90 18 %d)\">latency (%s)</text>%n", TOP + plotH / 2, TOP + plotH / 2, unitName));
        if (h.getTotalCount() > 0)
        {
            final StringBuilder points = new StringBuilder(8192);
            double lastX = LEFT;
            for (final HistogramIterationValue v : h.percentiles(5))
            {
                final double p = Math.min(LAST, v.getPercentileLevelIteratedTo());
                lastX = point(points, p, v.getValueIteratedTo() / unit, yMax, plotW, plotH);
                if (p >= LAST)
                {
                    break;
                }
            }
            if (lastX < LEFT + plotW)
            {
                point(points, LAST, h.getValueAtPercentile(LAST) / unit, yMax, plotW, plotH);
            }
            sb.append("<polyline fill=\"none\" stroke=\"#1f5fbf\" stroke-width=\"2\" points=\"")
                .append(points.toString().trim()).append("\"/>\n");
        }
        else
        {
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">no samples</text>%n",
                LEFT + plotW / 2, TOP + plotH / 2));
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static double point(
        final StringBuilder points,
        final double percentile,
        final double value,
        final double yMax,
        final int plotW,
        final int plotH)
    {
        final double tail = Math.max(1 - percentile / 100, Math.pow(10, -NINES));
        final double x = LEFT + Math.min(1.0, Math.log10(1 / tail) / NINES) * plotW;
        final double y = TOP + plotH - Math.min(1.0, value / yMax) * plotH;
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        return x;
    }

    /** 1, 2, 5 times a power of ten, at or above {@code v}. */
    static double niceCeiling(final double v)
    {
        if (v <= 0)
        {
            return 1;
        }
        final double decade = Math.pow(10, Math.floor(Math.log10(v)));
        for (final double m : new double[]{1, 2, 5, 10})
        {
            if (m * decade >= v)
            {
                return m * decade;
            }
        }
        return 10 * decade;
    }

    private static String trim(final double v)
    {
        return v == Math.rint(v) ? String.valueOf((long)v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String escape(final String s)
    {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
