package io.vfplane.pipeline;

import com.lmax.disruptor.RingBuffer;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.dataplane.parse.DropReason;

/**
 * The batch a stage is handed: a view over the ring range {@code [first, first + size)}, no copy. One instance per
 * stage thread, re-pointed for each batch; never allocated per batch.
 *
 * <p>Drops and clones are counted here, per stage and per batch, and the engine publishes the counts to the stage's
 * counters once per batch (as VPP counts node errors per frame).
 */
public final class PacketBatch
{
    private final RingBuffer<PacketEntry> ring;
    private final PacketPool pool;
    private final long[] drops = new long[DropReason.VALUES.length];
    private long first;
    private int size;
    private long clones;
    private long cloneFailures;

    PacketBatch(final RingBuffer<PacketEntry> ring, final PacketPool pool)
    {
        this.ring = ring;
        this.pool = pool;
    }

    void wrap(final long first, final int size)
    {
        this.first = first;
        this.size = size;
    }

    /**
     * @return how many packets the batch holds.
     */
    public int size()
    {
        return size;
    }

    /**
     * @return packet {@code i} of the batch, {@code 0 <= i < size()}.
     */
    public PacketDescriptor get(final int i)
    {
        return ring.get(first + i).packet;
    }

    /**
     * @return the ring entry of packet {@code i} (its fan-out copies included).
     */
    public PacketEntry entry(final int i)
    {
        return ring.get(first + i);
    }

    /**
     * @return the ring sequence of packet {@code i}.
     */
    public long sequence(final int i)
    {
        return first + i;
    }

    /**
     * @return the pool the packets' buffers come from.
     */
    public PacketPool pool()
    {
        return pool;
    }

    /**
     * Drops packet {@code i} and counts {@code reason} for the current stage.
     */
    public void drop(final int i, final DropReason reason)
    {
        ring.get(first + i).packet.drop(reason);
        drops[reason.ordinal()]++;
    }

    /**
     * Fan-out: copies packet {@code i} into a new pool buffer (at the same place in its slot, so the headroom is kept)
     * and attaches the copy to the packet's ring entry with {@code outPort} and
     * {@link PacketDescriptor#ACTION_OUTPUT}; the tx stage sends it right after the original. Later stages do not see
     * copies.
     *
     * @return false when the pool is empty or the entry has no room for another copy (counted as
     * {@code clone_failed} for this stage); nothing changes then.
     */
    public boolean cloneTo(final int i, final int outPort)
    {
        final PacketEntry entry = ring.get(first + i);
        final PacketDescriptor source = entry.packet;
        if (entry.cloneCount == entry.clones.length || source.bufferId() < 0)
        {
            cloneFailures++;
            return false;
        }
        final int id = pool.allocate();
        if (id == PacketPool.NO_BUFFER)
        {
            cloneFailures++;
            return false;
        }
        final int target = pool.slotOffset(id) + (source.offset() - pool.slotOffset(source.bufferId()));
        pool.buffer().putBytes(target, pool.buffer(), source.offset(), source.length());
        final PacketDescriptor copy = entry.clones[entry.cloneCount++];
        copy.copyFrom(source).bind(id, target, source.length());
        copy.outPort(outPort).action(PacketDescriptor.ACTION_OUTPUT);
        clones++;
        return true;
    }

    /** Counts a drop for the current stage without marking a packet (a fan-out copy released on error). */
    void countDrop(final DropReason reason)
    {
        drops[reason.ordinal()]++;
    }

    long[] dropCounts()
    {
        return drops;
    }

    long takeClones()
    {
        final long n = clones;
        clones = 0;
        return n;
    }

    long takeCloneFailures()
    {
        final long n = cloneFailures;
        cloneFailures = 0;
        return n;
    }
}
