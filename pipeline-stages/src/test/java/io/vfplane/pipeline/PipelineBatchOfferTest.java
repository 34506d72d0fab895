package io.vfplane.pipeline;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.pipeline.idle.IdleStrategyConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The batch offer ({@link Pipeline#offer(PacketDescriptor[], int, int)}): runs larger than the ring, runs that find the
 * ring part full, several producers, a full ring under DROP and a closed pipeline; every packet is delivered in order
 * or refused and counted, and every buffer comes back.
 */
class PipelineBatchOfferTest
{
    private static final int PACKETS = 20_000;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"fused", "split"})
    void shouldDeliverEveryPacketOfEveryRunInOrderUnderBlock(final String placement)
    {
        try (Counters counters = Counters.inMemory(2048);
            PacketPool pool = new PacketPool("b", 4096, PacketPool.MIN_HEADROOM, 256, counters))
        {
            final TestStages.Recorder out = new TestStages.Recorder();
            final Pipeline pipeline = Pipeline.builder("b")
                .pool(pool)
                .counters(counters)
                .ringSize(16)
                .maxBatch(16)
                .placement(Placement.parse(placement))
                .idle(IdleStrategyConfig.Kind.SLEEPING)
                .backpressure(BackpressurePolicy.BLOCK)
                .stage(new TestStages.Classify())
                .tx(out)
                .build()
                .start();
            final PacketDescriptor[] run = descriptors(40);
            final long[] next = new long[TestStages.FLOWS];
            int sent = 0;
            int size = 1;
            while (sent < PACKETS)
            {
                final int n = Math.min(size, PACKETS - sent);
                for (int i = 0; i < n; i++)
                {
                    final int flow = (sent + i) % TestStages.FLOWS;
                    assertTrue(TestStages.fill(pool, run[i], flow, next[flow]++));
                }
                assertEquals(n, pipeline.offer(run, 0, n), "BLOCK takes every packet of a run");
                sent += n;
                size = size % 40 + 1; // 1..40: runs smaller and larger than the 16-entry ring
            }
            pipeline.close();
            assertEquals(PACKETS, out.count);
            assertEquals(0, out.byteMismatches);
            assertInOrderPerFlow(out);
            assertEquals(0, pool.inFlight());
            assertEquals(0, pool.doubleFrees());
            assertEquals(0, pipeline.entryFull());
        }
    }

    @Test
    void shouldKeepEachProducersFlowsInOrderWithSeveralBatchProducers() throws Exception
    {
        try (Counters counters = Counters.inMemory(2048);
            PacketPool pool = new PacketPool("m", 4096, PacketPool.MIN_HEADROOM, 256, counters))
        {
            final TestStages.Recorder out = new TestStages.Recorder();
            final Pipeline pipeline = Pipeline.builder("m")
                .pool(pool)
                .counters(counters)
                .ringSize(64)
                .maxBatch(64)
                .placement(Placement.fused())
                .idle(IdleStrategyConfig.Kind.BUSY_SPIN)
                .backpressure(BackpressurePolicy.BLOCK)
                .multiProducer(true)
                .stage(new TestStages.Classify())
                .tx(out)
                .build()
                .start();
            final List<Thread> producers = new ArrayList<>();
            final int[] failures = new int[2];
            for (int p = 0; p < 2; p++)
            {
                final int producer = p;
                producers.add(new Thread(() ->
                {
                    // producer p owns the flows of its parity, so each flow has one producer and one order
                    final PacketDescriptor[] run = descriptors(48);
                    final long[] next = new long[TestStages.FLOWS];
                    int sent = 0;
                    final int total = PACKETS / 2;
                    while (sent < total)
                    {
                        final int n = Math.min(1 + sent % 48, total - sent);
                        for (int i = 0; i < n; i++)
                        {
                            final int flow = ((sent + i) * 2 + producer) % TestStages.FLOWS;
                            if (!TestStages.fill(pool, run[i], flow, next[flow]++))
                            {
                                failures[producer]++;
                            }
                        }
                        if (pipeline.offer(run, 0, n) != n)
                        {
                            failures[producer]++;
                        }
                        sent += n;
                    }
                }));
            }
            producers.forEach(Thread::start);
            for (final Thread t : producers)
            {
                t.join(60_000);
            }
            pipeline.close();
            assertEquals(0, failures[0] + failures[1]);
            assertEquals(PACKETS, out.count);
            assertEquals(0, out.byteMismatches);
            assertInOrderPerFlow(out);
            assertEquals(0, pool.inFlight());
        }
    }

    @Test
    void shouldRefuseTheRestOfARunWhenTheRingIsFullUnderDropAndReleaseItsBuffers()
    {
        try (Counters counters = Counters.inMemory(2048);
            PacketPool pool = new PacketPool("d", 256, PacketPool.MIN_HEADROOM, 256, counters))
        {
            final TestStages.Recorder out = new TestStages.Recorder();
            // built, not started: nothing drains the ring, so it fills and stays full
            final Pipeline pipeline = Pipeline.builder("d")
                .pool(pool)
                .counters(counters)
                .ringSize(16)
                .maxBatch(16)
                .backpressure(BackpressurePolicy.DROP)
                .stage(new TestStages.Classify())
                .tx(out)
                .build();
            final PacketDescriptor[] run = descriptors(24);
            for (int i = 0; i < 24; i++)
            {
                assertTrue(TestStages.fill(pool, run[i], 0, i));
            }
            assertEquals(0, pipeline.offer(run, 0, 24), "not started yet: refused as a closing pipeline would");
            assertEquals(24, counters.valueOf("pipeline.d.shutdown_released", -1));
            assertEquals(0, pool.inFlight());
            pipeline.start();
            pipeline.close();
        }
        try (Counters counters = Counters.inMemory(2048);
            PacketPool pool = new PacketPool("f", 256, PacketPool.MIN_HEADROOM, 256, counters))
        {
            final Stall stall = new Stall();
            final TestStages.Recorder out = new TestStages.Recorder();
            final Pipeline pipeline = Pipeline.builder("f")
                .pool(pool)
                .counters(counters)
                .ringSize(16)
                .maxBatch(1)
                .idle(IdleStrategyConfig.Kind.BUSY_SPIN)
                .backpressure(BackpressurePolicy.DROP)
                .stage(stall)
                .stage(new TestStages.Classify())
                .tx(out)
                .build()
                .start();
            final PacketDescriptor[] run = descriptors(24);
            for (int i = 0; i < 24; i++)
            {
                assertTrue(TestStages.fill(pool, run[i], 0, i));
            }
            // the stage holds its first packet, so at most the 16 ring entries can be taken
            final int entered = pipeline.offer(run, 0, 24);
            assertTrue(entered <= 16 && entered >= 15, "entered " + entered);
            assertEquals(24 - entered, pipeline.entryFull());
            stall.open = true;
            pipeline.close();
            assertEquals(entered, out.count);
            assertInOrderPerFlow(out);
            assertEquals(0, pool.inFlight());
            assertEquals(0, pool.doubleFrees());
        }
    }

    /** Holds its batch until opened. */
    static final class Stall implements Stage
    {
        volatile boolean open;

        @Override
        public String name()
        {
            return "stall";
        }

        @Override
        public void onBatch(final PacketBatch batch)
        {
            while (!open)
            {
                Thread.onSpinWait();
            }
        }
    }

    private static PacketDescriptor[] descriptors(final int n)
    {
        final PacketDescriptor[] run = new PacketDescriptor[n];
        for (int i = 0; i < n; i++)
        {
            run[i] = new PacketDescriptor();
        }
        return run;
    }

    private static void assertInOrderPerFlow(final TestStages.Recorder recorder)
    {
        final long[] expected = new long[TestStages.FLOWS];
        for (int i = 0; i < recorder.count; i++)
        {
            final int flow = (int)(recorder.received[i] >>> 32);
            final long seq = recorder.received[i] & 0xFFFF_FFFFL;
            assertEquals(expected[flow]++, seq, "flow " + flow + ": out of order, lost or doubled");
        }
    }
}
