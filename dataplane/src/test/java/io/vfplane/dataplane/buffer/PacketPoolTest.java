package io.vfplane.dataplane.buffer;

import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PacketPoolTest
{
    @Test
    void shouldHandOutEverySlotOnceAndReportExhaustion()
    {
        try (Counters counters = Counters.inMemory(64);
            PacketPool pool = new PacketPool("t", 8, 128, 2048, counters))
        {
            final Set<Integer> ids = new HashSet<>();
            for (int i = 0; i < 8; i++)
            {
                final int id = pool.allocate();
                assertTrue(id >= 0 && id < 8);
                assertTrue(ids.add(id), "slot handed out twice: " + id);
            }
            assertEquals(PacketPool.NO_BUFFER, pool.allocate());
            assertEquals(1, pool.allocationFailures());
            assertEquals(8, pool.inFlight());
            assertEquals(0, pool.free());
            assertEquals(1, counters.valueOf("pool.t.allocation_failures", -1));
            for (final int id : ids)
            {
                assertTrue(pool.release(id));
            }
            assertEquals(0, pool.inFlight());
            assertEquals(8, pool.free());
            assertEquals(8, counters.valueOf("pool.t.releases", -1));
        }
    }

    @Test
    void shouldRefuseAndCountDoubleFreeAndForeignIds()
    {
        try (Counters counters = Counters.inMemory(64);
            PacketPool pool = new PacketPool("t", 4, 128, 2048, counters))
        {
            final int id = pool.allocate();
            assertTrue(pool.release(id));
            assertFalse(pool.release(id));
            assertFalse(pool.release(-1));
            assertFalse(pool.release(4));
            assertEquals(3, pool.doubleFrees());
            assertEquals(0, pool.inFlight());
            assertEquals(4, pool.free());
        }
    }

    @Test
    void shouldKeepHeadroomInFrontOfEveryFrameAndSlotsApart()
    {
        try (Counters counters = Counters.inMemory(64);
            PacketPool pool = new PacketPool("t", 4, 192, 1500, counters))
        {
            for (int id = 0; id < 4; id++)
            {
                assertEquals(pool.slotOffset(id) + 192, pool.dataOffset(id));
                assertTrue(pool.dataOffset(id) + 1500 <= pool.slotLimit(id));
                if (id > 0)
                {
                    assertEquals(pool.slotLimit(id - 1), pool.slotOffset(id));
                }
                assertEquals(0, pool.slotOffset(id) % 64, "slots are cache-line aligned");
            }
            final int id = pool.allocate();
            final PacketDescriptor d = new PacketDescriptor().bind(id, pool.dataOffset(id), 60);
            assertTrue(d.prepend(50, pool.slotOffset(id)));
            assertEquals(110, d.length());
            assertTrue(d.prepend(142, pool.slotOffset(id)));
            assertFalse(d.prepend(1, pool.slotOffset(id)), "headroom is used up");
            assertEquals(pool.slotOffset(id), d.offset());
            assertTrue(d.strip(192));
            assertEquals(pool.dataOffset(id), d.offset());
            assertEquals(60, d.length());
            pool.release(id);
        }
    }

    @Test
    void shouldRejectTooLittleHeadroom()
    {
        try (Counters counters = Counters.inMemory(64))
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> new PacketPool("small", 4, 64, 2048, counters));
            assertTrue(ex.getMessage().contains("headroom"), ex.getMessage());
        }
    }

    @Test
    void shouldNeitherLoseNorDuplicateSlotsUnderConcurrentAllocateAndRelease() throws Exception
    {
        final int slots = 256;
        try (Counters counters = Counters.inMemory(64);
            PacketPool pool = new PacketPool("mt", slots, 128, 256, counters))
        {
            final int threads = 4;
            final int rounds = 200_000;
            final CountDownLatch start = new CountDownLatch(1);
            final AtomicLong corrupt = new AtomicLong();
            final Thread[] workers = new Thread[threads];
            for (int t = 0; t < threads; t++)
            {
                final int marker = t + 1;
                workers[t] = new Thread(() ->
                {
                    try
                    {
                        start.await();
                    }
                    catch (final InterruptedException ex)
                    {
                        return;
                    }
                    for (int i = 0; i < rounds; i++)
                    {
                        final int id = pool.allocate();
                        if (id == PacketPool.NO_BUFFER)
                        {
                            continue;
                        }
                        // while we own the slot nobody else may write it
                        pool.buffer().putInt(pool.dataOffset(id), marker);
                        Thread.onSpinWait();
                        if (pool.buffer().getInt(pool.dataOffset(id)) != marker)
                        {
                            corrupt.incrementAndGet();
                        }
                        pool.release(id);
                    }
                });
                workers[t].start();
            }
            start.countDown();
            for (final Thread w : workers)
            {
                w.join();
            }
            assertEquals(0, corrupt.get(), "a slot was owned by two threads at once");
            assertEquals(0, pool.inFlight());
            assertEquals(0, pool.doubleFrees());
            assertEquals(slots, pool.free());
            final Set<Integer> ids = new HashSet<>();
            for (int i = 0; i < slots; i++)
            {
                assertTrue(ids.add(pool.allocate()));
            }
            assertFalse(ids.contains(PacketPool.NO_BUFFER));
        }
    }
}
