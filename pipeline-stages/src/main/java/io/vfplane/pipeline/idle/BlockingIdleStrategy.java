package io.vfplane.pipeline.idle;

/**
 * Parks as soon as there is no work and wakes when signalled (the head moves or the upstream group advances).
 * The pipeline signals without a lock: only when a waiter has announced itself (see {@link IdleContext#park(long)}),
 * so a busy pipeline pays one fence and one volatile read per published batch and nothing else.
 */
public final class BlockingIdleStrategy implements StageIdleStrategy
{
    private final long maxParkNanos;
    private final IdleCounters counters;

    /**
     * @param maxParkNanos bound on one park (a safety net against a missed signal, and how often shutdown is seen).
     * @param counters     where went-idle and woke are counted; may be {@link IdleCounters#NONE}.
     */
    public BlockingIdleStrategy(final long maxParkNanos, final IdleCounters counters)
    {
        this.maxParkNanos = maxParkNanos;
        this.counters = counters;
    }

    @Override
    public void idle(final IdleContext context)
    {
        counters.wentIdle();
        final long signalledNs = context.park(maxParkNanos);
        counters.woke();
        if (signalledNs != Wakeup.NOT_SIGNALLED)
        {
            // Measured here too, so that the wake-up's cost can be compared with the anticipatory strategy's.
            counters.wokeBySignal(System.nanoTime() - signalledNs);
        }
    }

    @Override
    public void reset()
    {
    }
}
