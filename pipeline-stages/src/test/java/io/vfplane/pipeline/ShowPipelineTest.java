package io.vfplane.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.pipeline.idle.IdleStrategyConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShowPipelineTest
{
    @Test
    void shouldPrintPlacementBatchesAndPerStageRuntimeFromAnotherProcessesCountersFile(@TempDir final Path dir)
    {
        final Path file = dir.resolve("counters.dat");
        try (Counters counters = Counters.mapped(file, 1024);
            PacketPool pool = new PacketPool("s", 256, PacketPool.MIN_HEADROOM, 128, counters))
        {
            final TestStages.Recorder out = new TestStages.Recorder();
            final Pipeline p = Pipeline.builder("vf0").pool(pool).counters(counters).ringSize(256).maxBatch(64)
                .placement(Placement.parse("2+2")).idle(IdleStrategyConfig.Kind.BLOCKING)
                // block at the entry: 700 packets into a 256-entry ring must not depend on how fast the stages run
                .backpressure(BackpressurePolicy.BLOCK)
                .stage(new TestStages.Classify()).stage(new TestStages.Filter()).stage(new TestStages.Flood())
                .tx(out, new TestStages.Recorder()).build().start();
            final PacketDescriptor d = new PacketDescriptor();
            for (int i = 0; i < 700; i++)
            {
                TestStages.fill(pool, d, 1, i);
                p.offer(d);
            }
            p.close();
            assertTrue(Files.exists(file));

            final String shown = ShowPipeline.format(Counters.openReader(file));
            assertTrue(shown.startsWith("pipeline vf0: placement 2+2 on 2 thread(s), entry_full 0"), shown);
            assertTrue(shown.contains("  thread 0: batch 1:"), shown);
            assertTrue(shown.contains("| idle awake_") && shown.contains(" awake_head 0 "), shown);
            final String classify = line(shown, "  classify ");
            final String[] f = classify.trim().split(" +");
            assertEquals("0", f[1], "classify runs on thread 0");
            assertEquals("700", f[3], "classify saw every packet");
            final String filter = line(shown, "  filter ");
            assertTrue(filter.endsWith("truncated=100"), filter);
            assertEquals("1", line(shown, "  tx ").trim().split(" +")[1], "tx runs on thread 1");
            assertTrue(shown.indexOf("  classify ") < shown.indexOf("  filter ") &&
                shown.indexOf("  filter ") < shown.indexOf("  flood ") &&
                shown.indexOf("  flood ") < shown.indexOf("  tx "), "stages in chain order:\n" + shown);
        }
    }

    @Test
    void shouldShowAnInlinePipelineAsRunOnItsProducersThreads(@TempDir final Path dir)
    {
        final Path file = dir.resolve("counters.dat");
        try (Counters counters = Counters.mapped(file, 1024);
            PacketPool pool = new PacketPool("s", 256, PacketPool.MIN_HEADROOM, 128, counters))
        {
            final Pipeline p = Pipeline.builder("u2g").pool(pool).counters(counters).maxBatch(64)
                .placement(Placement.inline()).stage(new TestStages.Classify())
                .tx(new TestStages.Recorder()).build().start();
            final PacketDescriptor d = new PacketDescriptor();
            for (int i = 0; i < 100; i++)
            {
                TestStages.fill(pool, d, 1, i);
                p.offer(d);
            }
            p.flush();
            p.close();
            final String shown = ShowPipeline.format(Counters.openReader(file));
            assertTrue(shown.startsWith("pipeline u2g: placement inline on its producers' threads, entry_full 0"),
                shown);
            assertTrue(shown.contains(" batch 1:0 2:0 4:0 8:0 16:0 32:1 64:1"), "batches of 64 and 36:\n" + shown);
            assertTrue(!shown.contains("| idle"), "no idle strategy runs inline:\n" + shown);
            assertEquals("100", line(shown, "  classify ").trim().split(" +")[3]);
        }
    }

    private static String line(final String text, final String start)
    {
        for (final String l : text.split("\n"))
        {
            if (l.startsWith(start))
            {
                return l;
            }
        }
        throw new AssertionError("no line starting '" + start + "' in:\n" + text);
    }
}
