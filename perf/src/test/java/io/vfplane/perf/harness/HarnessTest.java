package io.vfplane.perf.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import io.vfplane.pipeline.Placement;
import io.vfplane.pipeline.idle.IdleStrategyConfig;

class HarnessTest
{
    private static Harness.Settings settings(final String size, final long rate, final Placement placement)
    {
        return new Harness.Settings(TimeUnit.MILLISECONDS.toNanos(200), TimeUnit.MILLISECONDS.toNanos(50),
            TimeUnit.MILLISECONDS.toNanos(100), rate, placement, IdleStrategyConfig.Kind.BUSY_SPIN, size, 64, null,
            null);
    }

    private static RunResult run(final String name, final String size, final long rate, final Placement placement)
    {
        try (Scenario scenario = Scenarios.create(name, FrameSizes.parse(size), 64))
        {
            return Harness.run(scenario, settings(size, rate, placement));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"pipeline-noop", "vxlan-encap", "vxlan-decap", "geneve-encap", "tso", "rsc", "host-path"})
    void shouldDeliverPacketsWithoutDropsAndReturnEveryBuffer(final String name)
    {
        final boolean segmenting = name.equals("tso") || name.equals("rsc");
        final RunResult r = run(name, segmenting ? "1500" : "64", 0, Placement.fused());

        assertTrue(r.packets() > 0, () -> name + ": no packets reached the sink\n" + Reports.table(r));
        assertTrue(r.latency().getTotalCount() > 0, name + ": no latency recorded");
        assertEquals(0, r.poolInFlight(), () -> name + ": buffers lost\n" + Reports.table(r));
        assertTrue(r.drops().isEmpty(), () -> name + ": drops " + r.drops());
        assertTrue(r.generated() > 0);
        if (name.equals("pipeline-noop"))
        {
            assertNull(r.limitPps(), "pipeline-noop has no header work, so no limit loop");
        }
        else
        {
            assertNotNull(r.limitPps(), name + ": limit loop promised");
            assertTrue(r.limitPps() > 0 && r.limitPackets() > 0, name + ": limit loop did nothing");
        }
        final RunResult.ThreadCpu generator = r.threads().stream()
            .filter(t -> t.name().equals("vfplane-perf-generator")).findFirst().orElseThrow();
        // a per-packet allocation would show as megabytes here; a few stray objects would not reach a kilobyte
        assertTrue(generator.allocatedBytes() >= 0 && generator.allocatedBytes() < 1024,
            () -> name + ": generator allocated " + generator.allocatedBytes() + " bytes for " + r.generated() +
                " packets");
        assertTrue(r.threads().stream().anyMatch(t -> t.name().startsWith("vfplane-pipeline-perf-")));
    }

    @Test
    void shouldCountTsoInSegmentsOut()
    {
        final RunResult r = run("tso", "1500", 0, Placement.fused());

        assertEquals("segments", r.unit());
        // every frame the generator made becomes 45 segments at the sink; the window holds a part of them
        assertTrue(r.packets() <= r.generated() * Scenarios.SEGMENTS);
        assertTrue(r.packets() >= Scenarios.SEGMENTS);
    }

    @Test
    void shouldRunImixHostPathSplitOverThreads()
    {
        final RunResult r = run("host-path", "imix", 0, Placement.parse("2+3"));

        assertTrue(r.packets() > 0);
        assertEquals(0, r.poolInFlight());
        assertTrue(r.drops().isEmpty(), () -> "drops " + r.drops());
        assertEquals(2, r.threads().stream().filter(t -> t.name().startsWith("vfplane-pipeline-perf-")).count());
    }

    @Test
    void shouldRunHostPathInlineOnTheGeneratorThread()
    {
        final RunResult r = run("host-path", "64", 0, Placement.inline());

        assertTrue(r.packets() > 0);
        assertEquals(0, r.poolInFlight());
        assertTrue(r.drops().isEmpty(), () -> "drops " + r.drops());
        assertTrue(r.threads().stream().noneMatch(t -> t.name().startsWith("vfplane-pipeline-perf-")),
            "inline: no pipeline thread");
        final RunResult.ThreadCpu generator = r.threads().stream()
            .filter(t -> t.name().equals("vfplane-perf-generator")).findFirst().orElseThrow();
        assertTrue(generator.allocatedBytes() < 1024, "generator (running the stages) allocated " +
            generator.allocatedBytes() + " bytes");
    }

    @Test
    void shouldMeasureFromIntendedSendTimeAtAFixedRate()
    {
        final RunResult r = run("pipeline-noop", "64", 50_000, Placement.fused());

        assertTrue(r.coCorrected());
        assertTrue(r.packets() > 0);
        assertEquals(0, r.poolInFlight());
        // paced, the generator cannot have sent more than the rate allows over the run (plus one burst)
        assertTrue(r.generated() <= 50_000 * 0.25 + Generator.BURST + 1000, "generated " + r.generated());
    }
}
