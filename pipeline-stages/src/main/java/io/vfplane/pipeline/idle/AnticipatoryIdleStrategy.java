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
 * <p>Counters: one per awake spell by reason, one per park ("went idle"), one per return from park ("woke").
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
    private final IdleCounters counters;

    private long awakeSinceNs = NOT_AWAKE;
    private Reason lastReason = Reason.NONE;

    /**
     * @param spinNanos         how long an awake spell spins before it starts yielding.
     * @param awakeNanos        how long an awake spell lasts at most (spinning then yielding); at least spinNanos.
     * @param upstreamThreshold stay awake when more packets than this wait in front of the upstream stage.
     * @param maxParkNanos      bound on one park (safety net for a missed signal).
     * @param counters          where decisions are counted; may be {@link IdleCounters#NONE}.
     */
    public AnticipatoryIdleStrategy(
        final long spinNanos,
        final long awakeNanos,
        final long upstreamThreshold,
        final long maxParkNanos,
        final IdleCounters counters)
    {
        if (spinNanos < 0 || awakeNanos < spinNanos || upstreamThreshold < 0 || maxParkNanos <= 0)
        {
            throw new IllegalArgumentException("anticipatory idle: need 0 <= spinNanos <= awakeNanos, " +
                "upstreamThreshold >= 0, maxParkNanos > 0: spin=" + spinNanos + " awake=" + awakeNanos +
                " threshold=" + upstreamThreshold + " maxPark=" + maxParkNanos);
        }
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

    @Override
    public void idle(final IdleContext context)
    {
        final Decision decision = decide(
            context.processed(), context.head(), context.upstreamQueue(), System.nanoTime());
        switch (decision)
        {
            case SPIN -> Thread.onSpinWait();
            case YIELD -> Thread.yield();
            case PARK ->
            {
                counters.wentIdle();
                context.park(maxParkNanos);
                counters.woke();
                awakeSinceNs = NOT_AWAKE;
            }
        }
    }

    @Override
    public void reset()
    {
        awakeSinceNs = NOT_AWAKE;
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
