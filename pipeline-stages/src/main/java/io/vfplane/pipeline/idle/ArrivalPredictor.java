package io.vfplane.pipeline.idle;

/**
 * Learns when the next burst will reach a stage thread, from when earlier bursts did, and how late a timed park
 * returns on this machine. One instance per stage thread, single-threaded, no allocation.
 *
 * <ul>
 *   <li>gap: an EWMA (weight 1/8) of the time between the first packets of consecutive bursts. A sample far off the
 *       estimate (above twice it) is a pause in the traffic and is not learned; below half of it, the same burst seen
 *       twice (the thread caught up with the producer in the middle of a burst) and is ignored altogether. Four
 *       outliers in a row mean the rate changed: the estimate starts over.</li>
 *   <li>jitter: a decaying maximum (1/16 per sample) of how far a gap sample was from the estimate, capped at a
 *       quarter of the gap so one odd sample cannot keep the thread awake for most of every gap.</li>
 *   <li>late: an asymmetric average (up 1/4, down 1/16, bounded) of how long after the requested time a timed park returned. Linux adds the thread's
 *       timer slack (50 us by default) to every timed sleep; the first guess is that.</li>
 * </ul>
 */
final class ArrivalPredictor
{
    /** How late a timed park is assumed to return before any was measured: Linux's default timer slack. */
    static final long INITIAL_LATE_NANOS = 50_000;
    /** Bound on the lateness estimate: a park later than this is the machine being busy, not timer slack. */
    static final long MAX_LATE_NANOS = 150_000;
    /** Arrivals closer than this are the same burst seen twice (the thread caught up with the producer). */
    static final long MIN_GAP_NANOS = 20_000;
    private static final long NONE = Long.MIN_VALUE;
    private static final int MIN_SAMPLES = 2;
    private static final int OUTLIERS_TO_RESTART = 4;

    private final long maxGapNanos;
    private long lastArrivalNs = NONE;
    private long gapNs;
    private long jitterNs;
    private long lateNs = INITIAL_LATE_NANOS;
    private int samples;
    private int outliers;

    /**
     * @param maxGapNanos gaps longer than this are never predicted (a timed park that long saves nothing).
     */
    ArrivalPredictor(final long maxGapNanos)
    {
        this.maxGapNanos = maxGapNanos;
    }

    /** The first packet of a burst was found at {@code nowNs}. */
    void onArrival(final long nowNs)
    {
        if (lastArrivalNs != NONE)
        {
            final long sample = nowNs - lastArrivalNs;
            if (sample < MIN_GAP_NANOS || (samples > 0 && sample < gapNs / 2))
            {
                return;
            }
            if (sample <= 0 || sample > maxGapNanos)
            {
                samples = 0;
                outliers = 0;
            }
            else if (samples == 0)
            {
                gapNs = sample;
                jitterNs = 0;
                samples = 1;
            }
            else if (sample > 2 * gapNs)
            {
                if (++outliers >= OUTLIERS_TO_RESTART)
                {
                    samples = 0;
                    outliers = 0;
                }
            }
            else
            {
                outliers = 0;
                final long deviation = Math.abs(sample - gapNs);
                jitterNs = Math.min(gapNs / 4, Math.max(deviation, jitterNs - (jitterNs >> 4)));
                gapNs += (sample - gapNs) >> 3;
                samples++;
            }
        }
        lastArrivalNs = nowNs;
    }

    /** A timed park asked to return at {@code requestedNs} returned at {@code nowNs} with no work. */
    void onTimedParkReturned(final long requestedNs, final long nowNs)
    {
        final long late = nowNs - requestedNs;
        if (late >= 0)
        {
            // Rises fast, falls slowly, and never past MAX_LATE_NANOS: one park delayed by a busy machine must not
            // keep the thread awake for whole gaps, where no timed park would measure lateness again.
            final long sample = Math.min(late, MAX_LATE_NANOS);
            lateNs += sample > lateNs ? (sample - lateNs) >> 2 : (sample - lateNs) >> 4;
        }
    }

    /**
     * @return true when enough regular gaps were seen to predict the next arrival.
     */
    boolean hasEstimate()
    {
        return samples >= MIN_SAMPLES;
    }

    /**
     * @return when the next burst is expected ({@link System#nanoTime()} scale); only meaningful with an estimate.
     */
    long expectedNs()
    {
        return lastArrivalNs + gapNs;
    }

    long gapNs()
    {
        return gapNs;
    }

    long jitterNs()
    {
        return jitterNs;
    }

    long lateNs()
    {
        return lateNs;
    }
}
