package io.vfplane.dataplane.buffer;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IntMpmcRingTest
{
    @Test
    void shouldRoundCapacityUpToPowerOfTwoAndKeepFifoOrder()
    {
        final IntMpmcRing ring = new IntMpmcRing(5);
        assertEquals(8, ring.capacity());
        for (int i = 0; i < 8; i++)
        {
            assertTrue(ring.offer(i));
        }
        assertFalse(ring.offer(99));
        assertEquals(8, ring.size());
        for (int i = 0; i < 8; i++)
        {
            assertEquals(i, ring.poll(-1));
        }
        assertEquals(-1, ring.poll(-1));
        assertEquals(0, ring.size());
    }

    @Test
    void shouldDeliverEveryValueExactlyOnceAcrossProducersAndConsumers() throws Exception
    {
        final IntMpmcRing ring = new IntMpmcRing(64);
        final int producers = 2;
        final int perProducer = 300_000;
        final AtomicLongArray seen = new AtomicLongArray(producers * perProducer);
        final Thread[] threads = new Thread[4];
        for (int p = 0; p < producers; p++)
        {
            final int base = p * perProducer;
            threads[p] = new Thread(() ->
            {
                for (int i = 0; i < perProducer; i++)
                {
                    while (!ring.offer(base + i))
                    {
                        Thread.onSpinWait();
                    }
                }
            });
        }
        final java.util.concurrent.atomic.AtomicInteger taken = new java.util.concurrent.atomic.AtomicInteger();
        for (int c = 0; c < 2; c++)
        {
            threads[producers + c] = new Thread(() ->
            {
                while (taken.get() < producers * perProducer)
                {
                    final int v = ring.poll(-1);
                    if (v >= 0)
                    {
                        seen.incrementAndGet(v);
                        taken.incrementAndGet();
                    }
                    else
                    {
                        Thread.onSpinWait();
                    }
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
        }
        for (int i = 0; i < seen.length(); i++)
        {
            assertEquals(1, seen.get(i), "value " + i);
        }
    }

    @Test
    void shouldOfferAndPollInBulkUpToWhatFitsKeepingFifoOrder()
    {
        final IntMpmcRing ring = new IntMpmcRing(8);
        final int[] in = {10, 11, 12, 13, 14, 15, 16, 17, 18, 19};
        assertEquals(3, ring.offer(in, 0, 3));
        assertEquals(5, ring.offer(in, 3, 7), "only the free cells are claimed");
        assertEquals(0, ring.offer(in, 8, 2), "full");
        assertEquals(0, ring.offer(in, 0, 0));
        assertEquals(8, ring.size());
        final int[] out = new int[12];
        assertEquals(2, ring.poll(out, 1, 2));
        assertEquals(10, out[1]);
        assertEquals(11, out[2]);
        assertEquals(6, ring.poll(out, 3, 9), "only the published cells are taken");
        for (int i = 0; i < 6; i++)
        {
            assertEquals(12 + i, out[3 + i]);
        }
        assertEquals(0, ring.poll(out, 0, 4), "empty");
        assertEquals(-1, ring.poll(-1));
        // wrap around the end of the array with single and bulk calls mixed
        assertTrue(ring.offer(1));
        assertEquals(7, ring.offer(in, 0, 7));
        assertEquals(1, ring.poll(-1));
        assertEquals(7, ring.poll(out, 0, 8));
        assertEquals(10, out[0]);
        assertEquals(16, out[6]);
    }

    @Test
    void shouldDeliverEveryValueExactlyOnceAcrossBulkProducersAndConsumers() throws Exception
    {
        final IntMpmcRing ring = new IntMpmcRing(64);
        final int producers = 2;
        final int perProducer = 300_000;
        final AtomicLongArray seen = new AtomicLongArray(producers * perProducer);
        final java.util.concurrent.atomic.AtomicInteger taken = new java.util.concurrent.atomic.AtomicInteger();
        final Thread[] threads = new Thread[4];
        for (int p = 0; p < producers; p++)
        {
            final int base = p * perProducer;
            final int burst = 5 + p * 12; // different burst sizes, neither dividing the ring
            threads[p] = new Thread(() ->
            {
                final int[] values = new int[burst];
                int next = 0;
                while (next < perProducer)
                {
                    final int n = Math.min(burst, perProducer - next);
                    for (int i = 0; i < n; i++)
                    {
                        values[i] = base + next + i;
                    }
                    int done = 0;
                    while (done < n)
                    {
                        final int k = ring.offer(values, done, n - done);
                        if (k == 0)
                        {
                            Thread.onSpinWait();
                        }
                        done += k;
                    }
                    next += n;
                }
            });
        }
        for (int c = 0; c < 2; c++)
        {
            final boolean bulk = c == 0; // one bulk consumer racing one single-value consumer
            threads[producers + c] = new Thread(() ->
            {
                final int[] values = new int[7];
                while (taken.get() < producers * perProducer)
                {
                    final int n = bulk ? ring.poll(values, 0, values.length) : single(ring, values);
                    for (int i = 0; i < n; i++)
                    {
                        seen.incrementAndGet(values[i]);
                    }
                    if (n == 0)
                    {
                        Thread.onSpinWait();
                    }
                    taken.addAndGet(n);
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
        }
        assertEquals(producers * perProducer, taken.get());
        for (int i = 0; i < seen.length(); i++)
        {
            assertEquals(1, seen.get(i), "value " + i);
        }
        assertEquals(0, ring.size());
    }

    private static int single(final IntMpmcRing ring, final int[] values)
    {
        final int v = ring.poll(-1);
        if (v < 0)
        {
            return 0;
        }
        values[0] = v;
        return 1;
    }
}
