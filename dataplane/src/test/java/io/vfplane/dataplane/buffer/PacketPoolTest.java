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

    @Test
    void shouldAllocateInBulkAndCountTheShortfallAsFailures()
    {
        try (Counters counters = Counters.inMemory(64);
            PacketPool pool = new PacketPool("t", 10, 128, 2048, counters))
        {
            final int[] ids = new int[16];
            assertEquals(6, pool.allocate(ids, 1, 6));
            assertEquals(4, pool.allocate(ids, 7, 9), "only what is left");
            assertEquals(5, pool.allocationFailures(), "one failure per buffer not given");
            assertEquals(0, pool.allocate(ids, 0, 1));
            assertEquals(6, pool.allocationFailures());
            assertEquals(10, pool.allocations());
            assertEquals(10, pool.inFlight());
            final Set<Integer> seen = new HashSet<>();
            for (int i = 1; i < 11; i++)
            {
                assertTrue(pool.isAllocated(ids[i]));
                assertTrue(seen.add(ids[i]), "slot handed out twice: " + ids[i]);
            }
            assertEquals(10, counters.valueOf("pool.t.allocations", -1));
        }
    }

    @Test
    void shouldReleaseInBulkRefusingAndCountingDoubleFreesAndForeignIds()
    {
        try (Counters counters = Counters.inMemory(64);
            PacketPool pool = new PacketPool("t", 8, 128, 2048, counters))
        {
            final int[] ids = new int[8];
            assertEquals(4, pool.allocate(ids, 0, 4));
            final int a = ids[0];
            final int b = ids[1];
            final int c = ids[2];
            final int d = ids[3];
            assertTrue(pool.release(d));
            final int[] back = {a, b, -1, a, 99, c, d};
            assertEquals(3, pool.release(back, 0, back.length), "a, b and c; the second a, -1, 99 and d refused");
            assertEquals(4, pool.doubleFrees());
            assertEquals(4, pool.releases());
            assertEquals(0, pool.inFlight());
            assertEquals(8, pool.free());
            assertFalse(pool.isAllocated(a));
            assertEquals(4, counters.valueOf("pool.t.double_frees", -1));
            // every slot can be taken again, once
            final Set<Integer> seen = new HashSet<>();
            assertEquals(8, pool.allocate(ids, 0, 8));
            for (final int id : ids)
            {
                assertTrue(seen.add(id));
            }
        }
    }

    @Test
    void shouldKeepAccountingExactAfterLocalCacheFlush()
    {
        try (Counters counters = Counters.inMemory(64);
            PacketPool pool = new PacketPool("t", 64, 128, 2048, counters))
        {
            final PacketPool.LocalCache cache = pool.localCache(16);
            final int[] held = new int[40];
            for (int i = 0; i < 40; i++)
            {
                held[i] = cache.allocate();
                assertTrue(pool.isAllocated(held[i]));
            }
            for (int i = 0; i < 30; i++)
            {
                assertTrue(cache.release(held[i]));
                assertFalse(pool.isAllocated(held[i]));
            }
            assertFalse(cache.release(held[0]), "double free into the cache");
            assertFalse(pool.release(held[1]), "double free of a cached buffer into the pool");
            assertEquals(2, pool.doubleFrees(), "double frees are counted at once");
            assertTrue(cache.size() > 0 && cache.size() <= 16);
            cache.flush();
            assertEquals(0, cache.size());
            assertEquals(40, pool.allocations());
            assertEquals(30, pool.releases());
            assertEquals(10, pool.inFlight());
            assertEquals(54, pool.free());
            for (int i = 30; i < 40; i++)
            {
                assertTrue(pool.release(held[i]), "a cache's buffer may be released to the pool");
            }
            // bulk through the cache: from the cache first, then from the pool; the shortfall is counted
            final int[] ids = new int[80];
            assertTrue(cache.release(pool.allocate()));
            assertEquals(64, cache.allocate(ids, 0, 80));
            assertEquals(PacketPool.NO_BUFFER, cache.allocate());
            cache.close();
            cache.close();
            assertEquals(17, pool.allocationFailures());
            assertEquals(64, pool.inFlight());
            assertEquals(64, pool.release(ids, 0, 64));
            assertEquals(0, pool.inFlight());
            assertEquals(64, pool.free());
            assertEquals(pool.allocations(), counters.valueOf("pool.t.allocations", -1));
            assertEquals(pool.releases(), counters.valueOf("pool.t.releases", -1));
        }
    }

    @Test
    void shouldRejectLocalCacheSizesOutsideThePool()
    {
        try (Counters counters = Counters.inMemory(64);
            PacketPool pool = new PacketPool("t", 8, 128, 2048, counters))
        {
            assertThrows(IllegalArgumentException.class, () -> pool.localCache(1));
            assertThrows(IllegalArgumentException.class, () -> pool.localCache(9));
        }
    }

    @Test
    void shouldNeitherLoseNorDuplicateSlotsWhenProducersAndConsumersUseBulkAndCaches() throws Exception
    {
        final int slots = 512;
        try (Counters counters = Counters.inMemory(64);
            PacketPool pool = new PacketPool("mt", slots, 128, 256, counters))
        {
            // two producers (one bulk, one through a cache) pass buffers to two consumers (one bulk, one cache)
            // through a queue, as a generator and a sink on other cores do; each buffer carries who filled it
            final IntMpmcRing handoff = new IntMpmcRing(slots * 2);
            final int perProducer = 200_000;
            final CountDownLatch start = new CountDownLatch(1);
            final AtomicLong corrupt = new AtomicLong();
            final AtomicLong consumed = new AtomicLong();
            final Thread[] threads = new Thread[4];
            for (int p = 0; p < 2; p++)
            {
                final boolean useCache = p == 1;
                final int marker = p + 1;
                threads[p] = new Thread(() ->
                {
                    await(start);
                    final int[] ids = new int[24];
                    try (PacketPool.LocalCache cache = pool.localCache(32))
                    {
                        int made = 0;
                        while (made < perProducer)
                        {
                            final int want = Math.min(ids.length, perProducer - made);
                            final int n = useCache ? cache.allocate(ids, 0, want) : pool.allocate(ids, 0, want);
                            for (int i = 0; i < n; i++)
                            {
                                pool.buffer().putInt(pool.dataOffset(ids[i]), marker);
                                pool.buffer().putInt(pool.dataOffset(ids[i]) + 4, ids[i]);
                            }
                            int done = 0;
                            while (done < n)
                            {
                                done += handoff.offer(ids, done, n - done);
                            }
                            made += n;
                            if (n == 0)
                            {
                                Thread.onSpinWait();
                            }
                        }
                    }
                });
            }
            for (int c = 0; c < 2; c++)
            {
                final boolean useCache = c == 1;
                threads[2 + c] = new Thread(() ->
                {
                    await(start);
                    final int[] ids = new int[17];
                    try (PacketPool.LocalCache cache = pool.localCache(64))
                    {
                        while (consumed.get() < 2L * perProducer)
                        {
                            final int n = handoff.poll(ids, 0, ids.length);
                            for (int i = 0; i < n; i++)
                            {
                                final int marker = pool.buffer().getInt(pool.dataOffset(ids[i]));
                                if ((marker != 1 && marker != 2) ||
                                    pool.buffer().getInt(pool.dataOffset(ids[i]) + 4) != ids[i] ||
                                    !pool.isAllocated(ids[i]))
                                {
                                    corrupt.incrementAndGet();
                                }
                                pool.buffer().putInt(pool.dataOffset(ids[i]), 0);
                                if (useCache && !cache.release(ids[i]))
                                {
                                    corrupt.incrementAndGet();
                                }
                            }
                            if (!useCache && pool.release(ids, 0, n) != n)
                            {
                                corrupt.incrementAndGet();
                            }
                            consumed.addAndGet(n);
                            if (n == 0)
                            {
                                Thread.onSpinWait();
                            }
                        }
                    }
                });
            }
            for (final Thread t : threads)
            {
                t.start();
            }
            start.countDown();
            for (final Thread t : threads)
            {
                t.join(120_000);
            }
            assertEquals(2L * perProducer, consumed.get());
            assertEquals(0, corrupt.get(), "a buffer was handed out twice or lost its owner's bytes");
            assertEquals(0, pool.doubleFrees());
            assertEquals(2L * perProducer, pool.allocations());
            assertEquals(2L * perProducer, pool.releases());
            assertEquals(0, pool.inFlight());
            assertEquals(slots, pool.free());
            final int[] all = new int[slots];
            assertEquals(slots, pool.allocate(all, 0, slots));
            final Set<Integer> ids = new HashSet<>();
            for (final int id : all)
            {
                assertTrue(ids.add(id), "slot in the free list twice: " + id);
            }
        }
    }

    private static void await(final CountDownLatch latch)
    {
        try
        {
            latch.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
