package io.vfplane.pipeline.idle;

import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Wakes a pipeline's parked stage threads without a lock.
 *
 * <p>A thread about to park {@link #announce announces} itself (its slot holds its {@link Thread}, the waiter count
 * goes up), re-checks the condition it waits for, parks, and {@link #retract retracts}. A publisher (the producer
 * after it moved the cursor, a stage group after it moved its sequence) calls {@link #signal()}: a full fence, one
 * volatile read of the waiter count and, only when someone waits, a claim of its slot (compare-and-set to null) and one
 * unpark per claimed thread: the later publishes of a burst find the slot empty and unpark nobody. The fence orders the
 * publisher's release store of the sequence before its read of the waiter count, and the waiter's count increment
 * before its re-read of the sequence (Dekker), so one of the two always sees the other: no lost wake-up. Parks are
 * bounded all the same, as a safety net.
 *
 * <p>A signaller that claims a slot records when it did ({@link System#nanoTime()}, once per wake-up, not per
 * publish): the woken thread learns when its burst was published, not when it got the core back, so that it can
 * time bursts from their publication and measure its own wake-up latency.
 *
 * <p>A pipeline whose strategy never parks (busy-spin, yielding, sleeping) builds this with {@code enabled == false}
 * and then {@link #signal()} costs a branch.
 */
public final class Wakeup
{
    /** What {@link #retract} returns when no signal woke the thread. */
    public static final long NOT_SIGNALLED = Long.MIN_VALUE;

    private final boolean enabled;
    private final AtomicInteger waiters = new AtomicInteger();
    private final AtomicReferenceArray<Thread> parked;
    private final AtomicLongArray signalledAtNs;

    /**
     * @param slots   how many threads may park (one slot per stage thread).
     * @param enabled false when no thread ever parks on a signal.
     */
    public Wakeup(final int slots, final boolean enabled)
    {
        this.enabled = enabled;
        this.parked = new AtomicReferenceArray<>(slots);
        this.signalledAtNs = new AtomicLongArray(slots);
    }

    /** Called after a sequence was published: wakes parked threads, if any. */
    public void signal()
    {
        if (enabled)
        {
            VarHandle.fullFence();
            if (waiters.get() > 0)
            {
                wakeAnnounced();
            }
        }
    }

    /**
     * Claims each announced thread's slot and unparks the threads it claimed. A burst publishes packet after packet
     * while the woken thread is still on its way out of the park; claiming the slot means only the first publish
     * pays for an unpark (a lock and a futex wake in the JVM), the rest see an empty slot, and no stale permit is left
     * behind to turn the thread's next park into a spurious return.
     */
    private void wakeAnnounced()
    {
        for (int i = 0, n = parked.length(); i < n; i++)
        {
            final Thread thread = parked.get(i);
            if (thread != null && parked.compareAndSet(i, thread, null))
            {
                signalledAtNs.set(i, System.nanoTime());
                waiters.decrementAndGet();
                LockSupport.unpark(thread);
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
        // Count first, then the slot: a signaller that claims the slot (and decrements) is then always ordered after
        // this increment, so the count never dips below the real number of waiters and hides another one.
        signalledAtNs.set(slot, NOT_SIGNALLED);
        waiters.incrementAndGet();
        parked.set(slot, thread);
        // The waiter's half of the Dekker pair: the slot store before its re-read of the sequences.
        VarHandle.fullFence();
    }

    /**
     * The thread in {@code slot} is running again. When a signaller already claimed the slot it also took the
     * thread off the count; otherwise the thread does both here (woken by its park bound or spuriously).
     *
     * @return when a signaller claimed the slot ({@link System#nanoTime()}), or {@link #NOT_SIGNALLED} when none did
     * (or it has not written its time yet: it claims, then writes, then unparks).
     */
    public long retract(final int slot)
    {
        final Thread thread = parked.get(slot);
        if (thread != null && parked.compareAndSet(slot, thread, null))
        {
            waiters.decrementAndGet();
            return NOT_SIGNALLED;
        }
        return signalledAtNs.get(slot);
    }

    /**
     * @return true when a thread is announced in {@code slot} and no signal has claimed it yet.
     */
    public boolean isAnnounced(final int slot)
    {
        return parked.get(slot) != null;
    }

    /**
     * @return how many threads are announced as parked now.
     */
    public int waiters()
    {
        return waiters.get();
    }
}
