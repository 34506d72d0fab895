package io.vfplane.perf.compare;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.vfplane.perf.pipeline.IdleStrategyComparison;
import io.vfplane.pipeline.idle.IdleStrategyConfig;

/**
 * {@code idle}: the stage thread's idle strategies at a bursty load (bursts of 32 packets at a fixed rate, one fused
 * stage thread; see {@link IdleStrategyComparison}): busy-spin (the peer: the lowest latency, a whole core when idle),
 * anticipatory (ours) and blocking, each on its own pipeline, one after the other in the same run.
 *
 * <p>{@code ours} and {@code peer} are p99 latencies in microseconds, so {@code ratio} (= {@code p99_ratio}) is
 * anticipatory's p99 over busy-spin's; {@code cpu_ratio} is anticipatory's CPU per idle second over busy-spin's. Each
 * strategy's figures follow as {@code <strategy>_p99_us}, {@code <strategy>_idle_cpu} (CPU seconds per second without
 * traffic) and {@code <strategy>_load_cpu} (per second of the bursty traffic).
 */
public final class IdleComparison
{
    /** Who the peer is in the JSON. */
    public static final String PEER_NAME = "busy-spin";
    /** The offered rate by default: bursts of 32 every 320 us. */
    public static final double DEFAULT_RATE = 100_000;

    private IdleComparison()
    {
    }

    /**
     * Measures the three strategies.
     *
     * @param rate    packets per second offered, in bursts of 32.
     * @param seconds time per strategy (settle, idle, warm-up and traffic phases share it).
     */
    public static Comparison run(final double rate, final double seconds)
    {
        final List<IdleStrategyComparison.Result> results = IdleStrategyComparison.compare(
            IdleStrategyComparison.Options.scaled(rate, seconds,
                List.of(IdleStrategyConfig.Kind.ANTICIPATORY, IdleStrategyConfig.Kind.BLOCKING)));
        return of(results);
    }

    /**
     * @param results busy-spin's first, then anticipatory's and blocking's (in any order).
     * @return the comparison of anticipatory against busy-spin.
     */
    static Comparison of(final List<IdleStrategyComparison.Result> results)
    {
        final IdleStrategyComparison.Result spin = find(results, IdleStrategyConfig.Kind.BUSY_SPIN);
        final IdleStrategyComparison.Result ours = find(results, IdleStrategyConfig.Kind.ANTICIPATORY);
        final Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("p99_ratio", ours.p99Nanos() / (double)spin.p99Nanos());
        extra.put("cpu_ratio", ours.idleCpu() / spin.idleCpu());
        for (final IdleStrategyComparison.Result r : results)
        {
            extra.put(r.name() + "_p99_us", r.p99Nanos() / 1e3);
            extra.put(r.name() + "_idle_cpu", r.idleCpu());
            extra.put(r.name() + "_load_cpu", r.loadCpu());
        }
        return new Comparison("idle", "p99 us", ours.p99Nanos() / 1e3, spin.p99Nanos() / 1e3, PEER_NAME, extra);
    }

    private static IdleStrategyComparison.Result find(
        final List<IdleStrategyComparison.Result> results, final IdleStrategyConfig.Kind kind)
    {
        final String name = kind.name().toLowerCase(Locale.ROOT);
        for (final IdleStrategyComparison.Result r : results)
        {
            if (r.name().equals(name))
            {
                return r;
            }
        }
        throw new CompareException("idle comparison: no result for " + name);
    }
}
