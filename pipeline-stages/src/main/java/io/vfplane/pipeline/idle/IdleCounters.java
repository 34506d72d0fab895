package io.vfplane.pipeline.idle;

import org.agrona.concurrent.status.AtomicCounter;

import io.vfplane.dataplane.counters.Counters;

/**
 * The counters of one stage thread's idle decisions, registered once at setup as
 * {@code <prefix>.idle.awake_head}, {@code .awake_upstream}, {@code .awake_predicted}, {@code .went_idle} and
 * {@code .woke}. A stay-awake is
 * counted once per awake spell, not once per spin. Each counter has one writer (its stage thread), so increments are
 * release stores, not atomic read-modify-writes.
 */
public final class IdleCounters
{
    /** Counts nothing (strategies that are not observed). */
    public static final IdleCounters NONE = new IdleCounters(null, null, null, null, null);

    /** Label suffixes, after {@code <prefix>.idle.}. */
    public static final String AWAKE_HEAD = "awake_head";
    public static final String AWAKE_UPSTREAM = "awake_upstream";
    public static final String AWAKE_PREDICTED = "awake_predicted";
    public static final String WENT_IDLE = "went_idle";
    public static final String WOKE = "woke";

    private final AtomicCounter awakeHead;
    private final AtomicCounter awakeUpstream;
    private final AtomicCounter awakePredicted;
    private final AtomicCounter wentIdle;
    private final AtomicCounter woke;

    private IdleCounters(
        final AtomicCounter awakeHead,
        final AtomicCounter awakeUpstream,
        final AtomicCounter awakePredicted,
        final AtomicCounter wentIdle,
        final AtomicCounter woke)
    {
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
            counters.newCounter(prefix + ".idle." + WOKE));
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
