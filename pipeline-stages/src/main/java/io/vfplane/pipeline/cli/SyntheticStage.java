package io.vfplane.pipeline.cli;

import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.pipeline.PacketBatch;
import io.vfplane.pipeline.Stage;

/**
 * A stage of a synthetic pipeline: reads every descriptor (a sum of flow hashes) and burns at least {@code nanos}
 * per packet in a busy loop on the clock, so its cost has a known floor.
 */
final class SyntheticStage implements Stage
{
    private final String name;
    private final long nanos;
    private long sink;

    SyntheticStage(final String name, final long nanos)
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
        long s = sink;
        for (int i = 0, n = batch.size(); i < n; i++)
        {
            final PacketDescriptor d = batch.get(i);
            s += d.flowHash();
            if (nanos > 0)
            {
                final long end = System.nanoTime() + nanos;
                while (System.nanoTime() - end < 0)
                {
                    Thread.onSpinWait();
                }
            }
        }
        sink = s;
    }
}
