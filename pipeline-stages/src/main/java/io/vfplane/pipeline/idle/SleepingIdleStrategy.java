package io.vfplane.pipeline.idle;

import java.util.concurrent.locks.LockSupport;

/**
 * Spins, then yields, then sleeps a fixed period per idle poll (as Disruptor's {@code SleepingWaitStrategy}): little
 * CPU when idle, and a wake-up latency of up to one sleep period (plus the timer slack of the OS) after a quiet spell.
 * It needs no signal from the producer.
 */
public final class SleepingIdleStrategy implements StageIdleStrategy
{
    private static final int SPIN_TRIES = 100;
    private static final int YIELD_TRIES = 100;

    private final long sleepNanos;
    private int counter = SPIN_TRIES + YIELD_TRIES;

    /**
     * @param sleepNanos how long each sleep lasts once spinning and yielding are exhausted.
     */
    public SleepingIdleStrategy(final long sleepNanos)
    {
        this.sleepNanos = sleepNanos;
    }

    @Override
    public void idle(final IdleContext context)
    {
        if (counter > YIELD_TRIES)
        {
            counter--;
            Thread.onSpinWait();
        }
        else if (counter > 0)
        {
            counter--;
            Thread.yield();
        }
        else
        {
            LockSupport.parkNanos(sleepNanos);
        }
    }

    @Override
    public void reset()
    {
        counter = SPIN_TRIES + YIELD_TRIES;
    }
}
