package io.vfplane.encap.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.encap.format.TunnelFormat;
import io.vfplane.encap.rules.IngressRule;
import io.vfplane.encap.rules.RuleSet;
import io.vfplane.encap.rules.Underlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The batch path over a table large and full enough that many lookups run past their home line (so the advance step
 * between the passes is exercised), with frames for two endpoints interleaved (the endpoint kept from the previous
 * frame must be dropped when the address changes), unknown endpoints, unknown VNIs, drop rules, any-MAC rules and
 * source-scoped rules: verdicts, rules, VFs and VNIs must be those of one packet at a time, and every rule's hit count
 * exact.
 */
class DecapLargeTableBatchTest
{
    private static final byte[] HOST_A = {(byte)192, 0, 2, 1};
    private static final byte[] HOST_B = {(byte)192, 0, 2, 2};
    private static final byte[] STRANGER = {(byte)192, 0, 2, 99};
    private static final byte[] PEER = {(byte)198, 51, 100, 7};
    private static final byte[] OTHER_PEER = {(byte)198, 51, 100, 8};
    private static final int RULES = 60_000;
    private static final int BATCH = 256;

    @Test
    void shouldMatchOnePacketAtATimeAndCountEveryHitExactlyOverALargeTable()
    {
        final RuleSet batchRules = rules(false);
        final RuleSet singleRules = rules(false);
        final SplittableRandom random = new SplittableRandom(11);
        final int frames = 40 * BATCH;
        final List<byte[]> input = new ArrayList<>(frames);
        for (int i = 0; i < frames; i++)
        {
            final int pick = random.nextInt(100);
            final byte[] dst = pick < 45 ? HOST_A : pick < 90 ? HOST_B : STRANGER;
            final int vni = random.nextInt(RULES + RULES / 20); // some VNIs have no rule
            final long mac = random.nextInt(10) == 0 ? 0x0200_DEAD_BEEFL : 0x0200_0000_0000L | vni;
            input.add(vxlan(dst, random.nextInt(8) == 0 ? PEER : OTHER_PEER, vni, mac));
        }
        runAndCompare(batchRules, singleRules, input, new Decapsulator());
        for (int r = 0; r < batchRules.ingressRules().size(); r++)
        {
            assertEquals(singleRules.ingressHits(r), batchRules.ingressHits(r), "hits of rule " + r);
        }
    }

    @Test
    void shouldNotCarryTheEndpointOfOneRuleSetIntoTheNext()
    {
        // the same addresses in the other order: HOST_A's endpoint number in one set is HOST_B's in the other
        final RuleSet first = rules(false);
        final RuleSet swapped = rules(true);
        final Decapsulator decapsulator = new Decapsulator();
        final List<byte[]> input = new ArrayList<>();
        for (int i = 0; i < BATCH; i++)
        {
            input.add(vxlan(HOST_A, OTHER_PEER, i, 0x0200_0000_0000L | i));
        }
        for (int round = 0; round < 4; round++)
        {
            final RuleSet rules = round % 2 == 0 ? first : swapped;
            runAndCompare(rules, round % 2 == 0 ? rules(false) : rules(true), input, decapsulator);
        }
    }

    /**
     * Rules for VNIs 0..RULES-1: on HOST_A VNI v to inner MAC 02:00:00:vv:vv:vv delivers to VF v % 256 (every 7th
     * drops); on HOST_B the same VNIs with any inner MAC; from PEER, source-scoped rules for every 50th VNI on HOST_A
     * win over the others. With {@code swapped} HOST_B's rules come first (the endpoints get each other's numbers)
     * and HOST_B's VNIs are offset by one.
     */
    private static RuleSet rules(final boolean swapped)
    {
        final List<IngressRule> a = new ArrayList<>();
        final List<IngressRule> b = new ArrayList<>();
        for (int v = 0; v < RULES; v++)
        {
            a.add(new IngressRule(HOST_A, TunnelFormat.VXLAN, v, 0x0200_0000_0000L | v, null,
                v % 7 == 0 ? IngressRule.Action.DROP : IngressRule.Action.DELIVER, v & 0xFF));
            if (v % 3 == 0)
            {
                b.add(new IngressRule(HOST_B, TunnelFormat.VXLAN, swapped ? v + 1 : v, -1, null,
                    IngressRule.Action.DELIVER, (v + 1) & 0xFF));
            }
            if (v % 50 == 0)
            {
                a.add(new IngressRule(HOST_A, TunnelFormat.VXLAN, v, -1, PEER, IngressRule.Action.DELIVER, 77));
            }
        }
        final List<IngressRule> all = new ArrayList<>();
        all.addAll(swapped ? b : a);
        all.addAll(swapped ? a : b);
        return RuleSet.build(Underlay.fullFrame(HOST_A, null, 1, 2), List.of(TunnelFormat.VXLAN), List.of(),
            List.of(), all);
    }

    private static void runAndCompare(final RuleSet batchRules, final RuleSet singleRules, final List<byte[]> input,
        final Decapsulator twoPass)
    {
        final Decapsulator single = new Decapsulator();
        int delivered = 0;
        int noRule = 0;
        try (Counters counters = Counters.inMemory(64);
            PacketPool pool = new PacketPool("large", 2 * BATCH, 256, 256, counters))
        {
            final PacketDescriptor[] one = new PacketDescriptor[BATCH];
            final PacketDescriptor[] batch = new PacketDescriptor[BATCH];
            for (int i = 0; i < BATCH; i++)
            {
                one[i] = new PacketDescriptor();
                batch[i] = new PacketDescriptor();
            }
            final int[] oneIds = new int[BATCH];
            final int[] batchIds = new int[BATCH];
            for (int i = 0; i < BATCH; i++)
            {
                oneIds[i] = pool.allocate();
                batchIds[i] = pool.allocate();
            }
            for (int first = 0; first < input.size(); first += BATCH)
            {
                final int n = Math.min(BATCH, input.size() - first);
                for (int i = 0; i < n; i++)
                {
                    final byte[] frame = input.get(first + i);
                    bind(pool, one[i], oneIds[i], frame);
                    bind(pool, batch[i], batchIds[i], frame);
                }
                twoPass.reserve(n);
                for (int i = 0; i < n; i++)
                {
                    twoPass.parse(batchRules, pool.buffer(), batch[i], i);
                }
                twoPass.prefetch(batchRules, n);
                for (int i = 0; i < n; i++)
                {
                    final TunnelDrop expected = single.decapsulate(singleRules, pool.buffer(), one[i]);
                    final int expectedRule = single.lastRule();
                    final TunnelDrop drop = twoPass.complete(batchRules, batch[i], i);
                    final String what = "frame " + (first + i);
                    assertEquals(expected, drop, what);
                    assertEquals(expectedRule, twoPass.lastRule(), what);
                    assertEquals(one[i].vf(), batch[i].vf(), what);
                    assertEquals(one[i].vni(), batch[i].vni(), what);
                    assertEquals(one[i].length(), batch[i].length(), what);
                    delivered += drop == TunnelDrop.NONE ? 1 : 0;
                    noRule += drop == TunnelDrop.NO_RULE ? 1 : 0;
                }
            }
            for (int i = 0; i < BATCH; i++)
            {
                pool.release(oneIds[i]);
                pool.release(batchIds[i]);
            }
        }
        assertTrue(delivered > input.size() / 4, "delivered " + delivered);
        assertTrue(noRule > 0 || input.size() == BATCH, "no rule " + noRule);
    }

    private static void bind(final PacketPool pool, final PacketDescriptor d, final int id, final byte[] frame)
    {
        final int offset = pool.dataOffset(id);
        pool.buffer().putBytes(offset, frame);
        d.resetMetadata().bind(id, offset, frame.length);
    }

    /** Ethernet, IPv4, UDP to 4789, VXLAN with the I flag, an inner Ethernet header and 32 bytes of payload. */
    private static byte[] vxlan(final byte[] dst, final byte[] src, final int vni, final long innerDstMac)
    {
        final int length = 14 + 20 + 8 + 8 + 14 + 32;
        final ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.BIG_ENDIAN);
        b.putShort(12, (short)0x0800);
        b.put(14, (byte)0x45);
        b.putShort(16, (short)(length - 14));
        b.put(22, (byte)64);
        b.put(23, (byte)17);
        b.put(26, src);
        b.put(30, dst);
        b.putShort(34, (short)50000);
        b.putShort(36, (short)4789);
        b.putShort(38, (short)(length - 34));
        b.put(42, (byte)0x08);
        b.putShort(46, (short)(vni >>> 8));
        b.put(48, (byte)vni);
        b.putShort(50, (short)(innerDstMac >>> 32));
        b.putInt(52, (int)innerDstMac);
        return b.array();
    }
}
