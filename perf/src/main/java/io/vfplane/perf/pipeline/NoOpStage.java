package io.vfplane.perf.pipeline;

import io.vfplane.pipeline.PacketBatch;
import io.vfplane.pipeline.Stage;

/**
 * Reads each packet of the batch (a sum of flow hashes, kept so the JIT cannot drop the reads): the engine's cost
 * with no header work, for the pipeline benchmark and the {@code pipeline-noop} scenario.
 */
public final class NoOpStage implements Stage
{
    private final String name;
    private long sum;

    public NoOpStage(final String name)
    {
        this.name = name;
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public void onBatch(final PacketBatch batch)
    {
        long s = sum;
        for (int i = 0, n = batch.size(); i < n; i++)
        {
            s += batch.get(i).flowHash();
        }
        sum = s;
    }
}
