package io.vfplane.perf.encap;

import java.nio.ByteOrder;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import io.vfplane.dataplane.buffer.PacketPool;
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
 * VXLAN encapsulation of a 64-byte frame on one core, in process: egress lookup (one prefix rule) plus
 * {@link Encapsulator} (template copy, IPv4 length and checksum, UDP source port and length). Beside it,
 * {@link #bareHeaderWrite()}: a loop that writes the same 50-byte outer header with no lookup and no policy, the
 * floor this work is measured against. Mpps = 1000 / (ns/op).
 * <pre>
 *  [ headroom | 64-byte inner frame ]  ->  [ Eth 14 | IPv4 20 | UDP 8 | VXLAN 8 | 64-byte inner frame ]
 * </pre>
 */
public class EncapBenchmark extends BenchmarkDefaults
{
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    private static final int FRAME = 64;

    private PacketPool pool;
    private RuleSet rules;
    private final Encapsulator encapsulator = new Encapsulator();
    private final PacketDescriptor d = new PacketDescriptor();
    private int id;
    private int dataOffset;
    private int slotOffset;
    private UnsafeBuffer buffer;
    private UnsafeBuffer template;

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
        buffer.putInt(dataOffset + 26, 0x0A00_0001, BE);
        buffer.putInt(dataOffset + 30, 0x0A01_0002, BE);
        final Tunnel tunnel = new Tunnel(TunnelFormat.VXLAN, new byte[]{(byte)192, 0, 2, 2}, 42, List.of(), 64, 0,
            Tunnel.DfPolicy.CLEAR, Tunnel.UdpChecksum.DEFAULT);
        final EgressRule rule = new EgressRule(EgressRule.ANY, EgressRule.ANY, EgressRule.ANY, EgressRule.ANY,
            new byte[]{10, 1, 0, 0}, 16, null, EgressRule.Action.ENCAP, tunnel, -1);
        rules = RuleSet.build(Underlay.fullFrame(new byte[]{(byte)192, 0, 2, 1}, null, 1, 2),
            List.of(TunnelFormat.VXLAN), List.of(), List.of(rule), List.of());
        template = rules.templates().bytes();
    }

    @TearDown
    public void tearDown()
    {
        pool.release(id);
        pool.close();
    }

    /** Egress lookup plus VXLAN encap of one 64-byte frame. */
    @Benchmark
    public int lookupAndEncapsulate()
    {
        d.bind(id, dataOffset, FRAME).flowHash(0x1234_5678);
        final int rule = rules.egressLookup(buffer, dataOffset, FRAME, 0, -1);
        rules.hitEgress(rule);
        encapsulator.encapsulate(rules, rules.egressArgument(rule), buffer, d, slotOffset);
        return d.offset();
    }

    /** The floor: write the same 50-byte outer header (copy plus the three length / port fields) and nothing else. */
    @Benchmark
    public int bareHeaderWrite()
    {
        final int frame = dataOffset - 50;
        buffer.putBytes(frame, template, 0, 50);
        buffer.putShort(frame + 16, (short)(FRAME + 36), BE);
        buffer.putShort(frame + 34, (short)(49152 | (0x1234_5678 & 0x3FFF)), BE);
        buffer.putShort(frame + 38, (short)(FRAME + 16), BE);
        return frame;
    }
}
