package io.vfplane.pcap.replay;

import org.HdrHistogram.Histogram;

/**
 * How late packets were sent against their deadlines, in nanoseconds: for each paced packet, the time its send
 * system call started minus the time it was due (a packet is never sent early, so every value is at least 0).
 * Deadlines are absolute, counted from the first packet's send time, so an error never accumulates into drift.
 *
 * @param count packets measured.
 * @param p50   median.
 * @param p90   90th percentile.
 * @param p99   99th percentile.
 * @param p999  99.9th percentile.
 * @param max   largest.
 * @param mean  mean.
 */
public record TimingError(long count, long p50, long p90, long p99, long p999, long max, double mean)
{
    static TimingError of(final Histogram histogram)
    {
        if (histogram.getTotalCount() == 0)
        {
            return new TimingError(0, 0, 0, 0, 0, 0, 0);
        }
        return new TimingError(histogram.getTotalCount(), histogram.getValueAtPercentile(50),
            histogram.getValueAtPercentile(90), histogram.getValueAtPercentile(99),
            histogram.getValueAtPercentile(99.9), histogram.getMaxValue(), histogram.getMean());
    }
}
