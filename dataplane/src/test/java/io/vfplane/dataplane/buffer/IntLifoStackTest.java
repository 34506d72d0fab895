package io.vfplane.dataplane.buffer;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IntLifoStackTest
{
    @Test
    void shouldHandOutTheLastPushedFirst()
    {
        final IntLifoStack stack = new IntLifoStack(8);
        assertTrue(stack.isEmpty());
        assertEquals(-1, stack.pop(-1));
        stack.push(3);
        stack.push(5);
        assertEquals(5, stack.pop(-1));
        stack.push(7);
        assertEquals(7, stack.pop(-1));
        assertEquals(3, stack.pop(-1));
        assertTrue(stack.isEmpty());
    }

    @Test
    void shouldPushAndPopRunsWithTheFirstOfARunOnTop()
    {
        final IntLifoStack stack = new IntLifoStack(16);
        stack.push(9);
        stack.push(new int[] {0, 1, 2, 3, 4}, 1, 3); // 1 on top, then 2, 3, then 9
        final int[] out = new int[10];
        assertEquals(2, stack.pop(out, 0, 2));
        assertEquals(1, out[0]);
        assertEquals(2, out[1]);
        assertEquals(2, stack.pop(out, 2, 8), "fewer than asked when the stack holds fewer");
        assertEquals(3, out[2]);
        assertEquals(9, out[3]);
        assertEquals(0, stack.pop(out, 0, 4));
        stack.push(out, 0, 0);
        assertTrue(stack.isEmpty(), "an empty run pushes nothing");
    }

    /**
     * Four threads each pop runs or single values, hold them a moment and push them back (singly or as a run): every
     * value must be owned by at most one thread at a time, and all of them must be back at the end. A lost ABA check
     * shows as a value popped twice or a value lost.
     */
    @Test
    void shouldNeverHandOutAValueTwiceUnderContention() throws Exception
    {
        final int values = 64;
        final IntLifoStack stack = new IntLifoStack(values);
        for (int i = 0; i < values; i++)
        {
            stack.push(i);
        }
        final AtomicIntegerArray owner = new AtomicIntegerArray(values);
        final AtomicLong violations = new AtomicLong();
        final AtomicLong operations = new AtomicLong();
        final Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++)
        {
            final int me = t + 1;
            final boolean bulk = (t & 1) == 0;
            threads[t] = new Thread(() ->
            {
                final int[] held = new int[5];
                for (int round = 0; round < 200_000; round++)
                {
                    int n;
                    if (bulk)
                    {
                        n = stack.pop(held, 0, 1 + round % held.length);
                    }
                    else
                    {
                        final int v = stack.pop(-1);
                        n = v < 0 ? 0 : 1;
                        held[0] = v;
                    }
                    for (int i = 0; i < n; i++)
                    {
                        if (!owner.compareAndSet(held[i], 0, me))
                        {
                            violations.incrementAndGet();
                        }
                    }
                    for (int i = 0; i < n; i++)
                    {
                        owner.set(held[i], 0);
                    }
                    if (bulk)
                    {
                        stack.push(held, 0, n);
                    }
                    else
                    {
                        for (int i = 0; i < n; i++)
                        {
                            stack.push(held[i]);
                        }
                    }
                    operations.addAndGet(n);
                }
            });
        }
        for (final Thread t : threads)
        {
            t.start();
        }
        for (final Thread t : threads)
        {
            t.join(60_000);
            assertFalse(t.isAlive());
        }
        assertEquals(0, violations.get(), "a value was handed to two threads at once");
        assertTrue(operations.get() > 0);
        final boolean[] back = new boolean[values];
        final int[] out = new int[values + 1];
        assertEquals(values, stack.pop(out, 0, values + 1), "every value is back");
        for (int i = 0; i < values; i++)
        {
            assertFalse(back[out[i]], "value " + out[i] + " twice in the stack");
            back[out[i]] = true;
        }
    }
}
