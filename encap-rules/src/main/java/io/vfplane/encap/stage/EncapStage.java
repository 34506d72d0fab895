package io.vfplane.encap.stage;

import org.agrona.concurrent.UnsafeBuffer;

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
    /** Packets touched ahead of encapsulation at a time: their lines (about 4 each) stay well inside L1. */
    private static final int TOUCH_CHUNK = 64;

    private final RuleTables tables;
    private final int underlayPort;
    private final int vfPortBase;
    private final Encapsulator encapsulator = new Encapsulator();
    private final TunnelStageCounters counters = new TunnelStageCounters();
    private PacketPool pool;
    /** Keeps the loads of {@link #touch} from being removed as dead. */
    private long touched;

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
        final int n = batch.size();
        for (int from = 0; from < n; from += TOUCH_CHUNK)
        {
            final int to = Math.min(n, from + TOUCH_CHUNK);
            touch(batch, from, to);
            for (int i = from; i < to; i++)
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
    }

    /**
     * Pass 1 over packets {@code [from, to)}: reads each ring entry, the first line of each frame and the headroom line
     * the outer headers go into, in a loop with nothing else to do, so their cache misses overlap instead of
     * coming one at a time inside the encapsulation (pass 2). The descriptors and frames were written by the thread
     * that received them, on another core; the headroom line was last written by this stage a pool's lap ago. Java has
     * no prefetch instruction: a load whose result is kept is the portable way (VPP's nodes prefetch a few packets
     * ahead for the same reason). Measured in the perf harness with its ring full: the misses move into this loop, but
     * the batch's total drops little (within the noise of a shared 2-core machine); what bounds it is the number of
     * lines that come from the other core, not whether their misses overlap.
     */
    private void touch(final PacketBatch batch, final int from, final int to)
    {
        final UnsafeBuffer buffer = pool.buffer();
        long fold = 0;
        for (int i = from; i < to; i++)
        {
            final PacketDescriptor d = batch.get(i);
            final int bufferId = d.bufferId();
            final int offset = d.offset();
            // a descriptor spans two or three lines and the field layout is the JVM's: read fields far apart
            fold += d.vf() + d.flowHash() + d.gsoType() + d.timestampNs();
            // a frame's first byte and the headroom byte before it: both inside its slot when it has both
            if (bufferId >= 0 && d.length() > 0 && offset > pool.slotOffset(bufferId))
            {
                fold += buffer.getByte(offset) + buffer.getByte(offset - 1);
            }
        }
        touched = fold;
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
