package io.vfplane.perf.encap;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.encap.codec.Decapsulator;
import io.vfplane.encap.format.TunnelFormat;
import io.vfplane.encap.rules.IngressRule;
import io.vfplane.encap.rules.RuleSet;
import io.vfplane.encap.rules.Underlay;
import io.vfplane.perf.BenchmarkDefaults;

/**
 * VXLAN decap plus ingress lookup with 1,000,000 rules (one per VNI and inner MAC), one core. 4096 different frames
 * (spread over the whole table) are cycled so the lookups miss the CPU caches as real traffic would. Each operation
 * re-points the descriptor at a frame and decapsulates it. Mpps = 1000 / (ns/op).
 */
public class DecapLookupBenchmark extends BenchmarkDefaults
{
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    private static final int RULES = 1_000_000;
    private static final int FRAMES = 4096;
    private static final int LENGTH = 50 + 64;

    private PacketPool pool;
    private RuleSet rules;
    private final Decapsulator decapsulator = new Decapsulator();
    private final PacketDescriptor d = new PacketDescriptor();
    private final int[] offsets = new int[FRAMES];
    private final int[] ids = new int[FRAMES];
    private int next;

    @Setup
    public void setUp()
    {
        final List<IngressRule> ingress = new ArrayList<>(RULES);
        for (int i = 0; i < RULES; i++)
        {
            ingress.add(new IngressRule(new byte[]{(byte)192, 0, 2, 1}, TunnelFormat.VXLAN, i,
                0x0200_0000_0000L | i, null, IngressRule.Action.DELIVER, i & 0xFF));
        }
        rules = RuleSet.build(Underlay.fullFrame(new byte[]{(byte)192, 0, 2, 1}, null, 1, 2),
            List.of(TunnelFormat.VXLAN), List.of(), List.of(), ingress);
        pool = new PacketPool("bench", FRAMES, 128, 256, Counters.inMemory(16));
        final UnsafeBuffer b = pool.buffer();
        for (int f = 0; f < FRAMES; f++)
        {
            final int id = pool.allocate();
            ids[f] = id;
            final int o = pool.dataOffset(id);
            offsets[f] = o;
            final int vni = (int)((long)f * 244_140 % RULES);
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
            b.putShort(o + 46, (short)(vni >>> 8), BE);
            b.putByte(o + 48, (byte)vni);
            b.putInt(o + 50, 0x0200_0000, BE);
            b.putShort(o + 54, (short)vni, BE);
            b.putByte(o + 52, (byte)(vni >>> 24));
            b.putByte(o + 53, (byte)(vni >>> 16));
        }
    }

    @TearDown
    public void tearDown()
    {
        for (final int id : ids)
        {
            pool.release(id);
        }
        pool.close();
    }

    @Benchmark
    public int decapsulateAndLookUp()
    {
        final int f = next++ & (FRAMES - 1);
        d.bind(ids[f], offsets[f], LENGTH);
        decapsulator.decapsulate(rules, pool.buffer(), d);
        return d.vf();
    }
}
