package io.vfplane.pipeline.idle;

import java.util.Arrays;

/**
 * Learns when the next burst will be published, from when earlier bursts were, and how late a timed park returns on
 * this machine. One instance per stage thread, single-threaded, no allocation after construction.
 *
 * <ul>
 *   <li>arrivals are publication times: the time the publisher signalled the parked thread (see {@link Wakeup}), or,
 *       when the thread was awake, the time it found the burst (then within a spin of its publication). Times taken
 *       when a woken thread got the core back would add the wake-up's own jitter (tens of microseconds here) to
 *       every gap.</li>
 *   <li>gap: an EWMA (weight 1/8) of the time between the first packets of consecutive bursts. A sample far off the
 *       estimate (above twice it: a pause in the traffic; below half of it: a burst out of schedule) is not learned;
 *       four such outliers in a row mean the rate changed (or the first sample was a fluke): the estimate starts over.
 *       Arrivals closer than {@link #MIN_GAP_NANOS} are the same burst seen twice (the thread caught up with the
 *       producer in the middle of it) and are ignored altogether.</li>
 *   <li>schedule: once the gap is known, arrivals are matched to a schedule (phase-locked: each moves it by a
 *       quarter of its error, and the gap by a sixteenth), so that one late burst does not make the next one early.
 *       An arrival more than a quarter of the gap off its slot is an outlier; four in a row start over.</li>
 *   <li>jitter: a decaying maximum (1/16 per sample) of how far a sample was from the estimate, capped at a
 *       quarter of the gap so one odd sample cannot keep the thread awake for most of every gap.</li>
 *   <li>late: a high quantile ({@link #LATE_QUANTILE}) of how long after the requested time the last
 *       {@link #LATE_SAMPLES} timed parks returned. It is a quantile and not an average because a burst is missed
 *       whenever one park is later than the margin: the margin must cover nearly all of them. On a virtual machine
 *       whose idle vCPU halts, a timed park is tens of microseconds late even with a 1 us timer slack, and its tail
 *       is long; before any sample, Linux's default timer slack (50 us) is the guess.</li>
 * </ul>
 *
 * {@link #leadNs(long)} and {@link #wakeAtNs(long)} turn these into the time a predicting thread should be running
 * again: a pure function of the state, so that tests check the decisions without a clock.
 */
final class ArrivalPredictor
{
    /** How late a timed park is assumed to return before enough were measured: Linux's default timer slack. */
    static final long INITIAL_LATE_NANOS = 50_000;
    /** Bound on one lateness sample: a park later than this is the machine being busy, not the timer. */
    static final long MAX_LATE_NANOS = 250_000;
    /** Arrivals closer than this are the same burst seen twice (the thread caught up with the producer). */
    static final long MIN_GAP_NANOS = 20_000;
    /** How many recent timed parks the lateness quantile is taken over. */
    static final int LATE_SAMPLES = 128;
    /** Samples needed before the quantile replaces the initial guess. */
    static final int MIN_LATE_SAMPLES = 8;
    /** The lateness quantile the wake-up margin covers. */
    static final double LATE_QUANTILE = 0.99;
    private static final long NONE = Long.MIN_VALUE;
    private static final int MIN_SAMPLES = 2;
    private static final int OUTLIERS_TO_RESTART = 4;
    /** More missed slots than this between two arrivals is a pause, not a schedule. */
    private static final long MAX_PERIODS = 8;

    private final long maxGapNanos;
    private final long[] late = new long[LATE_SAMPLES];
    private final long[] sorted = new long[LATE_SAMPLES];
    private int lateCount;
    private int lateNext;
    private long lateNs = INITIAL_LATE_NANOS;
    private long lastArrivalNs = NONE;
    private long scheduleNs;
    private long gapNs;
    private long jitterNs;
    private int samples;
    private int outliers;

    /**
     * @param maxGapNanos gaps longer than this are never predicted (a timed park that long saves nothing).
     */
    ArrivalPredictor(final long maxGapNanos)
    {
        this.maxGapNanos = maxGapNanos;
    }

    /** The first packet of a burst was published at {@code publishedNs}. */
    void onArrival(final long publishedNs)
    {
        if (lastArrivalNs != NONE && samples >= MIN_SAMPLES)
        {
            onArrivalOnSchedule(publishedNs);
            return;
        }
        if (lastArrivalNs != NONE)
        {
            final long sample = publishedNs - lastArrivalNs;
            if (sample < MIN_GAP_NANOS)
            {
                return;
            }
            if (sample > maxGapNanos)
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
            else if (sample > 2 * gapNs || sample < gapNs / 2)
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
                if (++samples == MIN_SAMPLES)
                {
                    scheduleNs = publishedNs;
                }
            }
        }
        lastArrivalNs = publishedNs;
    }

    /**
     * With an estimate, arrivals are matched to a schedule (a phase-locked loop) instead of chained gap to gap: a
     * burst published late (its producer was preempted) moves the schedule by a quarter of its error, not the next
     * expected burst by all of it, and the bursts after it, back on their schedule, are not early. An arrival in the
     * slot of the last one is the same burst seen again and is ignored.
     */
    private void onArrivalOnSchedule(final long publishedNs)
    {
        final long sinceSchedule = publishedNs - scheduleNs;
        final long periods = (sinceSchedule + gapNs / 2) / gapNs;
        if (periods <= 0)
        {
            return;
        }
        lastArrivalNs = publishedNs;
        if (sinceSchedule > maxGapNanos || periods > MAX_PERIODS)
        {
            // A pause in the traffic: learn the gap again from here.
            samples = 0;
            outliers = 0;
            return;
        }
        final long error = publishedNs - (scheduleNs + periods * gapNs);
        if (Math.abs(error) > gapNs / 4)
        {
            if (++outliers >= OUTLIERS_TO_RESTART)
            {
                samples = 0;
                outliers = 0;
            }
            return;
        }
        outliers = 0;
        jitterNs = Math.min(gapNs / 4, Math.max(Math.abs(error), jitterNs - (jitterNs >> 4)));
        scheduleNs += periods * gapNs + (error >> 2);
        gapNs += error / (16 * periods);
    }

    /**
     * A timed park asked to return at {@code requestedNs}; the thread ran again at {@code nowNs} (woken by the
     * timer, or by the burst it should have been awake for: then the sample is a lower bound, which still raises the
     * margin).
     */
    void onTimedParkReturned(final long requestedNs, final long nowNs)
    {
        final long sample = Math.min(Math.max(0, nowNs - requestedNs), MAX_LATE_NANOS);
        late[lateNext] = sample;
        lateNext = (lateNext + 1) % LATE_SAMPLES;
        if (lateCount < LATE_SAMPLES)
        {
            lateCount++;
        }
        System.arraycopy(late, 0, sorted, 0, lateCount);
        Arrays.sort(sorted, 0, lateCount);
        final long quantile = sorted[Math.min(lateCount - 1, (int)Math.ceil(LATE_QUANTILE * lateCount) - 1)];
        lateNs = lateCount < MIN_LATE_SAMPLES ? Math.max(INITIAL_LATE_NANOS, quantile) : quantile;
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
        return hasEstimate() ? scheduleNs + gapNs : lastArrivalNs + gapNs;
    }

    /**
     * How long before the expected burst a predicting thread asks its timed park to end: the lateness quantile, the
     * jitter of the gap and a fixed margin, but never more than half the gap (when the wake-up is that unreliable
     * relative to the gap, the thread is awake half of every gap and parks the other half).
     *
     * @param marginNs the fixed margin beyond lateness and jitter.
     */
    long leadNs(final long marginNs)
    {
        return Math.min(marginNs + lateNs + jitterNs, gapNs / 2);
    }

    /**
     * Whether a wake-up that early is worth spinning for: when the lateness quantile, the jitter and the margin
     * together exceed half the gap, the timer is too late or the machine too busy (a timed park waits for a CPU
     * too) to wake in time without spinning through most of every gap, and a spinning thread loses its claim on the
     * CPU to other runnable threads (the scheduler charges it the spin): then parking until signalled is better.
     *
     * @param marginNs the fixed margin beyond lateness and jitter.
     */
    boolean isWorthSpinning(final long marginNs)
    {
        return marginNs + lateNs + jitterNs <= gapNs / 2;
    }

    /**
     * @param marginNs the fixed margin beyond lateness and jitter.
     * @return when the timed park before the next burst should end.
     */
    long wakeAtNs(final long marginNs)
    {
        return expectedNs() - leadNs(marginNs);
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
