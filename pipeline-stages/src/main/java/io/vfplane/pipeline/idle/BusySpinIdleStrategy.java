package io.vfplane.pipeline.idle;

/**
 * Never gives up the core: the lowest latency and a whole core burnt while idle. For dedicated, isolated cores.
 */
public final class BusySpinIdleStrategy implements StageIdleStrategy
{
    @Override
    public void idle(final IdleContext context)
    {
        Thread.onSpinWait();
    }

    @Override
    public void reset()
    {
    }
}
