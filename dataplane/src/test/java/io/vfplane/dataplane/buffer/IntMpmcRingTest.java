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
}
