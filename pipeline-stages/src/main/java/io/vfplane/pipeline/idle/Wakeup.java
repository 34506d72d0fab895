package io.vfplane.pipeline.idle;

import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Wakes a pipeline's parked stage threads without a lock.
 *
 * <p>A thread about to park {@link #announce announces} itself (its slot holds its {@link Thread}, the waiter count
 * goes up), re-checks the condition it waits for, parks, and {@link #retract retracts}. A publisher (the producer
 * after it moved the cursor, a stage group after it moved its sequence) calls {@link #signal()}: a full fence, one
 * volatile read of the waiter count and, only when someone waits, an unpark per waiting thread. The fence orders the
 * publisher's release store of the sequence before its read of the waiter count, and the waiter's count increment
 * before its re-read of the sequence (Dekker), so one of the two always sees the other: no lost wake-up. Parks are
 * bounded all the same, as a safety net.
 *
 * <p>A pipeline whose strategy never parks (busy-spin, yielding, sleeping) builds this with {@code enabled == false}
 * and then {@link #signal()} costs a branch.
 */
public final class Wakeup
{
    private final boolean enabled;
    private final AtomicInteger waiters = new AtomicInteger();
    private final AtomicReferenceArray<Thread> parked;

    /**
     * @param slots   how many threads may park (one slot per stage thread).
     * @param enabled false when no thread ever parks on a signal.
     */
    public Wakeup(final int slots, final boolean enabled)
    {
        this.enabled = enabled;
        this.parked = new AtomicReferenceArray<>(slots);
    }

    /** Called after a sequence was published: wakes parked threads, if any. */
    public void signal()
    {
        if (enabled)
        {
            VarHandle.fullFence();
            if (waiters.get() > 0)
            {
                unparkAll();
            }
        }
    }

    /** Unparks every announced thread, whether or not the strategy uses signals (shutdown). */
    public void unparkAll()
    {
        for (int i = 0, n = parked.length(); i < n; i++)
        {
            final Thread thread = parked.get(i);
            if (thread != null)
            {
                LockSupport.unpark(thread);
            }
        }
    }

    /** The calling thread is about to park in {@code slot}; re-check the wait condition after this. */
    public void announce(final int slot, final Thread thread)
    {
        parked.set(slot, thread);
        waiters.incrementAndGet();
    }

    /** The thread in {@code slot} is running again. */
    public void retract(final int slot)
    {
        waiters.decrementAndGet();
        parked.set(slot, null);
    }

    /**
     * @return how many threads are announced as parked now.
     */
    public int waiters()
    {
        return waiters.get();
    }
}
