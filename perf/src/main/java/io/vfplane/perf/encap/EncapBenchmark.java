package io.vfplane.perf.encap;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.checksum.Checksums;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.encap.codec.Encapsulator;
import io.vfplane.encap.format.TunnelFormat;
import io.vfplane.encap.rules.EgressRule;
import io.vfplane.encap.rules.RuleSet;
import io.vfplane.encap.rules.Tunnel;
import io.vfplane.encap.rules.Underlay;
import io.vfplane.perf.BenchmarkDefaults;

/**
 * VXLAN encapsulation of a 64-byte frame on one core, in process, split in one run into its parts:
 * {@link #lookupOnly()} (egress lookup of the frame), {@link #encapsulateOnly()} ({@link Encapsulator} given the
 * rule's tunnel: template copy, IPv4 length and checksum, UDP source port and length) and
 * {@link #lookupAndEncapsulate()} (both, with the hit count, as the encap stage does them). Beside them,
 * {@link #bareHeaderWrite()}: a loop that writes the same 50-byte outer header with no lookup and no policy, the
 * floor this work is measured against. Mpps = 1000 / (ns/op).
 * <pre>
 *  [ headroom | 64-byte inner frame ]  ->  [ Eth 14 | IPv4 20 | UDP 8 | VXLAN 8 | 64-byte inner frame ]
 * </pre>
 * The rule set is a realistic egress table: {@value #VFS} VFs with {@value #PREFIXES_PER_VF} /24 prefixes each, every
 * prefix to its own tunnel (remote and VNI), so the lookup goes through a VF scope and the IPv4 trie's second level,
 * and the template is one of many. One packet per op, the same frame every op: encap writes only into the headroom in
 * front of the frame, never into the frame, and the descriptor is rebound each op, so every op starts from the same
 * pristine frame and the run measures no memory traffic of its own.
 */
public class EncapBenchmark extends BenchmarkDefaults
{
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    private static final int FRAME = 64;
    /** Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8. */
    private static final int OUTER = 50;
    private static final int IP = 14;
    private static final int UDP = IP + 20;
    private static final int VFS = 32;
    private static final int PREFIXES_PER_VF = 8;
    /** The frame comes from this VF and goes to a host in its prefix 5: 10.VF.5.2. */
    private static final int VF = 7;
    private static final int PREFIX = 5;
    private static final int DESTINATION = 0x0A00_0000 | VF << 16 | PREFIX << 8 | 2;
    private static final int FLOW_HASH = 0x1234_5678;

    private PacketPool pool;
    private RuleSet rules;
    private final Encapsulator encapsulator = new Encapsulator();
    private final PacketDescriptor d = new PacketDescriptor();
    private int id;
    private int dataOffset;
    private int slotOffset;
    private UnsafeBuffer buffer;
    private UnsafeBuffer template;
    /** The tunnel of the frame's rule, found once in setup for {@link #encapsulateOnly()}. */
    private int tunnel;
    private int templateOffset;
    /** Sum of the template's IPv4 header (total length and checksum zero there), folded to 16 bits. */
    private int templateIpSum;

    @Setup
    public void setUp()
    {
        pool = new PacketPool("bench", 2, 128, 2048, Counters.inMemory(16));
        id = pool.allocate();
        buffer = pool.buffer();
        dataOffset = pool.dataOffset(id);
        slotOffset = pool.slotOffset(id);
        // inner Ethernet + IPv4 + UDP, 64 bytes
        buffer.putLong(dataOffset, 0x0200_0000_0002_0200L, BE);
        buffer.putInt(dataOffset + 8, 0x0000_0001, BE);
        buffer.putShort(dataOffset + 12, (short)0x0800, BE);
        buffer.putByte(dataOffset + 14, (byte)0x45);
        buffer.putShort(dataOffset + 16, (short)50, BE);
        buffer.putByte(dataOffset + 22, (byte)64);
        buffer.putByte(dataOffset + 23, (byte)17);
        buffer.putInt(dataOffset + 26, 0x0A00_0001 | VF << 16, BE);
        buffer.putInt(dataOffset + 30, DESTINATION, BE);
        final List<EgressRule> egress = new ArrayList<>();
        for (int vf = 0; vf < VFS; vf++)
        {
            for (int p = 0; p < PREFIXES_PER_VF; p++)
            {
                final Tunnel t = new Tunnel(TunnelFormat.VXLAN, new byte[]{(byte)192, 0, 2, (byte)(2 + vf)},
                    vf * PREFIXES_PER_VF + p + 1, List.of(), 64, 0, Tunnel.DfPolicy.CLEAR, Tunnel.UdpChecksum.DEFAULT);
                egress.add(new EgressRule(vf, EgressRule.ANY, EgressRule.ANY, EgressRule.ANY,
                    new byte[]{10, (byte)vf, (byte)p, 0}, 24, null, EgressRule.Action.ENCAP, t, -1));
            }
        }
        rules = RuleSet.build(Underlay.fullFrame(new byte[]{(byte)192, 0, 2, 1}, null, 1, 2),
            List.of(TunnelFormat.VXLAN), List.of(), egress, List.of());
        final int rule = rules.egressLookup(buffer, dataOffset, FRAME, VF, -1);
        if (rule != VF * PREFIXES_PER_VF + PREFIX)
        {
            throw new IllegalStateException("the frame hit rule " + rule);
        }
        tunnel = rules.egressArgument(rule);
        template = rules.templates().bytes();
        templateOffset = rules.templates().offset(tunnel);
        int sum = Checksums.sum(template, templateOffset + IP, 20, 0);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        templateIpSum = (sum & 0xFFFF) + (sum >>> 16);
        checkBaselineWritesTheSameHeader();
    }

    /**
     * The floor must do the same work on the wire: the 50 bytes {@link #bareHeaderWrite()} leaves in front of the
     * frame are the bytes {@link #lookupAndEncapsulate()} and {@link #encapsulateOnly()} leave there, or the ratio
     * means nothing.
     */
    private void checkBaselineWritesTheSameHeader()
    {
        if (rules.templates().length(tunnel) != OUTER)
        {
            throw new IllegalStateException("VXLAN over IPv4 template is " + rules.templates().length(tunnel) +
                " bytes");
        }
        final byte[] encapsulated = new byte[OUTER];
        final byte[] alone = new byte[OUTER];
        final byte[] baseline = new byte[OUTER];
        final int frame = lookupAndEncapsulate();
        if (frame != dataOffset - OUTER)
        {
            throw new IllegalStateException("encapsulate did not prepend " + OUTER + " bytes");
        }
        buffer.getBytes(frame, encapsulated);
        buffer.setMemory(frame, OUTER, (byte)0);
        if (encapsulateOnly() != frame)
        {
            throw new IllegalStateException("encapsulateOnly did not prepend " + OUTER + " bytes");
        }
        buffer.getBytes(frame, alone);
        buffer.setMemory(frame, OUTER, (byte)0);
        buffer.getBytes(bareHeaderWrite(), baseline);
        if (!Arrays.equals(encapsulated, baseline) || !Arrays.equals(alone, baseline))
        {
            throw new IllegalStateException("baseline header differs from the encapsulated one:\n" +
                HexFormat.of().formatHex(encapsulated) + "\n" + HexFormat.of().formatHex(alone) + "\n" +
                HexFormat.of().formatHex(baseline));
        }
    }

    @TearDown
    public void tearDown()
    {
        pool.release(id);
        pool.close();
    }

    /** Egress lookup plus VXLAN encap of one 64-byte frame, as the encap stage does it: lookup, hit count, encap. */
    @Benchmark
    public int lookupAndEncapsulate()
    {
        d.bind(id, dataOffset, FRAME).flowHash(FLOW_HASH);
        final int rule = rules.egressLookup(buffer, dataOffset, FRAME, VF, -1);
        rules.hitEgress(rule);
        encapsulator.encapsulate(rules, rules.egressArgument(rule), buffer, d, slotOffset);
        return d.offset();
    }

    /** The egress lookup alone: the rule of one 64-byte frame. */
    @Benchmark
    public int lookupOnly()
    {
        return rules.egressLookup(buffer, dataOffset, FRAME, VF, -1);
    }

    /** VXLAN encap alone, with the tunnel the frame's rule names (found once in setup). */
    @Benchmark
    public int encapsulateOnly()
    {
        d.bind(id, dataOffset, FRAME).flowHash(FLOW_HASH);
        encapsulator.encapsulate(rules, tunnel, buffer, d, slotOffset);
        return d.offset();
    }

    /**
     * The floor: write the same 50-byte outer header (template copy, IPv4 total length and header checksum, UDP
     * source port and length; checked byte for byte against {@link #lookupAndEncapsulate()} in setup) with no lookup,
     * no policy and no descriptor. The checksum is the template's precomputed sum plus the length, folded: the
     * cheapest correct way, as encap itself does it.
     */
    @Benchmark
    public int bareHeaderWrite()
    {
        final int frame = dataOffset - OUTER;
        final int ipLength = FRAME + OUTER - IP;
        buffer.putBytes(frame, template, templateOffset, OUTER);
        buffer.putShort(frame + IP + 2, (short)ipLength, BE);
        int sum = templateIpSum + ipLength;
        sum = (sum & 0xFFFF) + (sum >>> 16);
        buffer.putShort(frame + IP + Checksums.IPV4_CHECKSUM_OFFSET, (short)~sum, BE);
        buffer.putShort(frame + UDP, (short)(49152 | (FLOW_HASH & 0x3FFF)), BE);
        buffer.putShort(frame + UDP + 4, (short)(FRAME + OUTER - UDP), BE);
        return frame;
    }
}
