package io.vfplane.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The inline placement: the producer's thread runs the stages, at a full batch and at {@link Pipeline#flush()};
 * producers that share the pipeline take turns; close drains and ends the stages.
 */
class InlinePipelineTest
{
    /** Records the threads and batch sizes it ran with and whether two threads were ever inside at once. */
    static final class Witness implements Stage
    {
        final List<Thread> threads = new ArrayList<>();
        final List<Integer> batches = new ArrayList<>();
        final AtomicInteger inside = new AtomicInteger();
        volatile boolean overlapped;
        int stops;

        @Override
        public String name()
        {
            return "witness";
        }

        @Override
        public void onBatch(final PacketBatch batch)
        {
            if (inside.incrementAndGet() != 1)
            {
                overlapped = true;
            }
            threads.add(Thread.currentThread());
            batches.add(batch.size());
            for (int i = 0; i < batch.size(); i++)
            {
                batch.get(i).outPort(0);
            }
            Thread.onSpinWait();
            inside.decrementAndGet();
        }

        @Override
        public void onStop()
        {
            stops++;
        }
    }

    private static Pipeline inline(
        final PacketPool pool, final Counters counters, final int maxBatch, final Stage stage, final Output out)
    {
        return Pipeline.builder("in").pool(pool).counters(counters).maxBatch(maxBatch)
            .placement(Placement.parse("inline")).stage(stage).tx(out).build().start();
    }

    @Test
    void shouldRunTheStagesOnTheProducersThreadAtAFullBatchAndAtFlush()
    {
        try (Counters counters = Counters.inMemory(1024);
            PacketPool pool = new PacketPool("t", 512, PacketPool.MIN_HEADROOM, 256, counters))
        {
            final Witness witness = new Witness();
            final TestStages.Recorder out = new TestStages.Recorder();
            final Pipeline p = inline(pool, counters, 64, witness, out);
            assertTrue(p.threads().isEmpty(), "an inline pipeline has no thread of its own");
            assertEquals(0, counters.valueOf("pipeline.in.threads", -1));
            final PacketDescriptor d = new PacketDescriptor();
            for (int i = 0; i < 10; i++)
            {
                assertTrue(TestStages.fill(pool, d, 1, i));
                assertTrue(p.offer(d));
            }
            assertTrue(witness.batches.isEmpty(), "a burst waits for its end");
            p.flush();
            assertEquals(List.of(10), witness.batches);
            assertEquals(10, out.count);
            for (int i = 10; i < 160; i++)
            {
                assertTrue(TestStages.fill(pool, d, 1, i));
                assertTrue(p.offer(d));
            }
            assertEquals(List.of(10, 64, 64), witness.batches, "a full batch runs without waiting for the flush");
            p.flush();
            assertEquals(List.of(10, 64, 64, 22), witness.batches);
            for (final Thread t : witness.threads)
            {
                assertSame(Thread.currentThread(), t);
            }
            assertEquals(160, out.count);
            for (int i = 0; i < 160; i++)
            {
                assertEquals(((long)1 << 32) | i, out.received[i], "in order");
            }
            assertEquals(0, out.byteMismatches);
            p.close();
            assertEquals(1, witness.stops);
            assertEquals(0, pool.inFlight());
        }
    }

    @Test
    void shouldDrainWhatIsLeftAndEndTheStagesOnClose()
    {
        try (Counters counters = Counters.inMemory(1024);
            PacketPool pool = new PacketPool("t", 64, PacketPool.MIN_HEADROOM, 256, counters))
        {
            final Witness witness = new Witness();
            final TestStages.Recorder out = new TestStages.Recorder();
            final Pipeline p = inline(pool, counters, 32, witness, out);
            final PacketDescriptor d = new PacketDescriptor();
            final PacketDescriptor[] run = new PacketDescriptor[5];
            for (int i = 0; i < run.length; i++)
            {
                run[i] = new PacketDescriptor();
                assertTrue(TestStages.fill(pool, run[i], 2, i));
            }
            assertEquals(5, p.offer(run, 0, 5));
            assertEquals(0, out.count);
            p.close();
            assertEquals(5, out.count, "close runs what was offered and not flushed");
            assertEquals(1, witness.stops);
            assertTrue(TestStages.fill(pool, d, 2, 5));
            assertFalse(p.offer(d), "refused after close");
            p.flush();
            assertEquals(5, out.count);
            assertEquals(0, pool.inFlight());
        }
    }

    @Test
    void shouldLetSeveralProducersShareAnInlinePipelineOneAtATimeWithoutStrandingPackets() throws Exception
    {
        final int producers = 3;
        final int perProducer = 30_000;
        try (Counters counters = Counters.inMemory(1024);
            PacketPool pool = new PacketPool("t", 2048, PacketPool.MIN_HEADROOM, 256, counters))
        {
            final Witness witness = new Witness();
            final TestStages.Recorder out = new TestStages.Recorder();
            final Pipeline p = Pipeline.builder("in").pool(pool).counters(counters).ringSize(256).maxBatch(64)
                .multiProducer(true).backpressure(BackpressurePolicy.BLOCK).placement(Placement.inline()).stage(witness)
                .tx(out).build().start();
            final Thread[] threads = new Thread[producers];
            final AtomicInteger failures = new AtomicInteger();
            for (int t = 0; t < producers; t++)
            {
                final int flow = t;
                threads[t] = new Thread(() ->
                {
                    final PacketDescriptor d = new PacketDescriptor();
                    for (int i = 0; i < perProducer; i++)
                    {
                        if (!TestStages.fill(pool, d, flow, i) || !p.offer(d))
                        {
                            failures.incrementAndGet();
                        }
                        if (i % 7 == 6)
                        {
                            p.flush(); // bursts of 7, as a receive loop
                        }
                    }
                    p.flush();
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
            assertEquals(0, failures.get());
            assertFalse(witness.overlapped, "two producers ran the stages at the same time");
            assertEquals(producers * perProducer, out.count,
                "every packet ran before its producer's last flush returned or by the producer running then");
            final long[] next = new long[producers];
            for (int i = 0; i < out.count; i++)
            {
                final int flow = (int)(out.received[i] >>> 32);
                assertEquals(next[flow]++, out.received[i] & 0xFFFF_FFFFL, "flow " + flow + " in order");
            }
            p.close();
            assertEquals(0, pool.inFlight());
        }
    }
}
