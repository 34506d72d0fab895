package io.vfplane.encap.testsupport;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.encap.codec.Decapsulator;
import io.vfplane.encap.codec.Encapsulator;
import io.vfplane.encap.codec.TunnelDrop;
import io.vfplane.encap.rules.RuleSet;

/**
 * Runs single frames through the egress lookup + encapsulator or the decapsulator on a real pool slot.
 */
public final class CodecHarness implements AutoCloseable
{
    public final PacketPool pool;
    public final PacketDescriptor d = new PacketDescriptor();
    private final Encapsulator encapsulator = new Encapsulator();
    private final Decapsulator decapsulator = new Decapsulator();
    private final int id;

    public CodecHarness()
    {
        pool = new PacketPool("test", 4, 512, 131072, Counters.inMemory(64));
        id = pool.allocate();
    }

    /** Result of one frame. */
    public record Result(TunnelDrop drop, int rule, byte[] frame, PacketDescriptor d)
    {
    }

    private void load(final byte[] frame)
    {
        d.resetMetadata().bind(id, pool.dataOffset(id), frame.length);
        pool.buffer().putBytes(d.offset(), frame);
    }

    private byte[] bytes()
    {
        final byte[] out = new byte[d.length()];
        pool.buffer().getBytes(d.offset(), out);
        return out;
    }

    /** Egress: lookup then act like EncapStage (encap, deliver or drop). */
    public Result egress(final RuleSet rules, final byte[] frame, final int vf)
    {
        load(frame);
        d.vf(vf);
        final int rule = rules.egressLookup(pool.buffer(), d.offset(), d.length(), vf, -1);
        if (rule == RuleSet.NO_RULE)
        {
            return new Result(TunnelDrop.NO_RULE, rule, null, d);
        }
        rules.hitEgress(rule);
        if (rules.egressAction(rule) == RuleSet.ACTION_DROP)
        {
            return new Result(TunnelDrop.RULE_DROP, rule, null, d);
        }
        if (rules.egressAction(rule) == RuleSet.ACTION_DELIVER)
        {
            d.vf(rules.egressArgument(rule));
            return new Result(TunnelDrop.NONE, rule, bytes(), d);
        }
        final TunnelDrop drop = encapsulator.encapsulate(rules, rules.egressArgument(rule), pool.buffer(), d,
            pool.slotOffset(id));
        return new Result(drop, rule, drop == TunnelDrop.NONE ? bytes() : null, d);
    }

    public Result ingress(final RuleSet rules, final byte[] frame)
    {
        load(frame);
        final TunnelDrop drop = decapsulator.decapsulate(rules, pool.buffer(), d);
        return new Result(drop, decapsulator.lastRule(), drop == TunnelDrop.NONE ? bytes() : null, d);
    }

    @Override
    public void close()
    {
        pool.release(id);
        pool.close();
    }
}
