package io.vfplane.encap.stage;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.encap.codec.Encapsulator;
import io.vfplane.encap.codec.TunnelDrop;
import io.vfplane.encap.rules.RuleSet;
import io.vfplane.encap.rules.RuleTables;
import io.vfplane.pipeline.PacketBatch;
import io.vfplane.pipeline.Stage;
import io.vfplane.pipeline.StageContext;

/**
 * The egress stage: looks each guest frame up in the egress table and encapsulates it toward its remote endpoint,
 * delivers it to a local VF, or drops it.
 *
 * <pre>
 *   guest frame -> egress lookup -+- encap  -> outer headers prepended, outPort = underlay port
 *                                 +- deliver -> vf = k, outPort = vfPortBase + k
 *                                 +- drop / no rule -> dropped, counted
 * </pre>
 *
 * The rule set is read once per batch, so a rule set applied mid-batch takes effect at the next batch. Counters:
 * {@code encapsulated}; {@code drop.<reason>} (the engine's, by {@code DropReason}; see {@link TunnelDrop}); hits per
 * rule in the rule set.
 */
public final class EncapStage implements Stage
{
    private final RuleTables tables;
    private final int underlayPort;
    private final int vfPortBase;
    private final Encapsulator encapsulator = new Encapsulator();
    private final TunnelStageCounters counters = new TunnelStageCounters();
    private PacketPool pool;

    /**
     * @param underlayPort the outPort of encapsulated frames.
     * @param vfPortBase   outPort of frames delivered to VF k is {@code vfPortBase + k}; -1 leaves outPort alone.
     */
    public EncapStage(final RuleTables tables, final int underlayPort, final int vfPortBase)
    {
        this.tables = tables;
        this.underlayPort = underlayPort;
        this.vfPortBase = vfPortBase;
    }

    @Override
    public String name()
    {
        return "encap";
    }

    @Override
    public void onStart(final StageContext context)
    {
        pool = context.pool();
        counters.start(context, "encapsulated");
    }

    @Override
    public void onBatch(final PacketBatch batch)
    {
        final RuleSet rules = tables.current();
        for (int i = 0, n = batch.size(); i < n; i++)
        {
            final PacketDescriptor d = batch.get(i);
            if (d.action() != PacketDescriptor.ACTION_CONTINUE)
            {
                continue;
            }
            final TunnelDrop result = process(rules, d);
            if (result != TunnelDrop.NONE)
            {
                batch.drop(i, result.reason());
                continue;
            }
            counters.passed();
        }
    }

    private TunnelDrop process(final RuleSet rules, final PacketDescriptor d)
    {
        final int rule = rules.egressLookup(pool.buffer(), d.offset(), d.length(), d.vf(), d.inPort());
        if (rule == RuleSet.NO_RULE)
        {
            return d.length() < 14 ? TunnelDrop.TRUNCATED : TunnelDrop.NO_RULE;
        }
        rules.hitEgress(rule);
        final int action = rules.egressAction(rule);
        if (action == RuleSet.ACTION_ENCAP)
        {
            final TunnelDrop drop = encapsulator.encapsulate(rules, rules.egressArgument(rule), pool.buffer(), d,
                pool.slotOffset(d.bufferId()));
            if (drop == TunnelDrop.NONE)
            {
                d.outPort(underlayPort);
            }
            return drop;
        }
        if (action == RuleSet.ACTION_DELIVER)
        {
            final int vf = rules.egressArgument(rule);
            d.vf(vf);
            if (vfPortBase >= 0)
            {
                d.outPort(vfPortBase + vf);
            }
            return TunnelDrop.NONE;
        }
        return TunnelDrop.RULE_DROP;
    }

    @Override
    public void onEndOfBatch()
    {
        counters.publish();
    }
}
