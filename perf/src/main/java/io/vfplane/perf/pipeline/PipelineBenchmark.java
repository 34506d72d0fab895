package io.vfplane.perf.pipeline;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.perf.BenchmarkDefaults;
import io.vfplane.pipeline.BackpressurePolicy;
import io.vfplane.pipeline.PacketBatch;
import io.vfplane.pipeline.Pipeline;
import io.vfplane.pipeline.Placement;
import io.vfplane.pipeline.Stage;
import io.vfplane.pipeline.idle.IdleStrategyConfig;

/**
 * Throughput of a three-stage no-op pipeline on one shard, fused and split, for comparison with the Disruptor's own
 * published 1P-3C pipeline figure (about 100 M events/s on a dedicated multi-core box).
 *
 * <pre>
 *  fused:  producer (JMH thread) -> ring -> [ a -> b -> c ]          2 threads: fits a 2-core machine
 *  split:  producer (JMH thread) -> ring -> [ a ] -> [ b ] -> [ c ]   4 threads: on 2 cores, oversubscribed
 * </pre>
 *
 * On two cores only {@code fused} measures the engine: the JMH thread is the one producer and the stage thread the
 * one consumer, one core each, so BUSY_SPIN is not starved. {@code split} there measures oversubscription (four
 * runnable threads on two cores: with BUSY_SPIN the stages steal each other's core), kept to show that cost.
 *
 * <p>Each invocation offers {@value #BURST} descriptors (no buffers: the engine's overhead alone) with BLOCK
 * backpressure into a ring of {@value #RING} entries (so the producer really waits on the consumer) and waits until
 * the last stage has processed them; JMH reports packets per second. Each stage reads every descriptor (a sum of flow
 * hashes), as the Disruptor's pipeline test runs a small function per event.
 *
 * <p>"yielding + split" once printed no result. Run alone ({@code -p placement=split -p idle=YIELDING}) it reports,
 * idle or under three extra CPU hogs; it is the last of the four combinations JMH runs (params sort idle, then
 * placement), so the likeliest cause is that the earlier run was cut short on the loaded machine before it got there.
 *
 * <pre>
 * ./mvnw -B -q -o -pl perf -am package -DskipTests
 * java $(vfplane.jvmFlags) -jar perf/target/benchmarks.jar PipelineBenchmark -p placement=fused
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PipelineBenchmark extends BenchmarkDefaults
{
    static final int BURST = 1 << 16;
    static final int RING = 1 << 12;

    @Param({"fused", "split"})
    public String placement;

    @Param({"BUSY_SPIN", "YIELDING"})
    public String idle;

    private Counters counters;
    private PacketPool pool;
    private Pipeline pipeline;
    private final PacketDescriptor descriptor = new PacketDescriptor();

    @Setup(Level.Trial)
    public void setUp()
    {
        counters = Counters.inMemory(1024);
        pool = new PacketPool("bench", 16, PacketPool.MIN_HEADROOM, 128, counters);
        pipeline = Pipeline.builder("bench")
            .pool(pool)
            .counters(counters)
            .ringSize(RING)
            .maxBatch(256)
            .placement(Placement.parse(placement))
            .idle(IdleStrategyConfig.Kind.parse(idle))
            .backpressure(BackpressurePolicy.BLOCK)
            .stage(new NoOpStage("a"))
            .stage(new NoOpStage("b"))
            .stage(new NoOpStage("c"))
            .build()
            .start();
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        pipeline.close();
        pool.close();
        counters.close();
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public long packets()
    {
        final PacketDescriptor d = descriptor;
        for (int i = 0; i < BURST; i++)
        {
            d.flowHash(i);
            pipeline.offer(d);
        }
        final long head = pipeline.head();
        while (pipeline.processed() < head)
        {
            Thread.onSpinWait();
        }
        return head;
    }
}
