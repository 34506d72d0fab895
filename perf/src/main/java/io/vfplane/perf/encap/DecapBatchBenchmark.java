package io.vfplane.perf.encap;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import com.lmax.disruptor.RingBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.encap.codec.Decapsulator;
import io.vfplane.encap.codec.TunnelDrop;
import io.vfplane.encap.rules.RuleSet;
import io.vfplane.encap.rules.RuleTables;
import io.vfplane.encap.stage.DecapStage;
import io.vfplane.perf.BenchmarkDefaults;
import io.vfplane.pipeline.PacketBatch;
import io.vfplane.pipeline.PacketEntry;
import io.vfplane.pipeline.StageContext;

/**
 * VXLAN decap plus ingress lookup with 1,000,000 rules, a batch at a time; every frame of every batch carries the
 * next VNI and inner MAC of a random walk over all rules (a permutation of all of them, so every rule is hit equally
 * and nearly every lookup misses the caches: the worst case, traffic spread evenly over every tunnel). Scores are
 * per packet ({@code @OperationsPerInvocation} is the batch size): Mpps = 1000 / (ns/op).
 * <ul>
 * <li>{@code stage*}: the figure. {@link DecapStage#onBatch} and {@code onEndOfBatch} on a real
 * {@link PacketBatch} over a Disruptor ring of {@link PacketEntry}s, exactly what the pipeline runs: rule set read
 * from {@link RuleTables}, action check, decap, drop accounting, the {@code decapsulated} counter, per-rule hits.
 * The result (each descriptor's inner frame offset, length, VF, VNI and out port) is folded into the returned value,
 * which JMH consumes.</li>
 * <li>{@code twoPass*}, {@code onePass*}: the codec alone ({@link Decapsulator} parse/prefetch/complete, or
 * {@link Decapsulator#decapsulate} packet after packet).</li>
 * <li>{@code loadOnly256}: the benchmark's own per-packet work that every other variant includes: write the next
 * VNI and inner MAC into the frame (2 x 3 bytes) and re-bind the descriptor, as the receive side would hand the
 * frame over. Subtract it to get the stage's cost alone.</li>
 * </ul>
 * Setup checks that every rule is loaded and that the path the benchmark measures (and only that one, so that the
 * JIT's profile of the code is that path's alone) delivers every frame through its rule (a frame that misses the
 * table stops early and would flatter the figure) and that the hit counts are exact.
 * Transparent huge pages as in {@link DecapLookupBenchmark}. On a shared machine, {@link DecapCpuTime} times
 * {@code stage256} against {@code loadOnly256} by the thread's CPU time in one process, as a second opinion.
 */
@Fork(value = 1, jvmArgsAppend = "-XX:+UseTransparentHugePages")
public class DecapBatchBenchmark extends BenchmarkDefaults
{
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    private static final int RULES = 1_000_000;
    private static final int MAX_BATCH = 256;
    private static final int LENGTH = MillionIngressRules.LENGTH;
    private static final int VF_PORT_BASE = 100;

    private PacketPool pool;
    private RuleSet rules;
    private final Decapsulator decapsulator = new Decapsulator();
    private final PacketDescriptor[] ds = new PacketDescriptor[MAX_BATCH];
    private final int[] offsets = new int[MAX_BATCH];
    private final int[] ids = new int[MAX_BATCH];
    /** A random permutation of all rule VNIs (which are also the low bits of their inner MACs). */
    private final int[] walk = new int[1 << 20];
    private int step;

    /**
     * How many rules the walk visits (all are loaded either way): {@code -p span=4096} keeps their records in the
     * caches, which separates the cost of the work from the cost of the misses.
     */
    @Param("1000000")
    public int span;

    private DecapStage stage;
    private PacketBatch batch;
    private Counters stageCounters;

    @Setup
    public void setUp(final BenchmarkParams params) throws ReflectiveOperationException
    {
        setUp(params.getBenchmark());
    }

    /**
     * Builds everything and checks the path {@code benchmark} (a method name, or a name ending in it) measures, and
     * only that one, so that the profile the JIT compiles the codec from is the measured path's alone (each path is
     * still checked, in its own benchmark's fork).
     */
    public void setUp(final String benchmark) throws ReflectiveOperationException
    {
        rules = MillionIngressRules.build(RULES);
        pool = new PacketPool("bench", MAX_BATCH, 128, 256, Counters.inMemory(16));
        final UnsafeBuffer b = pool.buffer();
        for (int f = 0; f < MAX_BATCH; f++)
        {
            final int id = pool.allocate();
            ids[f] = id;
            final int o = pool.dataOffset(id);
            offsets[f] = o;
            MillionIngressRules.writeFrame(b, o);
        }
        final SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < walk.length; i++)
        {
            walk[i] = i % span;
        }
        for (int i = walk.length - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final int t = walk[i];
            walk[i] = walk[j];
            walk[j] = t;
        }

        // the stage, on the engine's own batch view (its constructors are the engine's: reached by reflection here)
        final Constructor<PacketEntry> entryConstructor = PacketEntry.class.getDeclaredConstructor(int.class);
        entryConstructor.setAccessible(true);
        final RingBuffer<PacketEntry> ring = RingBuffer.createSingleProducer(() ->
        {
            try
            {
                return entryConstructor.newInstance(0);
            }
            catch (final ReflectiveOperationException ex)
            {
                throw new IllegalStateException(ex);
            }
        }, MAX_BATCH);
        for (int i = 0; i < MAX_BATCH; i++)
        {
            ds[i] = ring.get(i).packet();
        }
        final Constructor<PacketBatch> batchConstructor =
            PacketBatch.class.getDeclaredConstructor(RingBuffer.class, PacketPool.class);
        batchConstructor.setAccessible(true);
        batch = batchConstructor.newInstance(ring, pool);
        final Method wrap = PacketBatch.class.getDeclaredMethod("wrap", long.class, int.class);
        wrap.setAccessible(true);
        wrap.invoke(batch, 0L, MAX_BATCH);
        final Constructor<StageContext> contextConstructor = StageContext.class.getDeclaredConstructor(
            String.class, String.class, int.class, PacketPool.class, Counters.class);
        contextConstructor.setAccessible(true);
        stageCounters = Counters.inMemory(64);
        stage = new DecapStage(new RuleTables(rules), VF_PORT_BASE);
        stage.onStart(contextConstructor.newInstance("bench", stage.name(), 0, pool, stageCounters));

        final int path = benchmark.endsWith("onePass32") || benchmark.endsWith("onePass256") ? 0 :
            benchmark.endsWith("twoPass32") || benchmark.endsWith("twoPass256") ? 1 : 2;
        checkDeliversEveryFrameThroughItsRule(path);
    }

    /**
     * A frame that misses the table stops early and would flatter the figure; hit counts must be exact. Path 0 is
     * {@code onePass}, 1 {@code twoPass}, 2 the stage (which also sets the out port); each is checked over
     * three batches.
     */
    private void checkDeliversEveryFrameThroughItsRule(final int path)
    {
        final java.util.Map<Integer, Long> expected = new java.util.HashMap<>();
        for (int batchNumber = 0; batchNumber < 3; batchNumber++)
        {
            final int first = step;
            switch (path)
            {
                case 0 -> onePass(MAX_BATCH);
                case 1 -> twoPass(MAX_BATCH);
                default -> stage();
            }
            for (int i = 0; i < MAX_BATCH; i++)
            {
                expected.merge(walk[(first + i) & (walk.length - 1)], 1L, Long::sum);
            }
            for (int i = 0; i < MAX_BATCH; i++)
            {
                final int vni = walk[(first + i) & (walk.length - 1)];
                final PacketDescriptor d = ds[i];
                if (d.vni() != vni || d.vf() != (vni & 0xFF) || d.length() != LENGTH - 50 ||
                    d.action() != PacketDescriptor.ACTION_CONTINUE ||
                    (path == 2 && d.outPort() != VF_PORT_BASE + (vni & 0xFF)) ||
                    rules.ingressHits(vni) != expected.get(vni))
                {
                    throw new IllegalStateException("path " + path + ", batch " + batchNumber + ", frame " + i + " (vni " + vni + "): vni " +
                        d.vni() + ", vf " + d.vf() + ", length " + d.length() + ", action " + d.action() +
                        ", out port " + d.outPort() + ", hits " + rules.ingressHits(vni) + " of " + expected.get(vni));
                }
            }
            step = first + MAX_BATCH;
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
        stageCounters.close();
    }

    private void load(final int count)
    {
        final UnsafeBuffer b = pool.buffer();
        for (int i = 0; i < count; i++)
        {
            final int vni = walk[step++ & (walk.length - 1)];
            final int o = offsets[i];
            // VNI (VXLAN bytes 4..6) and the low 24 bits of the inner destination MAC (bytes 3..5 of the inner frame)
            b.putShort(o + 46, (short)(vni >>> 8), BE);
            b.putByte(o + 48, (byte)vni);
            b.putShort(o + 53, (short)(vni >>> 8), BE);
            b.putByte(o + 55, (byte)vni);
            ds[i].action(PacketDescriptor.ACTION_CONTINUE).bind(ids[i], o, LENGTH);
        }
    }

    /** What the stage handed on, folded so that none of it is dead. */
    private long result(final int count)
    {
        long h = 0;
        for (int i = 0; i < count; i++)
        {
            final PacketDescriptor d = ds[i];
            h = h * 31 + ((long)d.offset() << 48 ^ (long)d.length() << 32 ^ (long)d.outPort() << 24 ^ d.vni() ^
                d.action());
        }
        return h;
    }

    private long stage()
    {
        load(MAX_BATCH);
        stage.onBatch(batch);
        stage.onEndOfBatch();
        return result(MAX_BATCH);
    }

    private int onePass(final int count)
    {
        load(count);
        final UnsafeBuffer b = pool.buffer();
        int delivered = 0;
        for (int i = 0; i < count; i++)
        {
            if (decapsulator.decapsulate(rules, b, ds[i]) == TunnelDrop.NONE)
            {
                delivered++;
            }
        }
        return delivered;
    }

    private int twoPass(final int count)
    {
        load(count);
        final UnsafeBuffer b = pool.buffer();
        for (int i = 0; i < count; i++)
        {
            decapsulator.parse(rules, b, ds[i], i);
        }
        decapsulator.prefetch(rules, count);
        int delivered = 0;
        for (int i = 0; i < count; i++)
        {
            if (decapsulator.complete(rules, ds[i], i) == TunnelDrop.NONE)
            {
                delivered++;
            }
        }
        return delivered;
    }

    @Benchmark
    @OperationsPerInvocation(MAX_BATCH)
    public long stage256()
    {
        return stage();
    }

    @Benchmark
    @OperationsPerInvocation(MAX_BATCH)
    public long loadOnly256()
    {
        load(MAX_BATCH);
        return result(MAX_BATCH);
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
    @OperationsPerInvocation(MAX_BATCH)
    public int onePass256()
    {
        return onePass(MAX_BATCH);
    }

    @Benchmark
    @OperationsPerInvocation(MAX_BATCH)
    public int twoPass256()
    {
        return twoPass(MAX_BATCH);
    }
}
