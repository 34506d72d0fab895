package io.vfplane.dataplane.buffer;

import org.agrona.BitUtil;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A bounded multi-producer multi-consumer queue of {@code int}s, lock-free, with no allocation after construction.
 * It is Dmitry Vyukov's bounded MPMC array queue: each cell carries a sequence number that tells producers and
 * consumers whether the cell is theirs for this lap, so one CAS on the head or tail index claims a cell.
 * Used as the free list of {@link PacketPool}: packets are taken on an rx thread and returned on a tx thread.
 */
public final class IntMpmcRing
{
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            HEAD = lookup.findVarHandle(IntMpmcRing.class, "head", long.class);
            TAIL = lookup.findVarHandle(IntMpmcRing.class, "tail", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final int mask;
    private final long[] sequences;
    private final int[] values;

    // head and tail are padded apart so producers and consumers do not share a cache line
    @SuppressWarnings("unused") private long p01, p02, p03, p04, p05, p06, p07;
    private volatile long tail;
    @SuppressWarnings("unused") private long p11, p12, p13, p14, p15, p16, p17;
    private volatile long head;
    @SuppressWarnings("unused") private long p21, p22, p23, p24, p25, p26, p27;

    /**
     * @param capacity the number of values it can hold; rounded up to a power of two.
     */
    public IntMpmcRing(final int capacity)
    {
        if (capacity < 1 || capacity > (1 << 30))
        {
            throw new IllegalArgumentException("capacity must be in 1.." + (1 << 30) + ": " + capacity);
        }
        final int size = BitUtil.findNextPositivePowerOfTwo(capacity);
        this.mask = size - 1;
        this.sequences = new long[size];
        this.values = new int[size];
        for (int i = 0; i < size; i++)
        {
            sequences[i] = i;
        }
    }

    public int capacity()
    {
        return mask + 1;
    }

    /**
     * @return false when the ring is full.
     */
    public boolean offer(final int value)
    {
        long pos = (long)TAIL.getVolatile(this);
        while (true)
        {
            final int index = (int)pos & mask;
            final long seq = (long)LONGS.getAcquire(sequences, index);
            final long diff = seq - pos;
            if (diff == 0)
            {
                if (TAIL.compareAndSet(this, pos, pos + 1))
                {
                    INTS.setOpaque(values, index, value);
                    LONGS.setRelease(sequences, index, pos + 1);
                    return true;
                }
                pos = (long)TAIL.getVolatile(this);
            }
            else if (diff < 0)
            {
                return false;
            }
            else
            {
                pos = (long)TAIL.getVolatile(this);
            }
        }
    }

    /**
     * @return the value taken, or {@code emptyValue} when the ring is empty.
     */
    public int poll(final int emptyValue)
    {
        long pos = (long)HEAD.getVolatile(this);
        while (true)
        {
            final int index = (int)pos & mask;
            final long seq = (long)LONGS.getAcquire(sequences, index);
            final long diff = seq - (pos + 1);
            if (diff == 0)
            {
                if (HEAD.compareAndSet(this, pos, pos + 1))
                {
                    final int value = (int)INTS.getOpaque(values, index);
                    LONGS.setRelease(sequences, index, pos + mask + 1);
                    return value;
                }
                pos = (long)HEAD.getVolatile(this);
            }
            else if (diff < 0)
            {
                return emptyValue;
            }
            else
            {
                pos = (long)HEAD.getVolatile(this);
            }
        }
    }

    /**
     * Offers up to {@code count} values with one CAS on the tail: claims the run of free cells that starts at the tail
     * (at most {@code count}), then fills and publishes them. A bulk offer costs one contended CAS instead of
     * {@code count}, which is what keeps a pool's free list cheap when buffers are returned on another core.
     *
     * @return how many values of {@code src[offset, offset + count)} were taken, from the front; 0 when full.
     */
    public int offer(final int[] src, final int offset, final int count)
    {
        if (count <= 0)
        {
            return 0;
        }
        long pos = (long)TAIL.getVolatile(this);
        while (true)
        {
            int k = 0;
            while (k < count && (long)LONGS.getAcquire(sequences, (int)(pos + k) & mask) == pos + k)
            {
                k++;
            }
            if (k == 0)
            {
                final long seq = (long)LONGS.getAcquire(sequences, (int)pos & mask);
                if (seq - pos < 0)
                {
                    return 0; // the cell still holds last lap's value: full
                }
                pos = (long)TAIL.getVolatile(this);
                continue;
            }
            if (TAIL.compareAndSet(this, pos, pos + k))
            {
                // cells pos..pos+k-1 are ours: nobody else can claim them until the tail passes them again
                for (int i = 0; i < k; i++)
                {
                    final int index = (int)(pos + i) & mask;
                    INTS.setOpaque(values, index, src[offset + i]);
                    LONGS.setRelease(sequences, index, pos + i + 1);
                }
                return k;
            }
            pos = (long)TAIL.getVolatile(this);
        }
    }

    /**
     * Takes up to {@code count} values with one CAS on the head: claims the run of published cells that starts at the
     * head (at most {@code count}), then reads and frees them.
     *
     * @return how many values were written to {@code dst[offset, offset + n)}; 0 when empty. Fewer than
     * {@code count} when fewer were published in a row at the head.
     */
    public int poll(final int[] dst, final int offset, final int count)
    {
        if (count <= 0)
        {
            return 0;
        }
        long pos = (long)HEAD.getVolatile(this);
        while (true)
        {
            int k = 0;
            while (k < count && (long)LONGS.getAcquire(sequences, (int)(pos + k) & mask) == pos + k + 1)
            {
                k++;
            }
            if (k == 0)
            {
                final long seq = (long)LONGS.getAcquire(sequences, (int)pos & mask);
                if (seq - (pos + 1) < 0)
                {
                    return 0; // not yet published: empty
                }
                pos = (long)HEAD.getVolatile(this);
                continue;
            }
            if (HEAD.compareAndSet(this, pos, pos + k))
            {
                for (int i = 0; i < k; i++)
                {
                    final int index = (int)(pos + i) & mask;
                    dst[offset + i] = (int)INTS.getOpaque(values, index);
                    LONGS.setRelease(sequences, index, pos + i + mask + 1);
                }
                return k;
            }
            pos = (long)HEAD.getVolatile(this);
        }
    }

    /**
     * @return the number of values in the ring; exact when no other thread is offering or polling.
     */
    public int size()
    {
        while (true)
        {
            final long before = head;
            final long t = tail;
            final long after = head;
            if (before == after)
            {
                final long size = t - after;
                return (int)Math.max(0, Math.min(size, capacity()));
            }
        }
    }
}
