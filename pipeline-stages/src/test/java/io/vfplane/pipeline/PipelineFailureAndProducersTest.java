package io.vfplane.pipeline;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.dataplane.parse.DropReason;
import io.vfplane.pipeline.idle.IdleStrategyConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stage that throws loses its batch's unfinished packets under a named reason, never a buffer; several producer
 * threads offering at once keep each of their flows in order.
 */
class PipelineFailureAndProducersTest
{
    private static final int PACKETS = 10_000;

    /** Throws on any batch holding a packet whose per-flow sequence is 5 mod 97, before finishing any packet. */
    static final class Faulty implements Stage
    {
        static boolean poisoned(final long seq)
        {
            return seq % 97 == 5;
        }

        @Override
        public String name()
        {
            return "faulty";
        }

        @Override
        public void onBatch(final PacketBatch batch)
        {
            for (int i = 0; i < batch.size(); i++)
            {
                if (poisoned(batch.get(i).userSequence()))
                {
                    throw new IllegalStateException("poisoned packet");
                }
            }
        }
    }

    /** An output that throws on every 50th packet offered, before taking it. */
    static final class ThrowingOutput implements io.vfplane.pipeline.Output
    {
        final TestStages.Recorder recorder = new TestStages.Recorder();
        long offers;

        @Override
        public boolean offer(final PacketDescriptor packet, final PacketPool pool)
        {
            if (++offers % 50 == 0)
            {
                throw new IllegalStateException("output broke");
            }
            return recorder.offer(packet, pool);
        }

        @Override
        public void flush()
        {
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"fused", "split"})
    void shouldDropUnfinishedPacketsOfAFailedBatchAsStageErrorAndLoseNoBuffer(final String placement)
    {
        try (Counters counters = Counters.inMemory(2048);
            PacketPool pool = new PacketPool("err", 1024, PacketPool.MIN_HEADROOM, 128, counters))
        {
            final TestStages.Recorder out = new TestStages.Recorder();
            final Pipeline p = Pipeline.builder("err").pool(pool).counters(counters).ringSize(256).maxBatch(32)
                .placement(Placement.parse(placement)).idle(IdleStrategyConfig.Kind.BLOCKING)
                .backpressure(BackpressurePolicy.BLOCK)
                .stage(new TestStages.Classify()).stage(new Faulty()).tx(out).build().start();
            offerFlows(p, pool, 0);
            p.close();

            final long stageErrors = counters.valueOf("pipeline.err.stage.faulty.drop.stage_error", -1);
            final long errors = counters.valueOf("pipeline.err.stage.faulty.errors", -1);
            assertTrue(errors > 0, "every flow has poisoned packets, so some batches failed");
            assertTrue(stageErrors >= errors, "a failed batch drops at least its poisoned packet");
            assertEquals(PACKETS, out.count + stageErrors, "every packet delivered or dropped as stage_error");
            for (int i = 0; i < out.count; i++)
            {
                assertTrue(!Faulty.poisoned(out.received[i] & 0xFFFF_FFFFL), "a poisoned packet got through");
            }
            assertIncreasingPerFlow(out, TestStages.FLOWS);
            assertEquals(0, pool.inFlight(), "every buffer back in the pool");
            assertEquals(0, pool.doubleFrees());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"fused", "split"})
    void shouldReleaseEveryBufferAndCountStageErrorWhenTheLastStageThrows(final String placement)
    {
        try (Counters counters = Counters.inMemory(2048);
            PacketPool pool = new PacketPool("txerr", 1024, PacketPool.MIN_HEADROOM, 128, counters))
        {
            final ThrowingOutput out = new ThrowingOutput();
            final Pipeline p = Pipeline.builder("txerr").pool(pool).counters(counters).ringSize(256).maxBatch(32)
                .placement(Placement.parse(placement)).idle(IdleStrategyConfig.Kind.BLOCKING)
                .backpressure(BackpressurePolicy.BLOCK)
                .stage(new TestStages.Classify()).stage(new TestStages.Flood()).tx(out, null).build().start();
            offerFlows(p, pool, 0);
            p.close();

            final long stageErrors = counters.valueOf("pipeline.txerr.stage.tx.drop.stage_error", -1);
            final long noOutput = counters.valueOf("pipeline.txerr.stage.tx.no_output", -1);
            assertTrue(counters.valueOf("pipeline.txerr.stage.tx.errors", -1) > 0);
            assertTrue(stageErrors > 0);
            assertEquals(0, pool.inFlight(), "tx failed mid-batch, yet every buffer came back");
            assertEquals(0, pool.doubleFrees());
            final long clones = counters.valueOf("pipeline.txerr.stage.flood.clones", -1);
            assertTrue(clones > 0);
            assertEquals(PACKETS + clones, out.recorder.count + noOutput + stageErrors,
                "every packet and copy sent, refused for no output, or dropped as stage_error");
            assertIncreasingPerFlow(out.recorder, TestStages.FLOWS);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"fused", "split", "2+1"})
    void shouldKeepEachProducersFlowsInOrderWithManyProducers(final String placement) throws Exception
    {
        final int producers = 4;
        try (Counters counters = Counters.inMemory(2048);
            PacketPool pool = new PacketPool("mp", 2048, PacketPool.MIN_HEADROOM, 128, counters))
        {
            final TestStages.Recorder out = new TestStages.Recorder();
            final Pipeline p = Pipeline.builder("mp").pool(pool).counters(counters).ringSize(256).maxBatch(64)
                .placement(Placement.parse(placement)).idle(IdleStrategyConfig.Kind.ANTICIPATORY)
                .backpressure(BackpressurePolicy.BLOCK).multiProducer(true)
                .stage(new TestStages.Classify()).stage(new TestStages.Filter()).tx(out).build().start();
            final List<Thread> threads = new ArrayList<>();
            final boolean[] ok = new boolean[producers];
            for (int t = 0; t < producers; t++)
            {
                final int producer = t;
                threads.add(Thread.ofPlatform().start(() -> ok[producer] = offerFlows(p, pool, producer)));
            }
            for (final Thread t : threads)
            {
                t.join();
            }
            p.close();

            for (int t = 0; t < producers; t++)
            {
                assertTrue(ok[t], "producer " + t + " got every packet in");
            }
            final int flows = producers * TestStages.FLOWS;
            final long[] next = new long[flows];
            for (int i = 0; i < out.count; i++)
            {
                final int flow = (int)(out.received[i] >>> 32);
                final long seq = out.received[i] & 0xFFFF_FFFFL;
                while (TestStages.dropped(next[flow]))
                {
                    next[flow]++;
                }
                assertEquals(next[flow], seq, "flow " + flow + ": in order, nothing lost or doubled");
                next[flow]++;
            }
            long filtered = 0;
            for (int f = 0; f < flows; f++)
            {
                while (next[f] < PACKETS / TestStages.FLOWS && TestStages.dropped(next[f]))
                {
                    next[f]++;
                }
                assertEquals(PACKETS / TestStages.FLOWS, next[f], "flow " + f + " complete");
            }
            filtered = counters.valueOf("pipeline.mp.stage.filter.drop.truncated", -1);
            assertEquals((long)producers * PACKETS, out.count + filtered);
            assertEquals(0, pool.inFlight());
        }
    }

    /** Offers PACKETS packets over this producer's own 16 flows; false if one could not get a buffer. */
    private static boolean offerFlows(final Pipeline p, final PacketPool pool, final int producer)
    {
        final PacketDescriptor d = new PacketDescriptor();
        final long[] next = new long[TestStages.FLOWS];
        for (int i = 0; i < PACKETS; i++)
        {
            final int local = i % TestStages.FLOWS;
            if (!TestStages.fill(pool, d, producer * TestStages.FLOWS + local, next[local]++))
            {
                return false;
            }
            if (!p.offer(d))
            {
                return false;
            }
        }
        return true;
    }

    private static void assertIncreasingPerFlow(final TestStages.Recorder recorder, final int flows)
    {
        final long[] last = new long[flows];
        java.util.Arrays.fill(last, -1);
        for (int i = 0; i < recorder.count; i++)
        {
            final int flow = (int)(recorder.received[i] >>> 32);
            final long seq = recorder.received[i] & 0xFFFF_FFFFL;
            assertTrue(seq > last[flow], "flow " + flow + " out of order or duplicated at " + seq);
            last[flow] = seq;
        }
    }

    static
    {
        // The reason a failed batch's packets are counted under must exist with this label.
        assertEquals("stage_error", DropReason.STAGE_ERROR.label());
    }
}
