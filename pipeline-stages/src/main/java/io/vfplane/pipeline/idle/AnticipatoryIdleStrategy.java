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
 * <p>Linger: a thread that just found work stays awake {@code lingerNanos} more before it predicts or parks
 * ({@code awake_burst}): a burst is published packet by packet, and a thread that parked between two of them would
 * pay a wake-up for the rest of the burst.
 *
 * <p>Prediction: with nothing in the pipeline for this thread, a park ends with the signal of the next burst, and the
 * wake-up is most of that burst's latency (measured on a 2-vCPU VM whose idle vCPU halts: a signalled thread runs
 * again about 4 us after the signal at the median, 20-50 us at p90-p99; a timed park returns 27 us late at the median
 * and 65-140 us at p99 even with a 1 us timer slack). Traffic that arrives on a schedule (a NIC's interrupt
 * moderation, a producer's batching) lets the thread be awake already: an {@link ArrivalPredictor} learns the period
 * of bursts from their publication times (the time of the signal that woke the thread, see {@link Wakeup}, or the
 * time a spinning thread found the burst) and a high quantile of how late a timed park returns; the thread parks until
 * that lateness, the gap's jitter and {@code predictLeadNanos} before the expected burst (never more than half the gap
 * before it), then spins until {@code predictWindowNanos} (plus the jitter) after it ({@code awake_predicted}). When
 * the burst does not come in that window the prediction is dropped until the next burst and the thread parks until
 * signalled: with no traffic it spends one window, then nothing. An early burst still signals the timed park, so a
 * wrong prediction costs CPU, never latency. When the lead does not fit half the gap (a late timer, or a busy
 * machine where a timed park also waits for a CPU and a spinning thread is preempted anyway), the thread does not spin
 * for the burst but waits for its signal, as the blocking strategy does, while its timed parks keep measuring the
 * timer. {@code predictWindowNanos == 0} turns prediction off. A predicting
 * thread sets its own timer slack to {@link TimerSlack#PREDICTING_SLACK_NANOS} at its first idle poll
 * ({@link TimerSlack}).
 *
 * <p>Counters ({@link IdleCounters}): one per awake spell by reason (head, upstream queue, predicted, rest of a
 * burst), one per park ("went idle"), one per return from park ("woke"), the wake-ups by a signal with their summed
 * latency, and the predictor's gap and lateness as gauges.
 *
 * <p>{@link #decide(long, long, long, long)} (head and upstream queue) and {@link #anticipate(long)} (linger and
 * prediction) are the whole policy as functions of what the thread sees and the clock, so tests drive them directly.
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
    /** The default time a thread stays awake after it last found work (the rest of a burst may be on its way). */
    public static final long DEFAULT_LINGER_NANOS = TimeUnit.MICROSECONDS.toNanos(10);
    /** With prediction on, bursts closer than this are not parked between: the thread stays awake through the gap. */
    public static final long SPIN_THROUGH_GAP_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
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
    private final long lingerNanos;
    private final long predictLeadNanos;
    private final long predictWindowNanos;
    private final IdleCounters counters;
    private final ArrivalPredictor predictor;

    private long awakeSinceNs = NOT_AWAKE;
    private long predictedUntilNs = NOT_AWAKE;
    private long timedWakeNs = NOT_AWAKE;
    private long lastWorkNs = NOT_AWAKE;
    private long signalledArrivalNs = NOT_AWAKE;
    private boolean lingering;
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
     * With the default linger.
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
        this(spinNanos, awakeNanos, upstreamThreshold, maxParkNanos, DEFAULT_LINGER_NANOS, predictLeadNanos,
            predictWindowNanos, maxPredictGapNanos, counters);
    }

    /**
     * @param spinNanos         how long an awake spell spins before it starts yielding.
     * @param awakeNanos        how long an awake spell lasts at most (spinning then yielding); at least spinNanos.
     * @param upstreamThreshold stay awake when more packets than this wait in front of the upstream stage.
     * @param maxParkNanos      bound on one park (safety net for a missed signal).
     * @param lingerNanos       how long the thread stays awake after it last found work, before it predicts or parks.
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
        final long lingerNanos,
        final long predictLeadNanos,
        final long predictWindowNanos,
        final long maxPredictGapNanos,
        final IdleCounters counters)
    {
        if (spinNanos < 0 || awakeNanos < spinNanos || upstreamThreshold < 0 || maxParkNanos <= 0 ||
            lingerNanos < 0 || predictLeadNanos < 0 || predictWindowNanos < 0 || maxPredictGapNanos <= 0)
        {
            throw new IllegalArgumentException("anticipatory idle: need 0 <= spinNanos <= awakeNanos, " +
                "upstreamThreshold >= 0, maxParkNanos > 0, linger, predict lead and window >= 0, max gap > 0: spin=" +
                spinNanos + " awake=" + awakeNanos + " threshold=" + upstreamThreshold + " maxPark=" + maxParkNanos +
                " linger=" + lingerNanos + " lead=" + predictLeadNanos + " window=" + predictWindowNanos +
                " maxGap=" + maxPredictGapNanos);
        }
        this.lingerNanos = lingerNanos;
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
     * <ol>
     *   <li>Within {@code lingerNanos} of the last work found, stay awake: the burst may not be fully published yet
     *       (counted once per burst, {@code awake_burst}). A thread that parked between two packets of one burst
     *       would pay a wake-up for the rest of it. With prediction on and bursts closer than
     *       {@link #SPIN_THROUGH_GAP_NANOS}, the linger covers the whole gap.</li>
     *   <li>With prediction on and an estimate of the burst period: park until the predictor's wake-up time (the
     *       expected publication minus the lateness quantile, the jitter and {@code predictLeadNanos}), then spin
     *       until {@code predictWindowNanos} past the expected burst ({@code awake_predicted}). When that time is
     *       already past at the end of the linger (the gap is short against the wake-up's lateness) the thread simply
     *       stays awake through the gap.</li>
     *   <li>When the burst did not come in the window, drop the prediction until the next burst and park until
     *       signalled: with no traffic the thread spends one window, then nothing.</li>
     *   <li>When the lead would be more than half the gap (a late timer or a busy machine), the timed park still
     *       ends at the wake-up time, to keep measuring the timer, but the thread then parks until signalled instead
     *       of spinning: it behaves as the blocking strategy until wake-ups are punctual again.</li>
     * </ol>
     *
     * @param nowNs a {@link System#nanoTime()} reading.
     * @return 0 to stay awake (spin) for this idle poll, else how long to park.
     */
    public long anticipate(final long nowNs)
    {
        if (lastWorkNs != NOT_AWAKE && nowNs - lastWorkNs < lingerNanos(nowNs))
        {
            if (!lingering)
            {
                lingering = true;
                counters.stayedAwakeAfterBurst();
            }
            return 0;
        }
        idledSinceWork = true;
        if (predictWindowNanos == 0 || predictionMissed || !predictor.hasEstimate())
        {
            predictedUntilNs = NOT_AWAKE;
            timedWakeNs = NOT_AWAKE;
            return maxParkNanos;
        }
        final long expected = predictor.expectedNs();
        final long wakeAt = predictor.wakeAtNs(predictLeadNanos);
        if (predictedUntilNs == NOT_AWAKE && nowNs - wakeAt < 0)
        {
            timedWakeNs = wakeAt;
            return Math.min(wakeAt - nowNs, maxParkNanos);
        }
        if (predictedUntilNs == NOT_AWAKE)
        {
            if (!predictor.isWorthSpinning(predictLeadNanos))
            {
                // The timed park only measured the timer (so that prediction resumes when the machine is quiet
                // again): too late to spin for this burst, wait for its signal.
                predictionMissed = true;
                timedWakeNs = NOT_AWAKE;
                return maxParkNanos;
            }
            predictedUntilNs = expected + predictWindowNanos + predictor.jitterNs();
            counters.stayedAwakePredicted();
        }
        if (nowNs - predictedUntilNs < 0)
        {
            return 0;
        }
        // Nothing came: traffic paused or the schedule changed. Park until signalled; the next burst re-arms.
        counters.predictionMissed();
        predictionMissed = true;
        predictedUntilNs = NOT_AWAKE;
        timedWakeNs = NOT_AWAKE;
        return maxParkNanos;
    }

    /**
     * How long the thread stays awake after its last work: {@code lingerNanos}, or, with prediction on and bursts
     * closer than {@link #SPIN_THROUGH_GAP_NANOS}, the whole gap and the window past it: a park that short saves
     * little CPU and its wake-up would cost the next burst most of the gap.
     */
    private long lingerNanos(final long nowNs)
    {
        if (predictWindowNanos > 0 && predictor.hasEstimate() && predictor.gapNs() <= SPIN_THROUGH_GAP_NANOS)
        {
            return Math.max(lingerNanos, predictor.gapNs() + predictor.jitterNs() + predictWindowNanos);
        }
        return lingerNanos;
    }

    /**
     * A park returned.
     *
     * @param signalledNs when a publisher signalled the thread, or {@link Wakeup#NOT_SIGNALLED}.
     * @param nowNs       a {@link System#nanoTime()} reading taken after the park.
     */
    void parkReturned(final long signalledNs, final long nowNs)
    {
        awakeSinceNs = NOT_AWAKE;
        if (signalledNs != Wakeup.NOT_SIGNALLED)
        {
            // The burst that woke the thread was published about then, not when the thread got the core back.
            signalledArrivalNs = signalledNs;
            counters.wokeBySignal(nowNs - signalledNs);
        }
        if (timedWakeNs != NOT_AWAKE)
        {
            // A signal before the requested time says nothing of the timer; one after it, that the timer was late.
            if (signalledNs == Wakeup.NOT_SIGNALLED || signalledNs - timedWakeNs >= 0)
            {
                if (signalledNs != Wakeup.NOT_SIGNALLED)
                {
                    counters.overslept();
                }
                predictor.onTimedParkReturned(timedWakeNs, nowNs);
                counters.prediction(predictedGapNanos(), predictor.lateNs());
            }
            timedWakeNs = NOT_AWAKE;
        }
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
                final long signalledNs = context.park(parkNanos);
                counters.woke();
                parkReturned(signalledNs, System.nanoTime());
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
        foundWork(System.nanoTime());
    }

    /** {@link #reset()} with the clock given (tests): the thread found work at {@code nowNs}. */
    void foundWork(final long nowNs)
    {
        awakeSinceNs = NOT_AWAKE;
        lastWorkNs = nowNs;
        lingering = false;
        if (idledSinceWork)
        {
            // The first work after the thread idled: a new burst. It was published when the publisher signalled the
            // parked thread, or, when the thread was awake (predicted spell), within a spin of now.
            idledSinceWork = false;
            predictionMissed = false;
            predictedUntilNs = NOT_AWAKE;
            timedWakeNs = NOT_AWAKE;
            predictor.onArrival(signalledArrivalNs != NOT_AWAKE ? signalledArrivalNs : nowNs);
            counters.prediction(predictedGapNanos(), predictor.lateNs());
        }
        signalledArrivalNs = NOT_AWAKE;
    }

    /**
     * @return the predictor's current gap estimate in nanoseconds (0 before it has one).
     */
    public long predictedGapNanos()
    {
        return predictor.hasEstimate() ? predictor.gapNs() : 0;
    }

    /**
     * @return the predictor's current estimate of how late a timed park returns (a high quantile), in nanoseconds.
     */
    public long predictedLateNanos()
    {
        return predictor.lateNs();
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
