package io.vfplane.dataplane.buffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A lock-free last-in-first-out stack of the ints {@code 0 .. capacity-1}, each present at most once, with no
 * allocation after construction: the free list of {@link PacketPool}.
 *
 * <p>Why LIFO: the id released last is the one allocated next, so a packet buffer is reused while its bytes are still
 * in the cache of the core that just touched it. A FIFO free list hands out the buffer freed longest ago: over a pool
 * of tens of megabytes (TSO slots are 80 KiB each) every receive then writes into memory that has left the cache, and
 * the copies into it run at memory speed rather than cache speed.
 *
 * <p>It is a Treiber stack with the links in an {@code int[]} beside the values (value {@code v}'s successor is
 * {@code next[v]}) and a head that packs a 32-bit version with the top value into one {@code long}. Every change of
 * the head bumps the version, so a CAS that read the head before some other thread popped and pushed the same top
 * fails (no ABA). While the head is unchanged the chain below it is unchanged too (links are only written for values
 * outside the stack), so a bulk pop walks the chain and takes a whole run with one CAS, and a bulk push links its run
 * privately and attaches it with one CAS.
 */
public final class IntLifoStack
{
    private static final VarHandle HEAD;
    private static final int EMPTY = -1;
    private static final long VERSION_ONE = 1L << 32;

    static
    {
        try
        {
            HEAD = MethodHandles.lookup().findVarHandle(IntLifoStack.class, "head", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final int[] next;
    @SuppressWarnings("unused") private long p01, p02, p03, p04, p05, p06, p07;
    /** Version in the high 32 bits, the top value (or {@link #EMPTY}) in the low 32. */
    private volatile long head = EMPTY & 0xFFFF_FFFFL;
    @SuppressWarnings("unused") private long p11, p12, p13, p14, p15, p16, p17;

    /**
     * @param capacity the values it may hold: {@code 0 .. capacity-1}; it starts empty.
     */
    public IntLifoStack(final int capacity)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
        }
        this.next = new int[capacity];
    }

    public int capacity()
    {
        return next.length;
    }

    private static int top(final long head)
    {
        return (int)head;
    }

    private static long headOf(final long previous, final int top)
    {
        return ((previous & 0xFFFF_FFFF_0000_0000L) + VERSION_ONE) | (top & 0xFFFF_FFFFL);
    }

    /**
     * Pushes {@code value}, which must not be in the stack (the pool's state array guarantees that).
     */
    public void push(final int value)
    {
        while (true)
        {
            final long h = head;
            next[value] = top(h);
            if (HEAD.compareAndSet(this, h, headOf(h, value)))
            {
                return;
            }
        }
    }

    /**
     * Pushes {@code values[offset, offset + count)} with one CAS; the first of them becomes the top.
     */
    public void push(final int[] values, final int offset, final int count)
    {
        if (count <= 0)
        {
            return;
        }
        final int last = offset + count - 1;
        for (int i = offset; i < last; i++)
        {
            next[values[i]] = values[i + 1];
        }
        final int first = values[offset];
        final int tail = values[last];
        while (true)
        {
            final long h = head;
            next[tail] = top(h);
            if (HEAD.compareAndSet(this, h, headOf(h, first)))
            {
                return;
            }
        }
    }

    /**
     * @return the top value, or {@code missing} when the stack is empty.
     */
    public int pop(final int missing)
    {
        while (true)
        {
            final long h = head;
            final int top = top(h);
            if (top == EMPTY)
            {
                return missing;
            }
            // next[top] may be stale if another thread pops top meanwhile; the CAS then fails on the version
            if (HEAD.compareAndSet(this, h, headOf(h, next[top])))
            {
                return top;
            }
        }
    }

    /**
     * Pops up to {@code count} values into {@code out[offset, ...)} with one CAS, top first.
     *
     * @return how many were taken: fewer than {@code count} only when the stack held fewer.
     */
    public int pop(final int[] out, final int offset, final int count)
    {
        while (true)
        {
            final long h = head;
            int v = top(h);
            int n = 0;
            while (n < count && v != EMPTY)
            {
                out[offset + n++] = v;
                v = next[v];
            }
            if (n == 0)
            {
                return 0;
            }
            // links read while the head stayed the same are the stack's own; if it moved, the CAS fails
            if (HEAD.compareAndSet(this, h, headOf(h, v)))
            {
                return n;
            }
        }
    }

    /**
     * @return whether the stack is empty at the moment of the call.
     */
    public boolean isEmpty()
    {
        return top(head) == EMPTY;
    }
}
