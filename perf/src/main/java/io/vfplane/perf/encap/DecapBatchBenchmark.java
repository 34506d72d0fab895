package io.vfplane.perf.encap;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.encap.codec.Decapsulator;
import io.vfplane.encap.codec.TunnelDrop;
import io.vfplane.encap.format.TunnelFormat;
import io.vfplane.encap.rules.IngressRule;
import io.vfplane.encap.rules.RuleSet;
import io.vfplane.encap.rules.Underlay;
import io.vfplane.perf.BenchmarkDefaults;

/**
 * VXLAN decap plus ingress lookup with 1,000,000 rules, a batch at a time, as the decap stage runs it; every frame of
 * every batch carries the next VNI and inner MAC of a random walk over all rules, so nearly every lookup misses the
 * caches. Scores are per packet ({@code @OperationsPerInvocation} is the batch size): Mpps = 1000 / (ns/op).
 * <ul>
 * <li>{@code onePass*}: {@link Decapsulator#decapsulate} packet after packet, each lookup waiting for its miss.</li>
 * <li>{@code twoPass*}: what {@code DecapStage.onBatch} does: {@link Decapsulator#parse} every packet,
 * {@link Decapsulator#prefetch} (touch every packet's table record in one tight loop, so the misses overlap), then
 * {@link Decapsulator#complete} every packet.</li>
 * </ul>
 * Each operation also writes the VNI and MAC into the frames (6 bytes each, as
 * {@code DecapLookupBenchmark.decapsulateAndLookUpAcrossTable} does), which both variants pay alike. Transparent huge
 * pages as in {@link DecapLookupBenchmark}.
 */
@Fork(value = 1, jvmArgsAppend = "-XX:+UseTransparentHugePages")
public class DecapBatchBenchmark extends BenchmarkDefaults
{
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    private static final int RULES = 1_000_000;
    private static final int MAX_BATCH = 256;
    private static final int LENGTH = 50 + 64;

    private PacketPool pool;
    private RuleSet rules;
    private final Decapsulator decapsulator = new Decapsulator();
    private final PacketDescriptor[] ds = new PacketDescriptor[MAX_BATCH];
    private final int[] offsets = new int[MAX_BATCH];
    private final int[] ids = new int[MAX_BATCH];
    /** A random permutation of all rule VNIs (which are also the low bits of their inner MACs). */
    private final int[] walk = new int[1 << 20];
    private int step;

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
        pool = new PacketPool("bench", MAX_BATCH, 128, 256, Counters.inMemory(16));
        final UnsafeBuffer b = pool.buffer();
        for (int f = 0; f < MAX_BATCH; f++)
        {
            ds[f] = new PacketDescriptor();
            final int id = pool.allocate();
            ids[f] = id;
            final int o = pool.dataOffset(id);
            offsets[f] = o;
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
        checkBothPassesDeliverEveryFrameThroughItsRule();
    }

    /** A frame that misses the table stops early and would flatter the figure. */
    private void checkBothPassesDeliverEveryFrameThroughItsRule()
    {
        for (int round = 0; round < 2; round++)
        {
            final int first = step;
            if (round == 0)
            {
                onePass(MAX_BATCH);
            }
            else
            {
                twoPass(MAX_BATCH);
            }
            for (int i = 0; i < MAX_BATCH; i++)
            {
                final int vni = walk[(first + i) & (walk.length - 1)];
                final PacketDescriptor d = ds[i];
                if (d.vni() != vni || d.vf() != (vni & 0xFF) || d.length() != LENGTH - 50)
                {
                    throw new IllegalStateException("round " + round + " frame " + i + " (vni " + vni + "): vni " +
                        d.vni() + ", vf " + d.vf() + ", length " + d.length());
                }
            }
        }
        step = 0;
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

    private void load(final int batch)
    {
        final UnsafeBuffer b = pool.buffer();
        for (int i = 0; i < batch; i++)
        {
            final int vni = walk[step++ & (walk.length - 1)];
            final int o = offsets[i];
            // VNI (VXLAN bytes 4..6) and the low 24 bits of the inner destination MAC (bytes 3..5 of the inner frame)
            b.putShort(o + 46, (short)(vni >>> 8), BE);
            b.putByte(o + 48, (byte)vni);
            b.putShort(o + 53, (short)(vni >>> 8), BE);
            b.putByte(o + 55, (byte)vni);
            ds[i].bind(ids[i], o, LENGTH);
        }
    }

    private int onePass(final int batch)
    {
        load(batch);
        final UnsafeBuffer b = pool.buffer();
        int delivered = 0;
        for (int i = 0; i < batch; i++)
        {
            if (decapsulator.decapsulate(rules, b, ds[i]) == TunnelDrop.NONE)
            {
                delivered++;
            }
        }
        return delivered;
    }

    private int twoPass(final int batch)
    {
        load(batch);
        final UnsafeBuffer b = pool.buffer();
        for (int i = 0; i < batch; i++)
        {
            decapsulator.parse(rules, b, ds[i], i);
        }
        decapsulator.prefetch(rules, batch);
        int delivered = 0;
        for (int i = 0; i < batch; i++)
        {
            if (decapsulator.complete(rules, ds[i], i) == TunnelDrop.NONE)
            {
                delivered++;
            }
        }
        return delivered;
    }

    @Benchmark
    @OperationsPerInvocation(32)
    public int onePass32()
    {
        return onePass(32);
    }

    @Benchmark
    @OperationsPerInvocation(32)
    public int twoPass32()
    {
        return twoPass(32);
    }

    @Benchmark
    @OperationsPerInvocation(256)
    public int onePass256()
    {
        return onePass(256);
    }

    @Benchmark
    @OperationsPerInvocation(256)
    public int twoPass256()
    {
        return twoPass(256);
    }
}
