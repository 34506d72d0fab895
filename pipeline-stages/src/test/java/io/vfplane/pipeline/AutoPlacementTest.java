package io.vfplane.pipeline;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.pipeline.idle.IdleStrategyConfig;
import io.vfplane.pipeline.placement.PlacementAdvisor;
import io.vfplane.pipeline.placement.PlacementPlanner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine calibrates its stages, plans with what it measured, and builds the plan; show pipeline says what it
 * chose and why; the advisor re-plans from the runtime counters. Costs are made with busy loops that wait for the
 * clock to advance, so a stage's cost has a floor the assertions can rely on (never a ceiling).
 */
class AutoPlacementTest
{
    /** Burns at least {@code nanos} per packet (adjustable while running); 0 makes it a no-op that reads a field. */
    static final class Burn implements Stage
    {
        private final String name;
        volatile long nanos;
        long sink;

        Burn(final String name, final long nanos)
        {
            this.name = name;
            this.nanos = nanos;
        }

        @Override
        public String name()
        {
            return name;
        }

        @Override
        public void onBatch(final PacketBatch batch)
        {
            final long cost = nanos;
            for (int i = 0, n = batch.size(); i < n; i++)
            {
                final PacketDescriptor d = batch.get(i);
                sink += d.flowHash();
                d.outPort(0);
                if (cost > 0)
                {
                    final long end = System.nanoTime() + cost;
                    while (System.nanoTime() - end < 0)
                    {
                        Thread.onSpinWait();
                    }
                }
            }
        }
    }

    private static final Calibration.Sample DESCRIPTORS = (index, pool, packet) ->
    {
        packet.flowHash((int)index);
        return true;
    };

    private static final Calibration.Sample FRAMES = (index, pool, packet) ->
        TestStages.fill(pool, packet, (int)(index % TestStages.FLOWS), index);

    @Test
    void shouldPlanWithTheCostsItMeasuredAndSplitCostlyStagesOnOnePinnedShard(@TempDir final Path dir)
    {
        try (Counters counters = Counters.mapped(dir.resolve("counters.dat"), 2048);
            PacketPool pool = new PacketPool("auto", 1024, PacketPool.MIN_HEADROOM, 128, counters))
        {
            final TestStages.Recorder out = new TestStages.Recorder();
            final AutoPlacement auto = AutoPlacement.cores(2).maxShards(1).offeredPps(500_000).sample(FRAMES)
                .calibrationNanos(TimeUnit.MILLISECONDS.toNanos(100));
            final ShardedPipeline sharded = ShardedPipeline.auto("heavy", auto, s ->
                Pipeline.builder("heavy" + s).pool(pool).counters(counters).ringSize(256).maxBatch(32)
                    .idle(IdleStrategyConfig.Kind.BLOCKING).backpressure(BackpressurePolicy.BLOCK)
                    .stage(new Burn("parse", 1000)).stage(new Burn("crypt", 1000)).stage(new Burn("count", 0))
                    .tx(out));

            final double[] ns = sharded.calibratedNs();
            assertTrue(ns[0] >= 1000 && ns[1] >= 1000, "busy stages measured at their floor or above");
            assertEquals(0.0, ns[3], "tx is not run over samples");
            final PlacementPlanner.Plan expected = PlacementPlanner.plan(2, ns, 500_000, 1.0,
                PlacementPlanner.DEFAULT_HANDOFF_NS, PlacementPlanner.DEFAULT_UTILISATION, 1);
            assertEquals(expected, sharded.plan(), "the engine planned with the figures it measured");
            assertEquals(1, sharded.shardCount());
            assertEquals(2, sharded.plan().threadsPerShard(),
                "2 us of work on one shard at 500 kpps does not fit one thread: the chain is split in two");
            assertEquals(2, sharded.shard(0).threads().size());
            if (ns[2] < ns[0])
            {
                // the no-op stage measured cheaper than the busy one (true unless a preemption landed in its
                // calibration window on a loaded machine): then the balanced cut is after the first stage
                assertEquals(Placement.groups(1, 3), sharded.shard(0).placement(), sharded.plan().toString());
            }
            assertEquals(0, pool.inFlight(), "calibration returned every sample buffer");

            sharded.start();
            final PacketDescriptor d = new PacketDescriptor();
            for (int i = 0; i < 2000; i++)
            {
                assertTrue(TestStages.fill(pool, d, i % TestStages.FLOWS, i / TestStages.FLOWS));
                sharded.offer(d);
            }
            sharded.close();
            assertEquals(2000, out.count);
            assertEquals(0, out.byteMismatches);
            assertEquals(0, pool.inFlight());

            final String shown = ShowPipeline.format(Counters.openReader(dir.resolve("counters.dat")));
            assertTrue(shown.startsWith("plan heavy chosen: 1 shard(s) x 1+3 | why: chain "), shown);
            assertTrue(shown.contains(sharded.plan().reason()), "the planner's reasoning line is shown:\n" + shown);
            assertTrue(shown.contains("plan heavy calibrated: ns/packet parse="), shown);
            assertTrue(shown.contains("pipeline heavy0: placement 1+3 on 2 thread(s)"), shown);
        }
    }

    @Test
    void shouldRunCheapStagesFusedOnOneShardWhenTheLoadFitsOneCore()
    {
        try (Counters counters = Counters.inMemory(2048);
            PacketPool pool = new PacketPool("cheap", 256, PacketPool.MIN_HEADROOM, 128, counters))
        {
            final ShardedPipeline sharded = ShardedPipeline.auto("cheap",
                AutoPlacement.cores(2).offeredPps(100_000).sample(DESCRIPTORS)
                    .calibrationNanos(TimeUnit.MILLISECONDS.toNanos(50)),
                s -> Pipeline.builder("cheap" + s).pool(pool).counters(counters)
                    .stage(new Burn("a", 0)).stage(new Burn("b", 0)).stage(new Burn("c", 0)));
            assertEquals(1, sharded.shardCount());
            assertEquals(Placement.fused(), sharded.shard(0).placement());
            assertTrue(sharded.plan().reason().contains("1 shard(s) x fused fits"), sharded.plan().reason());
            sharded.close();
        }
    }

    @Test
    void shouldShardRatherThanSplitWhenOneStageDominatesTheChain()
    {
        // One 2 us stage and two no-ops: splitting would leave the 2 us stage alone on a thread, no faster; two fused
        // shards halve each thread's load. The planner's answer is shards, as long as flows may spread.
        try (Counters counters = Counters.inMemory(2048);
            PacketPool pool = new PacketPool("dom", 256, PacketPool.MIN_HEADROOM, 128, counters))
        {
            final ShardedPipeline sharded = ShardedPipeline.auto("dom",
                AutoPlacement.cores(2).offeredPps(500_000).sample(DESCRIPTORS)
                    .calibrationNanos(TimeUnit.MILLISECONDS.toNanos(100)),
                s -> Pipeline.builder("dom" + s).pool(pool).counters(counters)
                    .stage(new Burn("heavy", 2000)).stage(new Burn("x", 0)).stage(new Burn("y", 0)));
            assertEquals(2, sharded.shardCount(), sharded.plan().toString());
            assertEquals(Placement.fused(), sharded.plan().placement());
            sharded.close();
        }
    }

    @Test
    void shouldBuildThePinnedLayoutAndStillShowWhatThePlannerWouldChoose()
    {
        try (Counters counters = Counters.inMemory(2048);
            PacketPool pool = new PacketPool("pin", 256, PacketPool.MIN_HEADROOM, 128, counters))
        {
            final ShardedPipeline sharded = ShardedPipeline.auto("pin",
                AutoPlacement.cores(2).sample(DESCRIPTORS).pin(1, Placement.split())
                    .calibrationNanos(TimeUnit.MILLISECONDS.toNanos(30)),
                s -> Pipeline.builder("pin" + s).pool(pool).counters(counters)
                    .stage(new Burn("a", 0)).stage(new Burn("b", 0)));
            assertEquals(1, sharded.shardCount());
            assertEquals(Placement.split(), sharded.shard(0).placement());
            assertTrue(sharded.plan().reason().startsWith("pinned by configuration; the planner would choose " +
                "2 shard(s) x fused"), sharded.plan().reason());
            sharded.close();
        }
    }

    @Test
    void shouldRefuseAutoPlacementWithoutACalibrationSample()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> ShardedPipeline.auto("x", AutoPlacement.cores(2), s -> Pipeline.builder("x" + s)));
        assertTrue(ex.getMessage().contains("calibration sample"), ex.getMessage());
    }

    @Test
    void shouldAdviseReplacementWhenTheRuntimeCountersShowStagesGotCostly()
    {
        try (Counters counters = Counters.inMemory(2048);
            PacketPool pool = new PacketPool("adv", 256, PacketPool.MIN_HEADROOM, 128, counters))
        {
            final Burn parse = new Burn("parse", 0);
            final Burn crypt = new Burn("crypt", 0);
            final ShardedPipeline sharded = ShardedPipeline.auto("adv",
                AutoPlacement.cores(2).maxShards(1).offeredPps(100_000).utilisation(0.5).sample(DESCRIPTORS)
                    .calibrationNanos(TimeUnit.MILLISECONDS.toNanos(50)),
                s -> Pipeline.builder("adv" + s).pool(pool).counters(counters).ringSize(1024).maxBatch(64)
                    .idle(IdleStrategyConfig.Kind.BLOCKING).backpressure(BackpressurePolicy.BLOCK)
                    .stage(s == 0 ? parse : new Burn("parse", 0)).stage(crypt).stage(new Burn("count", 0)));
            assertEquals(Placement.fused(), sharded.plan().placement(), "cheap at calibration: fused");
            // Burn keeps no per-pipeline state, so the calibration and shard 0 may share these two instances,
            // whose cost the test raises below.
            sharded.start();
            try (PlacementAdvisor advisor = new PlacementAdvisor(sharded))
            {
                assertEquals(null, advisor.evaluate(), "no traffic yet");
                assertTrue(advisor.advice().startsWith("keep 1 shard(s) x fused: no traffic"), advisor.advice());

                parse.nanos = 1000;
                crypt.nanos = 1000;
                final PacketDescriptor d = new PacketDescriptor();
                advisor.evaluate();
                for (int i = 0; i < 60_000; i++)
                {
                    sharded.offer(d.flowHash(i)); // BLOCK: the flood runs at the pipeline's capacity
                }
                final PlacementPlanner.Plan plan = advisor.evaluate();
                assertNotNull(plan);
                assertEquals(2, plan.threadsPerShard(), advisor.advice());
                assertTrue(advisor.advice().startsWith("would re-place to 1 shard(s) x 1+2 (now 1 shard(s) x fused)"),
                    advisor.advice());
                final String shown = ShowPipeline.format(counters.reader());
                assertTrue(shown.contains("plan adv advice: would re-place to 1 shard(s) x 1+2"), shown);
            }
            sharded.close();
        }
    }

    @Test
    void shouldMeasureEachStageOverSampleFramesAndReturnEveryBuffer()
    {
        try (Counters counters = Counters.inMemory(256);
            PacketPool pool = new PacketPool("cal", 64, PacketPool.MIN_HEADROOM, 128, counters))
        {
            final double[] ns = Calibration.measure("cal", java.util.List.of(new Burn("a", 500), new Burn("b", 0),
                new TestStages.Flood()), pool, 2, FRAMES, 16, TimeUnit.MILLISECONDS.toNanos(30));
            assertEquals(3, ns.length);
            assertTrue(ns[0] >= 500, "floor of the busy loop");
            assertTrue(pool.allocations() > 16, "sample frames came from the pool");
            assertEquals(0, pool.inFlight(), "originals and fan-out copies all returned");
        }
    }
}
