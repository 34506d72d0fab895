package io.vfplane.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.pipeline.idle.IdleStrategyConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every placement under every idle strategy, with a stage that drops and a stage that fans out: each flow arrives
 * in order on each output, nothing is lost or duplicated, every buffer returns to the pool, and no thread is left.
 */
class PipelineOrderingTest
{
    private static final int PACKETS = 20_000;

    static Stream<Arguments> placementsAndStrategies()
    {
        final List<Arguments> args = new ArrayList<>();
        for (final IdleStrategyConfig.Kind kind : IdleStrategyConfig.Kind.values())
        {
            for (final String placement : new String[]{"inline", "fused", "split", "2+2", "1+3"})
            {
                args.add(Arguments.of(placement, kind));
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("placementsAndStrategies")
    void shouldKeepFlowOrderWithoutLossOrDuplicatesUnderEveryPlacementAndStrategy(
        final String placement, final IdleStrategyConfig.Kind kind)
    {
        runAndCheck(1, Placement.parse(placement), kind, BackpressurePolicy.BLOCK, 256);
    }

    @Test
    void shouldKeepFlowOrderAcrossShards()
    {
        runAndCheck(3, Placement.parse("2+2"), IdleStrategyConfig.Kind.ANTICIPATORY, BackpressurePolicy.BLOCK, 256);
    }

    @Test
    void shouldCountEntryDropsAndStillKeepOrderWhenRingIsFullUnderDropPolicy()
    {
        final Result r = run(1, Placement.split(), IdleStrategyConfig.Kind.SLEEPING, BackpressurePolicy.DROP, 16);
        assertEquals(0, r.port0.byteMismatches);
        assertIncreasingPerFlow(r.port0);
        assertIncreasingPerFlow(r.port1);
        assertTrue(r.entryFull > 0, "a 16-entry ring behind sleeping stages should overflow");
        assertEquals(PACKETS, r.port0.count + r.filterDrops + r.entryFull,
            "every packet is delivered, dropped by a stage, or counted as entry_full");
        assertEquals(0, r.inFlight);
    }

    private static void runAndCheck(
        final int shards,
        final Placement placement,
        final IdleStrategyConfig.Kind kind,
        final BackpressurePolicy policy,
        final int ringSize)
    {
        final Result r = run(shards, placement, kind, policy, ringSize);

        final List<Long> expected0 = new ArrayList<>();
        final List<Long> expected1 = new ArrayList<>();
        long expectedDrops = 0;
        final long[] next = new long[TestStages.FLOWS];
        for (int i = 0; i < PACKETS; i++)
        {
            final int flow = i % TestStages.FLOWS;
            final long seq = next[flow]++;
            if (TestStages.dropped(seq))
            {
                expectedDrops++;
                continue;
            }
            expected0.add(((long)flow << 32) | seq);
            if (TestStages.flooded(flow))
            {
                expected1.add(((long)flow << 32) | seq);
            }
        }
        assertEquals(0, r.port0.byteMismatches, "frame bytes travel with their descriptor");
        assertEquals(0, r.port1.byteMismatches, "clones carry a copy of the frame");
        assertEquals(perFlow(expected0), perFlow(r.port0), "port 0: every flow in order, nothing lost or doubled");
        assertEquals(perFlow(expected1), perFlow(r.port1), "port 1 (fan-out): every flow in order");
        assertEquals(expectedDrops, r.filterDrops, "drops counted per reason");
        assertEquals(0, r.entryFull);
        assertEquals(0, r.inFlight, "every buffer back in the pool");
        assertEquals(0, r.doubleFrees);
    }

    private static List<List<Long>> perFlow(final List<Long> packets)
    {
        final List<List<Long>> flows = new ArrayList<>();
        for (int f = 0; f < TestStages.FLOWS; f++)
        {
            flows.add(new ArrayList<>());
        }
        for (final long p : packets)
        {
            flows.get((int)(p >>> 32)).add(p);
        }
        return flows;
    }

    private static List<List<Long>> perFlow(final TestStages.Recorder recorder)
    {
        final List<Long> all = new ArrayList<>();
        for (int i = 0; i < recorder.count; i++)
        {
            all.add(recorder.received[i]);
        }
        return perFlow(all);
    }

    private static void assertIncreasingPerFlow(final TestStages.Recorder recorder)
    {
        final long[] last = new long[TestStages.FLOWS];
        java.util.Arrays.fill(last, -1);
        for (int i = 0; i < recorder.count; i++)
        {
            final int flow = (int)(recorder.received[i] >>> 32);
            final long seq = recorder.received[i] & 0xFFFF_FFFFL;
            assertTrue(seq > last[flow], "flow " + flow + " out of order or duplicated at " + seq);
            last[flow] = seq;
        }
    }

    record Result(
        TestStages.Recorder port0,
        TestStages.Recorder port1,
        long filterDrops,
        long entryFull,
        long inFlight,
        long doubleFrees)
    {
    }

    private static Result run(
        final int shards,
        final Placement placement,
        final IdleStrategyConfig.Kind kind,
        final BackpressurePolicy policy,
        final int ringSize)
    {
        final Counters counters = Counters.inMemory(8192);
        final PacketPool pool = new PacketPool("test", 4096, PacketPool.MIN_HEADROOM, 256, counters);
        final TestStages.Recorder[] port0 = new TestStages.Recorder[shards];
        final TestStages.Recorder[] port1 = new TestStages.Recorder[shards];
        final ShardedPipeline pipelines = ShardedPipeline.build(shards, s ->
        {
            port0[s] = new TestStages.Recorder();
            port1[s] = new TestStages.Recorder();
            return Pipeline.builder("p" + s)
                .pool(pool)
                .counters(counters)
                .ringSize(ringSize)
                .maxBatch(Math.min(64, ringSize))
                .placement(placement)
                .idle(kind)
                .backpressure(policy)
                .stage(new TestStages.Classify())
                .stage(new TestStages.Filter())
                .stage(new TestStages.Flood())
                .tx(port0[s], port1[s]);
        });
        final List<Thread> threads = pipelines.threads();
        pipelines.start();
        final PacketDescriptor d = new PacketDescriptor();
        final long[] next = new long[TestStages.FLOWS];
        for (int i = 0; i < PACKETS; i++)
        {
            final int flow = i % TestStages.FLOWS;
            assertTrue(TestStages.fill(pool, d, flow, next[flow]++), "pool exhausted: buffers are not coming back");
            pipelines.offer(d);
        }
        pipelines.close();

        for (final Thread t : threads)
        {
            assertFalse(t.isAlive(), t.getName() + " still alive after close");
        }
        final TestStages.Recorder all0 = merge(port0);
        final TestStages.Recorder all1 = merge(port1);
        long filterDrops = 0;
        long entryFull = 0;
        for (int s = 0; s < shards; s++)
        {
            filterDrops += counters.valueOf("pipeline.p" + s + ".stage.filter.drop.truncated", -1);
            entryFull += pipelines.shard(s).entryFull();
        }
        final Result result = new Result(all0, all1, filterDrops, entryFull, pool.inFlight(), pool.doubleFrees());
        pool.close();
        counters.close();
        return result;
    }

    private static TestStages.Recorder merge(final TestStages.Recorder[] recorders)
    {
        // Shards carry disjoint flows, so concatenating keeps each flow's order.
        final TestStages.Recorder merged = new TestStages.Recorder();
        for (final TestStages.Recorder r : recorders)
        {
            for (int i = 0; i < r.count; i++)
            {
                if (merged.count == merged.received.length)
                {
                    merged.received = java.util.Arrays.copyOf(merged.received, merged.count * 2);
                }
                merged.received[merged.count++] = r.received[i];
            }
            merged.byteMismatches += r.byteMismatches;
        }
        return merged;
    }
}
