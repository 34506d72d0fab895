package io.vfplane.perf.harness;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;

/**
 * Latency histograms written by one thread (the sink, on the pipeline's tx thread) and read in intervals by another
 * (the harness), with no atomic operation per value: two plain HdrHistograms, the writer records into the active
 * one, and at the end of each batch ({@link #endOfBatch()}, one volatile read) swaps them when the reader asked.
 * The reader then owns the other one until it asks again.
 *
 * <pre>
 *  reader: request++ ........ wait until done == request ... read + reset the inactive histogram
 *  writer: record record | endOfBatch: request != done -> active ^= 1, done = request | record ...
 * </pre>
 *
 * HdrHistogram's own {@code Recorder} enters a phaser per value (an atomic increment and a store); at tens of
 * millions of values per second that would be a visible part of the cost being measured. Here an interval closes at a
 * batch boundary, never in the middle of one.
 */
final class LatencyRecorder
{
    /** Largest latency recorded; longer ones are clamped here (and show as the max). */
    static final long HIGHEST = TimeUnit.SECONDS.toNanos(60);
    static final int DIGITS = 3;

    private final Histogram[] histograms = {new Histogram(HIGHEST, DIGITS), new Histogram(HIGHEST, DIGITS)};
    /** Written by the writer only. */
    private int active;
    /** Which histogram the reader believes the writer records into. */
    private int readerActive;
    /** Reader only: a request is outstanding. */
    private boolean pending;
    private volatile long requested;
    private volatile long done;

    /** Writer: records one latency in nanoseconds (clamped to 0..{@link #HIGHEST}). */
    void record(final long nanos)
    {
        histograms[active].recordValue(nanos < 0 ? 0 : Math.min(nanos, HIGHEST));
    }

    /** Writer: at the end of a batch, swaps the histograms when the reader asked. */
    void endOfBatch()
    {
        final long r = requested;
        if (r != done)
        {
            active ^= 1;
            done = r;
        }
    }

    /**
     * Reader: closes the current interval at the writer's next batch boundary.
     *
     * @param timeoutNanos how long to wait for the writer.
     * @return the interval's histogram (the reader's until the next call; it is reset then), or null when the writer
     * has not reached a batch boundary in time (the request stays pending; the next call waits for it again).
     */
    Histogram interval(final long timeoutNanos)
    {
        if (!pending)
        {
            histograms[readerActive ^ 1].reset();
            requested = requested + 1;
            pending = true;
        }
        final long deadline = System.nanoTime() + timeoutNanos;
        while (done != requested)
        {
            if (System.nanoTime() - deadline > 0)
            {
                return null;
            }
            LockSupport.parkNanos(50_000);
        }
        pending = false;
        final int closed = readerActive;
        readerActive ^= 1;
        return histograms[closed];
    }

    /**
     * Reader, once the writer has stopped for good (its thread joined): adds everything recorded since the last
     * interval the reader took.
     */
    void drainStopped(final Histogram into)
    {
        into.add(histograms[readerActive]);
        if (pending)
        {
            // the writer may have served the request after the reader gave up waiting: then the newest values are in
            // the other histogram (which was reset when the request was made, so it holds nothing else)
            into.add(histograms[readerActive ^ 1]);
        }
    }
}
