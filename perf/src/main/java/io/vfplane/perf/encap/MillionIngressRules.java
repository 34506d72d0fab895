package io.vfplane.perf.encap;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import org.agrona.MutableDirectBuffer;

import io.vfplane.encap.format.TunnelFormat;
import io.vfplane.encap.rules.IngressRule;
import io.vfplane.encap.rules.RuleSet;
import io.vfplane.encap.rules.Underlay;

/**
 * The decap benchmarks' world: {@code count} ingress rules on one endpoint (192.0.2.1, VXLAN), rule {@code i} matching
 * VNI {@code i} and inner destination MAC {@code 02:00:00:00:00:00 | i}, and the frames that hit them.
 *
 * <pre>
 *  frame ({@value #LENGTH} bytes): Ethernet | IPv4 192.0.2.2 -> 192.0.2.1 | UDP 50000 -> 4789 | VXLAN (I) | inner 64
 * </pre>
 */
final class MillionIngressRules
{
    /** Outer 50 bytes and a 64-byte inner frame. */
    static final int LENGTH = 50 + 64;
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    private static final byte[] ENDPOINT = {(byte)192, 0, 2, 1};

    private MillionIngressRules()
    {
    }

    /** @return a rule set of {@code count} ingress rules (rule i: VNI i, inner MAC low bits i, delivered to VF i % 256). */
    static RuleSet build(final int count)
    {
        final List<IngressRule> ingress = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            ingress.add(new IngressRule(ENDPOINT, TunnelFormat.VXLAN, i, 0x0200_0000_0000L | i, null,
                IngressRule.Action.DELIVER, i & 0xFF));
        }
        final RuleSet rules = RuleSet.build(Underlay.fullFrame(ENDPOINT, null, 1, 2),
            List.of(TunnelFormat.VXLAN), List.of(), List.of(), ingress);
        if (rules.ingressRules().size() != count)
        {
            throw new IllegalStateException("rules loaded: " + rules.ingressRules().size() + " of " + count);
        }
        return rules;
    }

    /** Writes the frame's fixed bytes at {@code o}: outer headers, VXLAN flags, the inner MAC's high bytes. */
    static void writeFrame(final MutableDirectBuffer b, final int o)
    {
        b.putShort(o + 12, (short)0x0800, BE);
        b.putByte(o + 14, (byte)0x45);
        b.putShort(o + 16, (short)(LENGTH - 14), BE);
        b.putByte(o + 22, (byte)64);
        b.putByte(o + 23, (byte)17);
        b.putInt(o + 26, 0xC000_0202, BE);
        b.putInt(o + 30, 0xC000_0201, BE);
        b.putShort(o + 34, (short)50000, BE);
        b.putShort(o + 36, (short)4789, BE);
        b.putShort(o + 38, (short)(LENGTH - 34), BE);
        b.putByte(o + 42, (byte)0x08);
        b.putInt(o + 50, 0x0200_0000, BE);
    }
}
