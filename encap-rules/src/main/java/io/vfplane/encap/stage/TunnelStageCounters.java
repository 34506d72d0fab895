package io.vfplane.encap.stage;

import org.agrona.concurrent.status.AtomicCounter;

import io.vfplane.pipeline.StageContext;

/**
 * The count of packets a tunnel stage passed ({@code pipeline.<p>.stage.encap.encapsulated},
 * {@code ...decap.decapsulated}), accumulated in a plain long during a batch and published once at its end. Drops
 * need no counter here: the stage records each with its {@code DropReason} and the engine counts it per stage
 * ({@code pipeline.<p>.stage.<s>.drop.<reason>}).
 */
final class TunnelStageCounters
{
    private AtomicCounter passed;
    private long pending;

    void start(final StageContext context, final String passedLabel)
    {
        passed = context.newCounter(passedLabel);
    }

    void passed()
    {
        pending++;
    }

    void publish()
    {
        if (pending != 0)
        {
            passed.getAndAddRelease(pending);
            pending = 0;
        }
    }
}
