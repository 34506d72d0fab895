package io.vfplane.perf;

import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The one place where forks, warm-up and measurement of the JMH benchmarks are fixed: every benchmark class extends
 * this. JMH's class-level annotations ({@code @Fork}, {@code @Warmup}, {@code @Measurement}, {@code @BenchmarkMode},
 * {@code @OutputTimeUnit}, {@code @State}) are {@code @Inherited}, so a subclass gets them all; a subclass that needs
 * different settings says so with its own annotation, which wins, and should say why.
 * <p>
 * One fork keeps a run short on a two-core machine; three one-second warm-up iterations are enough for C2 to compile
 * these small kernels; five one-second measurements give an error bar. Numbers are average time per operation in
 * nanoseconds. Command-line options ({@code -f}, {@code -wi}, {@code -i}, ...) still override all of this.
 * <p>
 * Run with the JVM flags the build owns (the forks inherit them from the JVM that starts JMH):
 * <pre>
 * ./mvnw -B -q -pl perf -am package -DskipTests
 * ./mvnw -B -q -pl perf exec:exec -Djmh.args="ChecksumBenchmark -prof gc"
 * </pre>
 * With {@code -prof gc}, {@code gc.alloc.rate.norm} must be about 0 B/op for anything on the data path.
 */
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public abstract class BenchmarkDefaults
{
}
