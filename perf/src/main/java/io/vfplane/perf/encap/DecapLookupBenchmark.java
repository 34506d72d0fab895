package io.vfplane.perf.encap;

import java.nio.ByteOrder;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.encap.codec.Decapsulator;
import io.vfplane.encap.codec.TunnelDrop;
import io.vfplane.encap.rules.RuleSet;
import io.vfplane.perf.BenchmarkDefaults;

/**
 * VXLAN decap plus ingress lookup with 1,000,000 rules (one per VNI and inner MAC), one core. Each operation
 * re-points the descriptor at a frame and decapsulates it: outer parse, VXLAN checks, ingress lookup (endpoint, then
 * format, VNI and inner MAC), hit count, strip. Mpps = 1000 / (ns/op).
 * <ul>
 * <li>{@link #decapsulateAndLookUp()}: 4096 frames spread over the table, cycled: a working set of 4096 tunnels, whose
 * table records stay in the L2/L3 cache after the first round (many tunnels, a few thousand busy).</li>
 * <li>{@link #decapsulateAndLookUpAcrossTable()}: each operation first writes the next VNI and inner MAC of a random
 * walk over all 1,000,000 rules into the frame, so nearly every lookup misses the caches (the worst case: traffic
 * spread evenly over every tunnel).</li>
 * </ul>
 *
 * <p>The fork runs with transparent huge pages: the table is tens of megabytes, far more than the TLB covers in 4 KiB
 * pages, and without them each lookup that misses the caches also pays a page walk (random lookups in a
 * million-entry table took about half the time with huge pages, same run, 2-core Xeon with a 48 MiB L3). A dataplane
 * host keeps its tables in huge pages as DPDK and VPP do; {@code -jvmArgsAppend -XX:-UseTransparentHugePages}
 * measures without them.
 */
@Fork(value = 1, jvmArgsAppend = "-XX:+UseTransparentHugePages")
public class DecapLookupBenchmark extends BenchmarkDefaults
{
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    private static final int RULES = 1_000_000;
    private static final int FRAMES = 4096;
    private static final int LENGTH = MillionIngressRules.LENGTH;

    private PacketPool pool;
    private RuleSet rules;
    private final Decapsulator decapsulator = new Decapsulator();
    private final PacketDescriptor d = new PacketDescriptor();
    private final int[] offsets = new int[FRAMES];
    private final int[] ids = new int[FRAMES];
    /** A random permutation of all rule VNIs (which are also the low bits of their inner MACs). */
    private final int[] walk = new int[1 << 20];
    private int next;
    private int step;

    @Setup
    public void setUp()
    {
        rules = MillionIngressRules.build(RULES);
        pool = new PacketPool("bench", FRAMES, 128, 256, Counters.inMemory(16));
        final UnsafeBuffer b = pool.buffer();
        for (int f = 0; f < FRAMES; f++)
        {
            final int id = pool.allocate();
            ids[f] = id;
            final int o = pool.dataOffset(id);
            offsets[f] = o;
            final int vni = (int)((long)f * 244_140 % RULES);
            MillionIngressRules.writeFrame(b, o);
            b.putShort(o + 46, (short)(vni >>> 8), BE);
            b.putByte(o + 48, (byte)vni);
            b.putShort(o + 54, (short)vni, BE);
            b.putByte(o + 52, (byte)(vni >>> 24));
            b.putByte(o + 53, (byte)(vni >>> 16));
        }
        checkEveryFrameMatchesItsRule();
        final SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < walk.length; i++)
        {
            walk[i] = i % RULES;
        }
        for (int i = walk.length - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final int t = walk[i];
            walk[i] = walk[j];
            walk[j] = t;
        }
        checkTheWalkMatchesItsRules();
    }

    private void checkTheWalkMatchesItsRules()
    {
        for (int i = 0; i < walk.length; i++)
        {
            decapsulateAndLookUpAcrossTable();
            final int vni = walk[i];
            if (decapsulator.lastRule() != vni || d.vf() != (vni & 0xFF))
            {
                throw new IllegalStateException("walk step " + i + " (vni " + vni + "): rule " +
                    decapsulator.lastRule() + ", vf " + d.vf());
            }
        }
        step = 0;
        next = 0;
    }

    /**
     * A frame that misses the table stops early and would flatter the figure: every frame must decapsulate through
     * its own rule (VNI and inner MAC) to that rule's VF.
     */
    private void checkEveryFrameMatchesItsRule()
    {
        for (int f = 0; f < FRAMES; f++)
        {
            d.resetMetadata().bind(ids[f], offsets[f], LENGTH);
            final TunnelDrop drop = decapsulator.decapsulate(rules, pool.buffer(), d);
            final int vni = (int)((long)f * 244_140 % RULES);
            if (drop != TunnelDrop.NONE || decapsulator.lastRule() != vni || d.vf() != (vni & 0xFF) ||
                d.vni() != vni || d.length() != LENGTH - 50)
            {
                throw new IllegalStateException("frame " + f + " (vni " + vni + "): " + drop + ", rule " +
                    decapsulator.lastRule() + ", vf " + d.vf());
            }
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

    @Benchmark
    public int decapsulateAndLookUpAcrossTable()
    {
        final int f = next++ & (FRAMES - 1);
        final int vni = walk[step++ & (walk.length - 1)];
        final UnsafeBuffer b = pool.buffer();
        final int o = offsets[f];
        // VNI (VXLAN bytes 4..6) and the low 24 bits of the inner destination MAC (bytes 3..5 of the inner frame)
        b.putShort(o + 46, (short)(vni >>> 8), BE);
        b.putByte(o + 48, (byte)vni);
        b.putShort(o + 53, (short)(vni >>> 8), BE);
        b.putByte(o + 55, (byte)vni);
        d.bind(ids[f], o, LENGTH);
        decapsulator.decapsulate(rules, b, d);
        return d.vf();
    }
}
