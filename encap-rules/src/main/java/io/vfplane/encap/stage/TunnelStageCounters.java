package io.vfplane.encap.stage;

import org.agrona.concurrent.status.AtomicCounter;

import io.vfplane.encap.codec.TunnelDrop;
import io.vfplane.pipeline.StageContext;

/**
 * Per-stage counts by {@link TunnelDrop} label plus the packets that passed, accumulated in plain longs during a
 * batch and published once at its end ({@code pipeline.<p>.stage.<s>.drop.no_rule}, {@code ...passed}). The engine
 * also counts the shared {@code DropReason}; these keep the reasons it does not have yet apart.
 */
final class TunnelStageCounters
{
    private final long[] pending = new long[TunnelDrop.VALUES.length];
    private final AtomicCounter[] counters = new AtomicCounter[TunnelDrop.VALUES.length];

    void start(final StageContext context, final String passedLabel)
    {
        for (final TunnelDrop drop : TunnelDrop.VALUES)
        {
            counters[drop.ordinal()] = context.newCounter(drop == TunnelDrop.NONE ? passedLabel :
                "drop." + drop.label());
        }
    }

    void count(final TunnelDrop drop)
    {
        pending[drop.ordinal()]++;
    }

    void publish()
    {
        for (int i = 0; i < pending.length; i++)
        {
            if (pending[i] != 0)
            {
                counters[i].getAndAddRelease(pending[i]);
                pending[i] = 0;
            }
        }
    }
}
