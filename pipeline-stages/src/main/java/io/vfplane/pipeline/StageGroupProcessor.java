package io.vfplane.pipeline;

import java.util.concurrent.locks.LockSupport;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.TimeoutException;
import org.agrona.concurrent.status.AtomicCounter;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.dataplane.parse.DropReason;
import io.vfplane.pipeline.PipelineCounters.StageRuntime;
import io.vfplane.pipeline.idle.IdleContext;
import io.vfplane.pipeline.idle.StageIdleStrategy;
import io.vfplane.pipeline.idle.Wakeup;

/**
 * Runs one group of consecutive stages on one thread: takes everything its barrier says is available (up to the
 * maximum batch) as one batch, runs each stage of the group over it in order, then publishes its own sequence, which
 * the next group's barrier (or the ring's gating, for the last group) follows.
 *
 * <pre>
 *  producer -> ring cursor -> [group 0: s0 s1] -> seq0 -> [group 1: s2 tx] -> seq1 (gates the producer)
 * </pre>
 *
 * Unlike Disruptor's {@code BatchEventProcessor} it hands the whole range to each stage as one vector (VPP style),
 * times each stage once per batch, and when idle asks its {@link StageIdleStrategy}, giving it an
 * {@link IdleContext}: the head, what upstream has finished, and the queue in front of the upstream group.
 */
final class StageGroupProcessor implements Runnable, IdleContext
{
    private final Pipeline owner;
    private final int group;
    private final RingBuffer<PacketEntry> ring;
    private final SequenceBarrier barrier;
    private final Sequence dependent;
    private final Sequence upstreamOfDependent;
    private final Sequence sequence = new Sequence(RingBuffer.INITIAL_CURSOR_VALUE);
    private final Stage[] stages;
    private final StageRuntime[] runtimes;
    private final AtomicCounter[] batchBuckets;
    private final StageIdleStrategy idle;
    private final Wakeup wakeup;
    private final int maxBatch;
    private final boolean signalDownstream;
    private final PacketBatch batch;
    private volatile Thread thread;

    StageGroupProcessor(
        final Pipeline owner,
        final int group,
        final RingBuffer<PacketEntry> ring,
        final Sequence dependent,
        final Sequence upstreamOfDependent,
        final Stage[] stages,
        final StageRuntime[] runtimes,
        final AtomicCounter[] batchBuckets,
        final StageIdleStrategy idle,
        final Wakeup wakeup,
        final int maxBatch,
        final boolean signalDownstream)
    {
        this.owner = owner;
        this.group = group;
        this.ring = ring;
        this.barrier = dependent == null ? ring.newBarrier() : ring.newBarrier(dependent);
        this.dependent = dependent;
        this.upstreamOfDependent = upstreamOfDependent;
        this.stages = stages;
        this.runtimes = runtimes;
        this.batchBuckets = batchBuckets;
        this.idle = idle;
        this.wakeup = wakeup;
        this.maxBatch = maxBatch;
        this.signalDownstream = signalDownstream;
        this.batch = new PacketBatch(ring, owner.pool());
    }

    Sequence sequence()
    {
        return sequence;
    }

    Thread thread()
    {
        return thread;
    }

    @Override
    public void run()
    {
        thread = Thread.currentThread();
        long next = sequence.get() + 1;
        try
        {
            while (true)
            {
                final long available = barrier.waitFor(next);
                if (available >= next)
                {
                    final long last = Math.min(available, next + maxBatch - 1);
                    runBatch(next, (int)(last - next + 1));
                    sequence.set(last);
                    if (signalDownstream)
                    {
                        wakeup.signal();
                    }
                    next = last + 1;
                    idle.reset();
                }
                else if (!owner.isRunning())
                {
                    break;
                }
                else
                {
                    idle.idle(this);
                }
            }
        }
        catch (final AlertException | InterruptedException | TimeoutException ex)
        {
            // Never alerted nor interrupted by the engine: treat as a stop; close() releases what is left.
            Thread.currentThread().interrupt();
        }
        finally
        {
            for (final Stage stage : stages)
            {
                stage.onStop();
            }
        }
    }

    /**
     * Inline placement: runs every published entry on the calling thread, a batch of at most the maximum at a time.
     * The caller guarantees that no other thread runs this processor meanwhile.
     */
    void runAvailable()
    {
        long next = sequence.get() + 1;
        while (true)
        {
            final long last = lastPublished(next, Math.min(ring.getCursor(), next + maxBatch - 1));
            if (last < next)
            {
                return;
            }
            runBatch(next, (int)(last - next + 1));
            sequence.set(last);
            next = last + 1;
        }
    }

    /**
     * @return the last sequence of the published run that starts at {@code from}, up to {@code to}; {@code from - 1}
     * when {@code from} is not published (with several producers, claimed entries may still be being written).
     */
    long lastPublished(final long from, final long to)
    {
        for (long s = from; s <= to; s++)
        {
            if (!ring.isAvailable(s))
            {
                return s - 1;
            }
        }
        return to;
    }

    private void runBatch(final long first, final int size)
    {
        batch.wrap(first, size);
        batchBuckets[31 - Integer.numberOfLeadingZeros(size)].incrementRelease();
        long start = System.nanoTime();
        for (int s = 0; s < stages.length; s++)
        {
            final Stage stage = stages[s];
            boolean failed = false;
            try
            {
                stage.onBatch(batch);
            }
            catch (final RuntimeException ex)
            {
                failed = true;
            }
            try
            {
                // Even after a failed batch: flush what the stage buffered and publish its per-batch counts.
                stage.onEndOfBatch();
            }
            catch (final RuntimeException ex)
            {
                failed = true;
            }
            if (failed)
            {
                // Once per failed batch, not per packet: the exception was thrown anyway.
                runtimes[s].errors.incrementRelease();
                failBatch(s == stages.length - 1 && !signalDownstream);
            }
            final long end = System.nanoTime();
            runtimes[s].publish(batch, size, end - start);
            start = end;
        }
    }

    /**
     * A stage threw: it cannot say which packets it finished, so every packet it would still have worked on (action
     * continue) is dropped as {@link DropReason#STAGE_ERROR}, counted for that stage. Packets already dropped or
     * handed to an output keep their fate. When the failed stage is the last of the chain (normally tx) nobody after
     * it returns buffers, so every buffer still bound in the batch (originals and fan-out copies) is released here.
     */
    private void failBatch(final boolean lastOfChain)
    {
        final PacketPool pool = owner.pool();
        for (int i = 0, n = batch.size(); i < n; i++)
        {
            final PacketEntry entry = batch.entry(i);
            final PacketDescriptor packet = entry.packet;
            if (!lastOfChain)
            {
                if (packet.action() == PacketDescriptor.ACTION_CONTINUE)
                {
                    batch.drop(i, DropReason.STAGE_ERROR);
                }
            }
            else
            {
                // The last stage unbinds what it has sent or released: what is still bound it had not finished.
                if (packet.bufferId() >= 0)
                {
                    if (!packet.isDropped())
                    {
                        batch.drop(i, DropReason.STAGE_ERROR);
                    }
                    pool.release(packet.bufferId());
                    packet.unbind();
                }
                for (int c = 0; c < entry.cloneCount; c++)
                {
                    final PacketDescriptor copy = entry.clones[c];
                    if (copy.bufferId() >= 0)
                    {
                        batch.countDrop(DropReason.STAGE_ERROR);
                        pool.release(copy.bufferId());
                        copy.unbind();
                    }
                }
                entry.cloneCount = 0;
            }
        }
    }

    @Override
    public long processed()
    {
        return sequence.get();
    }

    @Override
    public long head()
    {
        return ring.getCursor();
    }

    @Override
    public long available()
    {
        return dependent == null ? ring.getCursor() : dependent.get();
    }

    @Override
    public long upstreamQueue()
    {
        if (dependent == null)
        {
            return 0;
        }
        final long upstreamHead = upstreamOfDependent == null ? ring.getCursor() : upstreamOfDependent.get();
        return Math.max(0, upstreamHead - dependent.get());
    }

    @Override
    public long park(final long maxNanos)
    {
        final long headSeen = head();
        final long availableSeen = available();
        long signalledAtNs = Wakeup.NOT_SIGNALLED;
        wakeup.announce(group, Thread.currentThread());
        try
        {
            if (owner.isRunning() && head() == headSeen && available() == availableSeen &&
                availableSeen <= sequence.get())
            {
                LockSupport.parkNanos(this, maxNanos);
            }
        }
        finally
        {
            signalledAtNs = wakeup.retract(group);
        }
        return signalledAtNs;
    }
}
