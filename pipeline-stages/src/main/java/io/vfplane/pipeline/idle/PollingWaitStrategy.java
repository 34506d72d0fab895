package io.vfplane.pipeline.idle;

import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.WaitStrategy;

/**
 * The Disruptor {@link WaitStrategy} of every vfplane ring: it never waits. {@link #waitFor} returns what is
 * available now, so a {@link SequenceBarrier} becomes a non-blocking poll, and the waiting is done by the stage
 * thread's {@link StageIdleStrategy}, which, unlike a WaitStrategy shared by the whole ring, keeps per-thread state
 * (an awake spell) and sees its own place in the pipeline (its upstream group's queue). The ring's publish calls
 * {@link #signalAllWhenBlocking()}, which goes to the pipeline's {@link Wakeup}.
 */
public final class PollingWaitStrategy implements WaitStrategy
{
    private final Wakeup wakeup;

    public PollingWaitStrategy(final Wakeup wakeup)
    {
        this.wakeup = wakeup;
    }

    @Override
    public long waitFor(
        final long sequence,
        final Sequence cursor,
        final Sequence dependentSequence,
        final SequenceBarrier barrier)
    {
        return dependentSequence.get();
    }

    @Override
    public void signalAllWhenBlocking()
    {
        wakeup.signal();
    }
}
