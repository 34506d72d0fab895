package io.vfplane.encap.stage;

import org.agrona.concurrent.UnsafeBuffer;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.encap.codec.Decapsulator;
import io.vfplane.encap.codec.TunnelDrop;
import io.vfplane.encap.rules.RuleSet;
import io.vfplane.encap.rules.RuleTables;
import io.vfplane.pipeline.PacketBatch;
import io.vfplane.pipeline.Stage;
import io.vfplane.pipeline.StageContext;

/**
 * The ingress stage: decodes each underlay frame's tunnel, looks it up in the ingress table and strips the outer
 * headers, handing the inner Ethernet frame to its VF; anything without a matching rule is dropped and counted, so
 * traffic never crosses into another virtual network.
 *
 * <pre>
 *   underlay frame -> outer Eth/IP/UDP|GRE -> tunnel header -> ingress lookup -+- deliver: strip, vf = k
 *                                                                             +- drop / no rule: counted
 * </pre>
 *
 * Counters: {@code decapsulated}; {@code drop.<reason>} (the engine's, by {@code DropReason}; see {@link TunnelDrop});
 * hits per rule in the rule set.
 */
public final class DecapStage implements Stage
{
    private final RuleTables tables;
    private final int vfPortBase;
    private final Decapsulator decapsulator = new Decapsulator();
    private final TunnelStageCounters counters = new TunnelStageCounters();
    private PacketPool pool;

    /**
     * @param vfPortBase outPort of frames delivered to VF k is {@code vfPortBase + k}; -1 leaves outPort alone.
     */
    public DecapStage(final RuleTables tables, final int vfPortBase)
    {
        this.tables = tables;
        this.vfPortBase = vfPortBase;
    }

    @Override
    public String name()
    {
        return "decap";
    }

    @Override
    public void onStart(final StageContext context)
    {
        pool = context.pool();
        counters.start(context, "decapsulated");
    }

    /**
     * Two passes over the batch, as VPP's nodes do: pass 1 decodes every packet and computes its ingress table record
     * (common VXLAN frames at fixed offsets, the rest through the general decoder), then all those records are
     * touched in one tight loop (their cache misses overlap) and each lookup is advanced over its touched line (the
     * few that continue on the next line touch it, again together), then pass 2 looks each up and strips it. With a
     * table of a million rules one miss per packet in turn is what bounds a one-pass loop.
     */
    @Override
    public void onBatch(final PacketBatch batch)
    {
        final RuleSet rules = tables.current();
        final UnsafeBuffer buffer = pool.buffer();
        final int n = batch.size();
        decapsulator.parse(rules, buffer, batch);
        decapsulator.prefetch(rules, n);
        for (int i = 0; i < n; i++)
        {
            final PacketDescriptor d = batch.get(i);
            if (d.action() != PacketDescriptor.ACTION_CONTINUE)
            {
                continue;
            }
            final TunnelDrop result = decapsulator.complete(rules, d, i);
            if (result != TunnelDrop.NONE)
            {
                batch.drop(i, result.reason());
                continue;
            }
            counters.passed();
            if (vfPortBase >= 0)
            {
                d.outPort(vfPortBase + d.vf());
            }
        }
    }

    @Override
    public void onEndOfBatch()
    {
        counters.publish();
    }
}
