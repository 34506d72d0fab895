package io.vfplane.pipeline.idle;

import java.util.concurrent.TimeUnit;

/**
 * Stays awake while more work is known to be on its way, and parks otherwise.
 *
 * <p>Packets arrive in bursts. A stage thread that has just finished a batch and finds nothing new should not park
 * at once if packets have already entered the pipeline and are being worked on upstream: they will reach it within
 * microseconds, and a park/unpark round trip costs tens of microseconds of latency. So, on each idle poll:
 * <ol>
 *   <li>if the head (the sequence of the last packet that entered the pipeline's first stage) is ahead of what this
 *       thread has processed, packets it has not seen are in the pipeline: stay awake ({@link Reason#HEAD});</li>
 *   <li>else if the queue in front of the upstream stage is longer than a threshold, stay awake
 *       ({@link Reason#UPSTREAM_QUEUE});</li>
 *   <li>else park until the head moves ({@link Decision#PARK}).</li>
 * </ol>
 * Staying awake is bounded: spin for {@code spinNanos}, then yield until {@code awakeNanos} have passed since the
 * spell began, then park anyway (the upstream stage may be slow, or stuck). A park ends when the pipeline signals
 * (head moved, upstream advanced) and the next poll starts a fresh spell.
 *
 * <p>Prediction: with nothing in the pipeline for this thread, a park ends with the signal of the next burst, and the
 * wake-up (futex, scheduler) is most of that burst's latency. Traffic that arrives on a schedule (a NIC's interrupt
 * moderation, a producer's batching) lets the thread be awake already: an {@link ArrivalPredictor} learns the gap
 * between bursts and how late a timed park returns, and the thread parks only until {@code lead} before the expected
 * burst (the lead covers the park's lateness, the gap's jitter and {@code predictLeadNanos}), then spins until
 * {@code predictWindowNanos} (plus the jitter) after it ({@code awake_predicted}). When the burst does not come in
 * that window the prediction is dropped until the next burst and the thread parks until signalled: with no traffic it
 * spends one window, then nothing. An early burst still signals the timed park, so a wrong prediction costs CPU,
 * never latency. {@code predictWindowNanos == 0} turns prediction off. A predicting thread sets its own timer slack
 * to {@link TimerSlack#PREDICTING_SLACK_NANOS} at its first idle poll ({@link TimerSlack}), so that its timed parks
 * return on time.
 *
 * <p>Counters: one per awake spell by reason (head, upstream queue, predicted), one per park ("went idle"), one per
 * return from park ("woke").
 *
 * <p>{@link #decide(long, long, long, long)} is the whole policy as a function of what the thread sees and the
 * clock, so tests drive it directly.
 */
public final class AnticipatoryIdleStrategy implements StageIdleStrategy
{
    /** The default spin phase of an awake spell. */
    public static final long DEFAULT_SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(20);
    /** The default bound of an awake spell. */
    public static final long DEFAULT_AWAKE_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
    /** The default upstream queue length above which the thread stays awake. */
    public static final long DEFAULT_UPSTREAM_THRESHOLD = 32;
    /** The default margin, beyond the measured park lateness and jitter, by which a predicted wake-up is early. */
    public static final long DEFAULT_PREDICT_LEAD_NANOS = TimeUnit.MICROSECONDS.toNanos(10);
    /** The default time a predicted spell stays awake past the expected burst: 0, off until it is measured to pay. */
    public static final long DEFAULT_PREDICT_WINDOW_NANOS = 0;
    /** The default longest gap between bursts that is predicted. */
    public static final long DEFAULT_MAX_PREDICT_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** The default bound on one park. */
    public static final long DEFAULT_MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    /** What one idle poll does. */
    public enum Decision
    {
        /** Stay awake, spinning. */
        SPIN,
        /** Stay awake, giving the core to other threads for a moment. */
        YIELD,
        /** Idle: park until signalled. */
        PARK
    }

    /** Why the thread stays awake. */
    public enum Reason
    {
        NONE,
        HEAD,
        UPSTREAM_QUEUE
    }

    private static final long NOT_AWAKE = Long.MIN_VALUE;

    private final long spinNanos;
    private final long awakeNanos;
    private final long upstreamThreshold;
    private final long maxParkNanos;
    private final long predictLeadNanos;
    private final long predictWindowNanos;
    private final IdleCounters counters;
    private final ArrivalPredictor predictor;

    private long awakeSinceNs = NOT_AWAKE;
    private long predictedUntilNs = NOT_AWAKE;
    private long timedWakeNs = NOT_AWAKE;
    private boolean idledSinceWork;
    private boolean threadPrepared;
    private boolean predictionMissed;
    private Reason lastReason = Reason.NONE;

    /**
     * Without prediction parameters: the defaults.
     */
    public AnticipatoryIdleStrategy(
        final long spinNanos,
        final long awakeNanos,
        final long upstreamThreshold,
        final long maxParkNanos,
        final IdleCounters counters)
    {
        this(spinNanos, awakeNanos, upstreamThreshold, maxParkNanos, DEFAULT_PREDICT_LEAD_NANOS,
            DEFAULT_PREDICT_WINDOW_NANOS, DEFAULT_MAX_PREDICT_GAP_NANOS, counters);
    }

    /**
     * @param spinNanos         how long an awake spell spins before it starts yielding.
     * @param awakeNanos        how long an awake spell lasts at most (spinning then yielding); at least spinNanos.
     * @param upstreamThreshold stay awake when more packets than this wait in front of the upstream stage.
     * @param maxParkNanos      bound on one park (safety net for a missed signal).
     * @param predictLeadNanos  how much earlier than needed a predicted wake-up is (beyond lateness and jitter).
     * @param predictWindowNanos how long a predicted spell waits past the expected arrival; 0 turns prediction off.
     * @param maxPredictGapNanos gaps between bursts longer than this are not predicted.
     * @param counters          where decisions are counted; may be {@link IdleCounters#NONE}.
     */
    public AnticipatoryIdleStrategy(
        final long spinNanos,
        final long awakeNanos,
        final long upstreamThreshold,
        final long maxParkNanos,
        final long predictLeadNanos,
        final long predictWindowNanos,
        final long maxPredictGapNanos,
        final IdleCounters counters)
    {
        if (spinNanos < 0 || awakeNanos < spinNanos || upstreamThreshold < 0 || maxParkNanos <= 0 ||
            predictLeadNanos < 0 || predictWindowNanos < 0 || maxPredictGapNanos <= 0)
        {
            throw new IllegalArgumentException("anticipatory idle: need 0 <= spinNanos <= awakeNanos, " +
                "upstreamThreshold >= 0, maxParkNanos > 0, predict lead and window >= 0, max gap > 0: spin=" +
                spinNanos + " awake=" + awakeNanos + " threshold=" + upstreamThreshold + " maxPark=" + maxParkNanos +
                " lead=" + predictLeadNanos + " window=" + predictWindowNanos + " maxGap=" + maxPredictGapNanos);
        }
        this.predictLeadNanos = predictLeadNanos;
        this.predictWindowNanos = predictWindowNanos;
        this.predictor = new ArrivalPredictor(maxPredictGapNanos);
        this.spinNanos = spinNanos;
        this.awakeNanos = awakeNanos;
        this.upstreamThreshold = upstreamThreshold;
        this.maxParkNanos = maxParkNanos;
        this.counters = counters;
    }

    /**
     * The policy. Starts an awake spell (and counts it by reason) when it decides to stay awake and none is running.
     *
     * @param processed     the last sequence this thread finished.
     * @param head          the sequence of the last packet that entered the pipeline.
     * @param upstreamQueue packets waiting in front of the upstream stage.
     * @param nowNs         a {@link System#nanoTime()} reading.
     * @return what to do for this idle poll.
     */
    public Decision decide(final long processed, final long head, final long upstreamQueue, final long nowNs)
    {
        final Reason reason;
        if (head > processed)
        {
            reason = Reason.HEAD;
        }
        else if (upstreamQueue > upstreamThreshold)
        {
            reason = Reason.UPSTREAM_QUEUE;
        }
        else
        {
            reason = Reason.NONE;
        }
        lastReason = reason;

        if (reason == Reason.NONE)
        {
            return Decision.PARK;
        }
        if (awakeSinceNs == NOT_AWAKE)
        {
            awakeSinceNs = nowNs;
            if (reason == Reason.HEAD)
            {
                counters.stayedAwakeForHead();
            }
            else
            {
                counters.stayedAwakeForUpstream();
            }
            return Decision.SPIN;
        }
        final long elapsed = nowNs - awakeSinceNs;
        if (elapsed < spinNanos)
        {
            return Decision.SPIN;
        }
        if (elapsed < awakeNanos)
        {
            return Decision.YIELD;
        }
        return Decision.PARK;
    }

    /**
     * The prediction, asked when {@link #decide} found no reason to stay awake.
     *
     * @param nowNs a {@link System#nanoTime()} reading.
     * @return 0 to stay awake (spin) for this idle poll, else how long to park.
     */
    public long anticipate(final long nowNs)
    {
        idledSinceWork = true;
        if (predictWindowNanos == 0 || predictionMissed || !predictor.hasEstimate())
        {
            predictedUntilNs = NOT_AWAKE;
            return maxParkNanos;
        }
        final long expected = predictor.expectedNs();
        final long jitter = predictor.jitterNs();
        // The lead never exceeds a third of the gap: the thread sleeps at least two thirds of every regular gap.
        final long lead = Math.min(predictLeadNanos + predictor.lateNs() + jitter, predictor.gapNs() / 3);
        final long wakeAt = expected - lead;
        if (nowNs - wakeAt < 0 && predictedUntilNs == NOT_AWAKE)
        {
            timedWakeNs = wakeAt;
            return Math.min(wakeAt - nowNs, maxParkNanos);
        }
        if (predictedUntilNs == NOT_AWAKE)
        {
            predictedUntilNs = expected + predictWindowNanos + jitter;
            counters.stayedAwakePredicted();
        }
        if (nowNs - predictedUntilNs < 0)
        {
            return 0;
        }
        // Nothing came: traffic paused or the schedule changed. Park until signalled; the next burst re-arms.
        predictionMissed = true;
        predictedUntilNs = NOT_AWAKE;
        return maxParkNanos;
    }

    @Override
    public void idle(final IdleContext context)
    {
        if (!threadPrepared)
        {
            prepareThread();
        }
        final long nowNs = System.nanoTime();
        final Decision decision = decide(context.processed(), context.head(), context.upstreamQueue(), nowNs);
        switch (decision)
        {
            case SPIN -> Thread.onSpinWait();
            case YIELD -> Thread.yield();
            case PARK ->
            {
                final long parkNanos = anticipate(nowNs);
                if (parkNanos == 0)
                {
                    Thread.onSpinWait();
                    return;
                }
                counters.wentIdle();
                context.park(parkNanos);
                counters.woke();
                awakeSinceNs = NOT_AWAKE;
                if (timedWakeNs != NOT_AWAKE)
                {
                    predictor.onTimedParkReturned(timedWakeNs, System.nanoTime());
                    timedWakeNs = NOT_AWAKE;
                }
            }
        }
    }

    /**
     * Runs once, on the stage thread, at its first idle poll (before its first park): a thread that times its park to
     * a predicted burst asks for a tight timer slack, because the default (50 us) lets the kernel return the park that
     * late, after the burst. Timer slack is per thread, hence here and not in the constructor.
     */
    private void prepareThread()
    {
        threadPrepared = true;
        if (predictWindowNanos > 0)
        {
            TimerSlack.applyToCurrentThread(TimerSlack.PREDICTING_SLACK_NANOS);
        }
    }

    @Override
    public void reset()
    {
        awakeSinceNs = NOT_AWAKE;
        if (idledSinceWork)
        {
            foundWorkAfterIdle(System.nanoTime());
        }
    }

    /** {@link #reset()} with the clock given (tests). */
    void foundWorkAfterIdle(final long nowNs)
    {
        awakeSinceNs = NOT_AWAKE;
        if (idledSinceWork)
        {
            // The first work after the thread idled: a burst arrived (seen late by a wake-up when it was parked).
            idledSinceWork = false;
            predictionMissed = false;
            predictedUntilNs = NOT_AWAKE;
            timedWakeNs = NOT_AWAKE;
            predictor.onArrival(nowNs);
        }
    }

    /**
     * @return the predictor's current gap estimate in nanoseconds (0 before it has one).
     */
    public long predictedGapNanos()
    {
        return predictor.hasEstimate() ? predictor.gapNs() : 0;
    }

    /**
     * @return why the last {@link #decide} wanted to stay awake ({@link Reason#NONE} when it did not).
     */
    public Reason lastReason()
    {
        return lastReason;
    }

    /**
     * @return true while an awake spell is running.
     */
    public boolean isAwake()
    {
        return awakeSinceNs != NOT_AWAKE;
    }
}
