package io.vfplane.pipeline;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.pipeline.idle.IdleStrategyConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Parked stage threads are woken by the publish itself: with a park bound far longer than the test, packets must
 * still get through, and the idle counters show the threads went idle and woke.
 */
class PipelineWakeupTest
{
    @Test
    void shouldWakeParkedStagesWhenHeadMovesUnderBlockingAndAnticipatory() throws InterruptedException
    {
        for (final IdleStrategyConfig.Kind kind :
            new IdleStrategyConfig.Kind[]{IdleStrategyConfig.Kind.BLOCKING, IdleStrategyConfig.Kind.ANTICIPATORY})
        {
            final IdleStrategyConfig idle = new IdleStrategyConfig(
                kind, 1_000, 10_000, 32, 100_000, TimeUnit.SECONDS.toNanos(60));
            try (Counters counters = Counters.inMemory(1024);
                PacketPool pool = new PacketPool("w", 64, PacketPool.MIN_HEADROOM, 128, counters))
            {
                final TestStages.Recorder out = new TestStages.Recorder();
                final Pipeline p = Pipeline.builder("w").pool(pool).counters(counters).ringSize(64).maxBatch(64)
                    .placement(Placement.split()).idle(idle)
                    .stage(new TestStages.Classify()).tx(out).build().start();
                final PacketDescriptor d = new PacketDescriptor();
                for (int round = 0; round < 5; round++)
                {
                    waitForParked(counters, round);
                    TestStages.fill(pool, d, 1, round);
                    p.offer(d);
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (p.processed() < round && System.nanoTime() < deadline)
                    {
                        Thread.sleep(1);
                    }
                    assertEquals(round, p.processed(), kind + ": packet " + round + " got through parked stages");
                }
                p.close();
                assertEquals(5, out.count);
                assertTrue(counters.valueOf("pipeline.w.thread.0.idle.went_idle", 0) >= 5, kind + " went idle");
                assertTrue(counters.valueOf("pipeline.w.thread.0.idle.woke", 0) >= 5, kind + " woke");
                assertEquals(0, pool.inFlight());
            }
        }
    }

    private static void waitForParked(final Counters counters, final int round) throws InterruptedException
    {
        // Both threads went idle at least round+1 times: they are parked (or about to be) when the packet comes.
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline &&
            (counters.valueOf("pipeline.w.thread.0.idle.went_idle", 0) <= round ||
            counters.valueOf("pipeline.w.thread.1.idle.went_idle", 0) <= round))
        {
            Thread.sleep(1);
        }
        Thread.sleep(5);
    }
}
