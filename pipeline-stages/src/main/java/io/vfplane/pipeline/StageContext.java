package io.vfplane.pipeline;

import org.agrona.concurrent.status.AtomicCounter;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;

/**
 * What a stage learns about its pipeline at setup ({@link Stage#onStart}).
 */
public final class StageContext
{
    private final String pipelineName;
    private final String stageName;
    private final int shard;
    private final PacketPool pool;
    private final Counters counters;

    StageContext(
        final String pipelineName,
        final String stageName,
        final int shard,
        final PacketPool pool,
        final Counters counters)
    {
        this.pipelineName = pipelineName;
        this.stageName = stageName;
        this.shard = shard;
        this.pool = pool;
        this.counters = counters;
    }

    public String pipelineName()
    {
        return pipelineName;
    }

    public String stageName()
    {
        return stageName;
    }

    /**
     * @return the shard index of this pipeline in its {@link ShardedPipeline} (0 for a lone pipeline).
     */
    public int shard()
    {
        return shard;
    }

    public PacketPool pool()
    {
        return pool;
    }

    /**
     * Registers a counter of this stage, labelled {@code pipeline.<p>.stage.<s>.<suffix>}.
     *
     * @param suffix e.g. {@code sent}.
     */
    public AtomicCounter newCounter(final String suffix)
    {
        return counters.newCounter(PipelineCounters.stagePrefix(pipelineName, stageName) + suffix);
    }
}
