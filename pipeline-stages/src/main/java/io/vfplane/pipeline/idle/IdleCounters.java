package io.vfplane.pipeline.idle;

import org.agrona.concurrent.status.AtomicCounter;

import io.vfplane.dataplane.counters.Counters;

/**
 * The counters of one stage thread's idle decisions, registered once at setup as
 * {@code <prefix>.idle.awake_head}, {@code .awake_upstream}, {@code .awake_predicted}, {@code .awake_burst}
 * (stayed awake after work for the rest of a burst), {@code .went_idle}, {@code .woke}, {@code .woke_signalled}
 * (woken by a publisher's signal) and {@code .wake_latency_ns} (the sum, over those, of the time from the signal to the
 * thread running again: the wake-up's cost in latency), and two gauges of the burst predictor, {@code .predict_gap_ns}
 * and {@code .predict_late_ns}, with {@code .predict_missed} (a predicted spell that saw no burst) and
 * {@code .predict_overslept} (a burst that found the thread still in a timed park past its requested end). A
 * stay-awake is counted once per awake spell, not once per spin. Each counter has one writer (its stage thread), so
 * increments are release stores, not atomic read-modify-writes.
 */
public final class IdleCounters
{
    /** Counts nothing (strategies that are not observed). */
    public static final IdleCounters NONE =
        new IdleCounters(null, null, null, null, null, null, null, null, null, null, null, null);

    /** Label suffixes, after {@code <prefix>.idle.}. */
    public static final String AWAKE_HEAD = "awake_head";
    public static final String AWAKE_UPSTREAM = "awake_upstream";
    public static final String AWAKE_PREDICTED = "awake_predicted";
    public static final String WENT_IDLE = "went_idle";
    public static final String WOKE = "woke";
    public static final String AWAKE_BURST = "awake_burst";
    public static final String WOKE_SIGNALLED = "woke_signalled";
    public static final String WAKE_LATENCY_NS = "wake_latency_ns";
    /** A predicted spell in which no burst came. */
    public static final String PREDICT_MISSED = "predict_missed";
    /** A burst that came while the thread was still in a timed park past the time it asked for (the timer late). */
    public static final String PREDICT_OVERSLEPT = "predict_overslept";
    /** Gauge: the predicted gap between bursts (0 without an estimate). */
    public static final String PREDICT_GAP_NS = "predict_gap_ns";
    /** Gauge: the predicted lateness of a timed park (the quantile the wake-up margin covers). */
    public static final String PREDICT_LATE_NS = "predict_late_ns";

    private final AtomicCounter awakeHead;
    private final AtomicCounter awakeUpstream;
    private final AtomicCounter awakePredicted;
    private final AtomicCounter wentIdle;
    private final AtomicCounter woke;
    private final AtomicCounter awakeBurst;
    private final AtomicCounter wokeSignalled;
    private final AtomicCounter wakeLatencyNs;
    private final AtomicCounter predictGapNs;
    private final AtomicCounter predictMissed;
    private final AtomicCounter predictOverslept;
    private final AtomicCounter predictLateNs;

    private IdleCounters(
        final AtomicCounter awakeHead,
        final AtomicCounter awakeUpstream,
        final AtomicCounter awakePredicted,
        final AtomicCounter wentIdle,
        final AtomicCounter woke,
        final AtomicCounter awakeBurst,
        final AtomicCounter wokeSignalled,
        final AtomicCounter wakeLatencyNs,
        final AtomicCounter predictGapNs,
        final AtomicCounter predictLateNs,
        final AtomicCounter predictMissed,
        final AtomicCounter predictOverslept)
    {
        this.predictMissed = predictMissed;
        this.predictOverslept = predictOverslept;
        this.predictGapNs = predictGapNs;
        this.predictLateNs = predictLateNs;
        this.awakeBurst = awakeBurst;
        this.wokeSignalled = wokeSignalled;
        this.wakeLatencyNs = wakeLatencyNs;
        this.awakeHead = awakeHead;
        this.awakeUpstream = awakeUpstream;
        this.awakePredicted = awakePredicted;
        this.wentIdle = wentIdle;
        this.woke = woke;
    }

    /**
     * Registers the five counters.
     *
     * @param counters where to register.
     * @param prefix   e.g. {@code pipeline.vf0.thread.1}.
     */
    public static IdleCounters register(final Counters counters, final String prefix)
    {
        return new IdleCounters(
            counters.newCounter(prefix + ".idle." + AWAKE_HEAD),
            counters.newCounter(prefix + ".idle." + AWAKE_UPSTREAM),
            counters.newCounter(prefix + ".idle." + AWAKE_PREDICTED),
            counters.newCounter(prefix + ".idle." + WENT_IDLE),
            counters.newCounter(prefix + ".idle." + WOKE),
            counters.newCounter(prefix + ".idle." + AWAKE_BURST),
            counters.newCounter(prefix + ".idle." + WOKE_SIGNALLED),
            counters.newCounter(prefix + ".idle." + WAKE_LATENCY_NS),
            counters.newCounter(prefix + ".idle." + PREDICT_GAP_NS),
            counters.newCounter(prefix + ".idle." + PREDICT_LATE_NS),
            counters.newCounter(prefix + ".idle." + PREDICT_MISSED),
            counters.newCounter(prefix + ".idle." + PREDICT_OVERSLEPT));
    }

    void stayedAwakeForHead()
    {
        if (awakeHead != null)
        {
            awakeHead.incrementRelease();
        }
    }

    void stayedAwakeForUpstream()
    {
        if (awakeUpstream != null)
        {
            awakeUpstream.incrementRelease();
        }
    }

    void stayedAwakePredicted()
    {
        if (awakePredicted != null)
        {
            awakePredicted.incrementRelease();
        }
    }

    void wentIdle()
    {
        if (wentIdle != null)
        {
            wentIdle.incrementRelease();
        }
    }

    void woke()
    {
        if (woke != null)
        {
            woke.incrementRelease();
        }
    }

    void stayedAwakeAfterBurst()
    {
        if (awakeBurst != null)
        {
            awakeBurst.incrementRelease();
        }
    }

    /** A publisher's signal woke the thread; it ran again {@code latencyNs} after the signal. */
    void wokeBySignal(final long latencyNs)
    {
        if (wokeSignalled != null)
        {
            wokeSignalled.incrementRelease();
            wakeLatencyNs.getAndAddRelease(Math.max(0, latencyNs));
        }
    }

    void predictionMissed()
    {
        if (predictMissed != null)
        {
            predictMissed.incrementRelease();
        }
    }

    void overslept()
    {
        if (predictOverslept != null)
        {
            predictOverslept.incrementRelease();
        }
    }

    public long predictionMissedCount()
    {
        return predictMissed == null ? 0 : predictMissed.get();
    }

    public long oversleptCount()
    {
        return predictOverslept == null ? 0 : predictOverslept.get();
    }

    /** Publishes the predictor's state (gauges, one writer). */
    void prediction(final long gapNs, final long lateNs)
    {
        if (predictGapNs != null)
        {
            predictGapNs.setRelease(gapNs);
            predictLateNs.setRelease(lateNs);
        }
    }

    public long stayedAwakeAfterBurstCount()
    {
        return awakeBurst == null ? 0 : awakeBurst.get();
    }

    public long wokeBySignalCount()
    {
        return wokeSignalled == null ? 0 : wokeSignalled.get();
    }

    /**
     * @return the sum over {@link #wokeBySignalCount()} wake-ups of the time from the publisher's signal to the
     * thread running again.
     */
    public long wakeLatencyNanosTotal()
    {
        return wakeLatencyNs == null ? 0 : wakeLatencyNs.get();
    }

    public long stayedAwakeForHeadCount()
    {
        return awakeHead == null ? 0 : awakeHead.get();
    }

    public long stayedAwakeForUpstreamCount()
    {
        return awakeUpstream == null ? 0 : awakeUpstream.get();
    }

    public long stayedAwakePredictedCount()
    {
        return awakePredicted == null ? 0 : awakePredicted.get();
    }

    public long wentIdleCount()
    {
        return wentIdle == null ? 0 : wentIdle.get();
    }

    public long wokeCount()
    {
        return woke == null ? 0 : woke.get();
    }
}
