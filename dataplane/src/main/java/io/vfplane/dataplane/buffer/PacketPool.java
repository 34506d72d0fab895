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
 * <p>Thread safety: allocate and release may be called from any thread. The free list is a lock-free LIFO stack
 * ({@link IntLifoStack}): the buffer released last is handed out next, while its bytes are still in cache.
 * On hot paths use the bulk forms ({@link #allocate(int[], int, int)}, {@link #release(int[], int, int)}) or a
 * per-thread {@link LocalCache}: one CAS and one counter add per batch instead of per buffer, which matters when
 * buffers are allocated on one core and released on another.
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
    private final IntLifoStack freeList;
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
        this.freeList = new IntLifoStack(slotCount);
        this.state = new AtomicIntegerArray(slotCount);
        for (int i = slotCount - 1; i >= 0; i--)
        {
            freeList.push(i); // slot 0 on top: a fresh pool hands out 0, 1, 2, ... in address order
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
        final int id = freeList.pop(NO_BUFFER);
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
        freeList.push(id);
        return true;
    }

    /**
     * Takes up to {@code count} free buffers at once, as DPDK's {@code rte_mempool_get_bulk}: the free list is claimed
     * a run at a time with one CAS and the accounting is counted with one add, instead of both per buffer.
     *
     * @return how many ids were written to {@code ids[offset, offset + n)}; fewer than {@code count} only when the
     * pool ran out (the shortfall is counted as allocation failures, one per buffer not given).
     */
    public int allocate(final int[] ids, final int offset, final int count)
    {
        int taken = 0;
        while (taken < count)
        {
            final int n = freeList.pop(ids, offset + taken, count - taken);
            if (n == 0)
            {
                break;
            }
            taken += n;
        }
        for (int i = offset, end = offset + taken; i < end; i++)
        {
            state.setRelease(ids[i], IN_USE);
        }
        if (taken != 0)
        {
            allocations.getAndAdd(taken);
        }
        if (taken < count)
        {
            allocationFailures.getAndAdd(count - taken);
        }
        return taken;
    }

    /**
     * Returns {@code count} buffers at once, as DPDK's {@code rte_mempool_put_bulk}: each id is checked as
     * {@link #release(int)} checks it (a double free or bad id is refused and counted), the good ones go back to the
     * free list a run at a time with one CAS, and the releases are counted with one add.
     *
     * <p>The array range is used as scratch: its content after the call is unspecified.
     *
     * @return how many were released (count minus the double frees and bad ids).
     */
    public int release(final int[] ids, final int offset, final int count)
    {
        int good = offset;
        for (int i = offset, end = offset + count; i < end; i++)
        {
            final int id = ids[i];
            if (id < 0 || id >= slotCount || !state.compareAndSet(id, IN_USE, FREE))
            {
                doubleFrees.increment();
                continue;
            }
            ids[good++] = id;
        }
        final int released = good - offset;
        if (released != 0)
        {
            releases.getAndAdd(released);
            returnToFreeList(ids, offset, released);
        }
        return released;
    }

    private void returnToFreeList(final int[] ids, final int offset, final int count)
    {
        freeList.push(ids, offset, count);
    }

    /**
     * A cache of free buffers owned by one thread, as DPDK's per-lcore mempool cache: {@link LocalCache#allocate()}
     * and {@link LocalCache#release(int)} work on a private stack and reach the shared free list only in bulk (to
     * refill when empty, to spill when full), so a thread that allocates and releases (run to completion) reuses warm
     * buffers without touching a shared cache line, and a thread that only allocates or only releases pays one CAS per
     * half cache.
     *
     * @param size the most buffers the cache holds (at least 2); it refills and spills {@code size / 2} at a time.
     */
    public LocalCache localCache(final int size)
    {
        if (size < 2 || size > slotCount)
        {
            throw new IllegalArgumentException("pool " + name + ": local cache size must be in 2.." + slotCount +
                ": " + size);
        }
        return new LocalCache(size);
    }

    /**
     * A per-thread cache of a {@link PacketPool}'s free buffers (see {@link PacketPool#localCache(int)}). Not thread
     * safe: exactly one thread uses it, and the same thread (or one that has synchronized with it) flushes and closes
     * it. Buffers it hands out may be released to the pool or to any cache of the pool, and vice versa.
     *
     * <p>Accounting: allocations and releases made through the cache are added to the pool's counters whenever the
     * cache exchanges buffers with the free list and at {@link #flush()}; after a flush the pool's allocations,
     * releases, in-flight and free figures are exact again. Double frees are counted at once, as by the pool. Buffers
     * resting in a cache are free (not allocated), but {@link PacketPool#free()} does not see them until the flush.
     */
    public final class LocalCache implements AutoCloseable
    {
        private final int[] ids;
        private final int refill;
        private int size;
        private long pendingAllocations;
        private long pendingReleases;
        private long pendingFailures;
        private boolean closed;

        private LocalCache(final int capacity)
        {
            this.ids = new int[capacity];
            this.refill = capacity / 2;
        }

        /**
         * Takes a free buffer, from the cache when it has one.
         *
         * @return its id, or {@link #NO_BUFFER} when the cache and the pool are empty (counted as an allocation
         * failure).
         */
        public int allocate()
        {
            if (size == 0 && !refill())
            {
                pendingFailures++;
                publish();
                return NO_BUFFER;
            }
            final int id = ids[--size];
            state.setRelease(id, IN_USE);
            pendingAllocations++;
            return id;
        }

        /**
         * Takes up to {@code count} buffers: from the cache first, the rest straight from the pool in bulk.
         *
         * @return how many ids were written to {@code out[offset, offset + n)}; fewer only when the pool ran out
         * (the shortfall is counted as allocation failures).
         */
        public int allocate(final int[] out, final int offset, final int count)
        {
            final int fromCache = Math.min(size, count);
            for (int i = 0; i < fromCache; i++)
            {
                final int id = ids[--size];
                state.setRelease(id, IN_USE);
                out[offset + i] = id;
            }
            pendingAllocations += fromCache;
            if (fromCache == count)
            {
                return count;
            }
            publish();
            return fromCache + PacketPool.this.allocate(out, offset + fromCache, count - fromCache);
        }

        /**
         * Returns a buffer, to the cache; spills half the cache to the pool in bulk when it is full.
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
            if (size == ids.length)
            {
                spill(refill);
            }
            ids[size++] = id;
            pendingReleases++;
            return true;
        }

        /** How many free buffers the cache holds now. */
        public int size()
        {
            return size;
        }

        /**
         * Returns every cached buffer to the pool and adds the pending counts to its counters: afterwards the pool's
         * accounting is exact.
         */
        public void flush()
        {
            if (size != 0)
            {
                spill(size);
            }
            publish();
        }

        /** Flushes; the cache must not be used afterwards. Idempotent. */
        @Override
        public void close()
        {
            if (!closed)
            {
                closed = true;
                flush();
            }
        }

        private boolean refill()
        {
            publish();
            int n = 0;
            while (n < refill)
            {
                final int k = freeList.pop(ids, n, refill - n);
                if (k == 0)
                {
                    break;
                }
                n += k;
            }
            size = n;
            return n != 0;
        }

        /** Moves the {@code count} oldest cached buffers (the bottom of the stack, the coldest) to the free list. */
        private void spill(final int count)
        {
            publish();
            returnToFreeList(ids, 0, count);
            System.arraycopy(ids, count, ids, 0, size - count);
            size -= count;
        }

        private void publish()
        {
            // allocations before releases: the pending releases may be of buffers handed out since the last publish,
            // and in flight (allocations - releases) must not go below zero for a reader
            if (pendingAllocations != 0)
            {
                allocations.getAndAdd(pendingAllocations);
                pendingAllocations = 0;
            }
            if (pendingReleases != 0)
            {
                releases.getAndAdd(pendingReleases);
                pendingReleases = 0;
            }
            if (pendingFailures != 0)
            {
                allocationFailures.getAndAdd(pendingFailures);
                pendingFailures = 0;
            }
        }
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

    /**
     * Buffers not handed out: the slots minus {@link #inFlight()}. Exact when no call is under way and every
     * {@link LocalCache} is flushed (a cache's unpublished allocations and releases are not seen before).
     */
    public int free()
    {
        return (int)Math.max(0, slotCount - inFlight());
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
