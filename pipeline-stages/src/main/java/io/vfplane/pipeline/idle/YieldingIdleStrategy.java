package io.vfplane.pipeline.idle;

/**
 * Spins a little, then {@link Thread#yield()}s on every further idle poll (as Disruptor's
 * {@code YieldingWaitStrategy}): gives the core to other runnable threads but never sleeps, so an idle pipeline still
 * shows as busy when the core is otherwise free.
 */
public final class YieldingIdleStrategy implements StageIdleStrategy
{
    private static final int SPIN_TRIES = 100;

    private int counter = SPIN_TRIES;

    @Override
    public void idle(final IdleContext context)
    {
        if (counter > 0)
        {
            counter--;
            Thread.onSpinWait();
        }
        else
        {
            Thread.yield();
        }
    }

    @Override
    public void reset()
    {
        counter = SPIN_TRIES;
    }
}
