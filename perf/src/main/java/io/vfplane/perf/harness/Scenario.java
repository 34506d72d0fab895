package io.vfplane.perf.harness;

import java.util.ArrayList;
import java.util.List;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.pipeline.Output;
import io.vfplane.pipeline.Stage;

/**
 * One scenario, set up and ready to run: its frames, its stages, what stands between the tx stage and the sink (a
 * segmenting or coalescing output), its limit loop, and what it owns. Built by {@link Scenarios#create}.
 */
final class Scenario implements AutoCloseable
{
    /** Builds the output the tx stage hands packets to, in front of the sink. */
    interface OutputFactory
    {
        Output create(Output sink, PacketPool pool);
    }

    final String name;
    final String description;
    /** What one counted packet is: "packets", or "segments" for TSO (out) and RSC (in). */
    final String unit;
    final Counters counters;
    final Templates templates;
    final int dataCapacity;
    final int ringSize;
    final int poolSlots;
    final List<Stage> stages;
    final OutputFactory output;
    /** Null when the scenario has no header work to compare with (pipeline-noop). */
    final LimitLoop limit;
    /** Pools other than the pipeline's that the output takes buffers from; checked to be full after the run. */
    final List<PacketPool> otherPools;
    private final List<AutoCloseable> resources = new ArrayList<>();

    Scenario(
        final String name,
        final String description,
        final String unit,
        final Counters counters,
        final Templates templates,
        final int dataCapacity,
        final int ringSize,
        final int poolSlots,
        final List<Stage> stages,
        final OutputFactory output,
        final LimitLoop limit,
        final List<PacketPool> otherPools,
        final List<? extends AutoCloseable> resources)
    {
        this.name = name;
        this.description = description;
        this.unit = unit;
        this.counters = counters;
        this.templates = templates;
        this.dataCapacity = dataCapacity;
        this.ringSize = ringSize;
        this.poolSlots = poolSlots;
        this.stages = List.copyOf(stages);
        this.output = output;
        this.limit = limit;
        this.otherPools = List.copyOf(otherPools);
        this.resources.addAll(resources);
    }

    @Override
    public void close()
    {
        RuntimeException failure = null;
        final List<AutoCloseable> all = new ArrayList<>();
        if (limit != null)
        {
            all.add(limit);
        }
        all.addAll(resources.reversed());
        all.add(counters);
        for (final AutoCloseable c : all)
        {
            try
            {
                c.close();
            }
            catch (final Exception ex)
            {
                if (failure == null)
                {
                    failure = new IllegalStateException("closing scenario " + name, ex);
                }
            }
        }
        if (failure != null)
        {
            throw failure;
        }
    }
}
