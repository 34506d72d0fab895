package io.vfplane.dataplane.buffer;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicIntegerArray;

import io.vfplane.dataplane.counters.Counters;

/**
 * A fixed pool of off-heap packet buffers ("slots"), each with headroom in front of the frame so that encapsulation
 * prepends outer headers without copying the frame.
 *
 * <pre>
 *  one slot (slotSize = headroom + dataCapacity, rounded up to 64 bytes)
 *  +--------------------+----------------------------------------------+
 *  |  headroom (>=128)  |  frame data (dataCapacity)                   |
 *  +--------------------+----------------------------------------------+
 *  ^ slotOffset(id)     ^ dataOffset(id): where a received frame starts
 * </pre>
 *
 * All slots live in one direct buffer, so a packet is named by an {@code int} buffer id and every stage addresses its
 * bytes through the single {@link #buffer()} view at an absolute offset: no per-packet objects.
 *
 * <p>Ownership is explicit: {@link #allocate()} hands a slot to the caller, who owns it until it passes it on or calls
 * {@link #release(int)}. Releasing a slot that is not allocated (a double free) is refused and counted, not thrown,
 * so a bug shows in the counters without taking the data path down. The accounting (allocations, releases, failures,
 * double frees, and in flight = allocated minus released) is kept in named counters, so a leak fails a test and shows
 * in {@code vfplane show counters}.
 *
 * <p>Thread safety: allocate and release may be called from any thread (the free list is a lock-free MPMC ring).
 */
public final class PacketPool implements AutoCloseable
{
    /** The least headroom a pool may have: room for outer Ethernet + IPv6 + UDP + Geneve with options. */
    public static final int MIN_HEADROOM = 128;
    /** Returned by {@link #allocate()} when the pool is exhausted. */
    public static final int NO_BUFFER = -1;

    private static final int SLOT_ALIGNMENT = 64;
    private static final int FREE = 0;
    private static final int IN_USE = 1;

    private final String name;
    private final int slotCount;
    private final int headroom;
    private final int dataCapacity;
    private final int slotSize;
    private final Arena arena;
    private final MemorySegment memory;
    private final UnsafeBuffer buffer;
    private final IntMpmcRing freeList;
    private final AtomicIntegerArray state;

    private final AtomicCounter allocations;
    private final AtomicCounter releases;
    private final AtomicCounter allocationFailures;
    private final AtomicCounter doubleFrees;
    private final AtomicCounter capacityCounter;

    /**
     * @param name         names the pool's counters: {@code pool.<name>.allocations} and so on.
     * @param slotCount    how many packet buffers.
     * @param headroom     bytes in front of each frame, at least {@link #MIN_HEADROOM}.
     * @param dataCapacity the largest frame a slot holds (2048 for MTU frames, 65536+ for TSO/RSC frames).
     * @param counters     where the accounting counters are registered.
     */
    public PacketPool(
        final String name,
        final int slotCount,
        final int headroom,
        final int dataCapacity,
        final Counters counters)
    {
        if (slotCount < 1)
        {
            throw new IllegalArgumentException("pool " + name + ": slotCount must be >= 1: " + slotCount);
        }
        if (headroom < MIN_HEADROOM)
        {
            throw new IllegalArgumentException(
                "pool " + name + ": headroom must be >= " + MIN_HEADROOM + ": " + headroom);
        }
        if (dataCapacity < 64)
        {
            throw new IllegalArgumentException("pool " + name + ": dataCapacity must be >= 64: " + dataCapacity);
        }
        final long size = align((long)headroom + dataCapacity);
        if (size * slotCount > Integer.MAX_VALUE - SLOT_ALIGNMENT)
        {
            throw new IllegalArgumentException("pool " + name + ": " + slotCount + " slots of " + size +
                " bytes exceed the 2 GiB a single pool may map; use fewer or smaller slots");
        }
        this.name = name;
        this.slotCount = slotCount;
        this.headroom = headroom;
        this.dataCapacity = dataCapacity;
        this.slotSize = (int)size;
        // a shared arena: buffers are written on rx threads and read on tx threads; freed by close()
        this.arena = Arena.ofShared();
        this.memory = arena.allocate((long)slotSize * slotCount, SLOT_ALIGNMENT);
        this.buffer = new UnsafeBuffer(memory.address(), slotSize * slotCount);
        // twice the slots: a consumer that has claimed a cell but not yet freed it makes a full ring look full to a
        // producer for a moment; with spare cells a release never meets that
        this.freeList = new IntMpmcRing(slotCount * 2);
        this.state = new AtomicIntegerArray(slotCount);
        for (int i = 0; i < slotCount; i++)
        {
            freeList.offer(i);
        }
        final String prefix = "pool." + name + ".";
        this.capacityCounter = counters.newCounter(prefix + "capacity");
        this.allocations = counters.newCounter(prefix + "allocations");
        this.releases = counters.newCounter(prefix + "releases");
        this.allocationFailures = counters.newCounter(prefix + "allocation_failures");
        this.doubleFrees = counters.newCounter(prefix + "double_frees");
        capacityCounter.setRelease(slotCount);
    }

    private static long align(final long value)
    {
        return (value + SLOT_ALIGNMENT - 1) & ~((long)SLOT_ALIGNMENT - 1);
    }

    /**
     * Takes a free buffer.
     *
     * @return its id, or {@link #NO_BUFFER} when none is free (counted as an allocation failure).
     */
    public int allocate()
    {
        final int id = freeList.poll(NO_BUFFER);
        if (id == NO_BUFFER)
        {
            allocationFailures.increment();
            return NO_BUFFER;
        }
        state.setRelease(id, IN_USE);
        allocations.increment();
        return id;
    }

    /**
     * Returns a buffer to the pool. The caller gives up every reference to its bytes.
     *
     * @return false when the id was not allocated (a double free or a bad id); counted, nothing else happens.
     */
    public boolean release(final int id)
    {
        if (id < 0 || id >= slotCount || !state.compareAndSet(id, IN_USE, FREE))
        {
            doubleFrees.increment();
            return false;
        }
        releases.increment();
        while (!freeList.offer(id))
        {
            Thread.onSpinWait(); // cannot stay full: the ring has more cells than the pool has slots
        }
        return true;
    }

    /** The one view over every slot; offsets given by this pool are absolute in it. */
    public UnsafeBuffer buffer()
    {
        return buffer;
    }

    /** Where slot {@code id} begins, headroom included. */
    public int slotOffset(final int id)
    {
        return id * slotSize;
    }

    /** Where a received frame starts in slot {@code id}: after the headroom. */
    public int dataOffset(final int id)
    {
        return id * slotSize + headroom;
    }

    /** The exclusive end of slot {@code id}'s bytes. */
    public int slotLimit(final int id)
    {
        return id * slotSize + slotSize;
    }

    public boolean isAllocated(final int id)
    {
        return id >= 0 && id < slotCount && state.get(id) == IN_USE;
    }

    public String name()
    {
        return name;
    }

    public int slotCount()
    {
        return slotCount;
    }

    public int headroom()
    {
        return headroom;
    }

    public int dataCapacity()
    {
        return dataCapacity;
    }

    /** Buffers handed out and not yet returned. */
    public long inFlight()
    {
        return allocations.get() - releases.get();
    }

    /** Buffers in the free list now. */
    public int free()
    {
        return freeList.size();
    }

    public long allocations()
    {
        return allocations.get();
    }

    public long releases()
    {
        return releases.get();
    }

    public long allocationFailures()
    {
        return allocationFailures.get();
    }

    public long doubleFrees()
    {
        return doubleFrees.get();
    }

    /**
     * Frees the memory. Every thread that touched the pool's buffer must have stopped: the bytes are gone after this.
     */
    @Override
    public void close()
    {
        capacityCounter.close();
        allocations.close();
        releases.close();
        allocationFailures.close();
        doubleFrees.close();
        arena.close();
    }
}
