package io.vfplane.pipeline;

import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

import org.agrona.concurrent.status.AtomicCounter;

import io.vfplane.dataplane.counters.Counters;
import io.vfplane.pipeline.placement.PlacementPlanner;

/**
 * Lets the engine choose shards and placement itself: given the cores it may use, it calibrates each stage's cost
 * per packet ({@link Calibration}, on the building thread, before start), asks the {@link PlacementPlanner}, and
 * builds that many shards with that placement. Configuration may pin the shard count ceiling ({@link #maxShards})
 * or the whole placement ({@link #pin}); the calibration still runs then, so {@code show pipeline} can show the
 * figures beside the pinned choice.
 *
 * <pre>
 *  factory(0) -> throwaway stages -> Calibration (sample frames, one thread) -> ns/packet per stage
 *       -> PlacementPlanner(cores, ns, offered, maxShards) -> Plan (layout + reasoning line)
 *       -> ShardedPipeline of plan.shards() x plan.placement()   (factory(i) for each shard)
 *       -> counters: pipeline-plan.&lt;name&gt;.chosen / .calibrated  (what show pipeline prints)
 * </pre>
 *
 * While running, a {@link io.vfplane.pipeline.placement.PlacementAdvisor} re-plans from the runtime counters.
 * Fluent setters; {@link ShardedPipeline#auto} validates.
 */
public final class AutoPlacement
{
    private final int cores;
    private double offeredPps;
    private int maxShards = Integer.MAX_VALUE;
    private Calibration.Sample sample;
    private int calibrationBatch = Calibration.DEFAULT_BATCH;
    private long calibrationNanos = Calibration.DEFAULT_BUDGET_NANOS;
    private double utilisation = PlacementPlanner.DEFAULT_UTILISATION;
    private double handoffNs = PlacementPlanner.DEFAULT_HANDOFF_NS;
    private int pinnedShards;
    private Placement pinnedPlacement;

    private AutoPlacement(final int cores)
    {
        this.cores = cores;
    }

    /**
     * @param cores the cores the engine may use for stage threads (producers not included).
     */
    public static AutoPlacement cores(final int cores)
    {
        return new AutoPlacement(cores);
    }

    /** Expected offered load, packets per second; 0 (default) when unknown: one fused shard per core. */
    public AutoPlacement offeredPps(final double offeredPps)
    {
        this.offeredPps = offeredPps;
        return this;
    }

    /** Shard ceiling (default: the cores); 1 keeps one ordered pipeline and leaves only the placement to choose. */
    public AutoPlacement maxShards(final int maxShards)
    {
        this.maxShards = maxShards;
        return this;
    }

    /** The calibration frames (required). */
    public AutoPlacement sample(final Calibration.Sample sample)
    {
        this.sample = sample;
        return this;
    }

    /** Packets per calibration round (default {@value Calibration#DEFAULT_BATCH}). */
    public AutoPlacement calibrationBatch(final int calibrationBatch)
    {
        this.calibrationBatch = calibrationBatch;
        return this;
    }

    /** Time bound of the calibration (default 300 ms). */
    public AutoPlacement calibrationNanos(final long calibrationNanos)
    {
        this.calibrationNanos = calibrationNanos;
        return this;
    }

    /** Target busy fraction of a stage thread (default 0.7). */
    public AutoPlacement utilisation(final double utilisation)
    {
        this.utilisation = utilisation;
        return this;
    }

    /** Cost per packet of a hand-off between threads (default 15 ns). */
    public AutoPlacement handoffNs(final double handoffNs)
    {
        this.handoffNs = handoffNs;
        return this;
    }

    /** Configuration pins the layout: the planner is not asked (its figures are still shown). */
    public AutoPlacement pin(final int shards, final Placement placement)
    {
        this.pinnedShards = shards;
        this.pinnedPlacement = placement;
        return this;
    }

    public int cores()
    {
        return cores;
    }

    public double offeredPps()
    {
        return offeredPps;
    }

    public int maxShards()
    {
        return Math.min(maxShards, cores);
    }

    public double utilisation()
    {
        return utilisation;
    }

    public double handoffNs()
    {
        return handoffNs;
    }

    public boolean pinned()
    {
        return pinnedPlacement != null;
    }

    void validate(final String name)
    {
        if (cores < 1)
        {
            throw new IllegalArgumentException("auto placement of " + name + ": cores must be >= 1: " + cores);
        }
        if (maxShards < 1)
        {
            throw new IllegalArgumentException("auto placement of " + name + ": maxShards must be >= 1: " +
                maxShards);
        }
        if (sample == null)
        {
            throw new IllegalArgumentException("auto placement of " + name + ": a calibration sample must be set");
        }
        if (pinnedPlacement != null && pinnedShards < 1)
        {
            throw new IllegalArgumentException("auto placement of " + name + ": pinned shards must be >= 1: " +
                pinnedShards);
        }
    }

    /**
     * Calibrates, plans, builds (not started). See {@link ShardedPipeline#auto}.
     */
    ShardedPipeline build(final String name, final IntFunction<Pipeline.Builder> builderForShard)
    {
        PipelineCounters.checkName("pipeline group", name);
        validate(name);
        final Pipeline.Builder probe = builderForShard.apply(0);
        final List<Stage> stages = List.copyOf(probe.stagesSoFar());
        if (stages.isEmpty() || probe.poolSoFar() == null || probe.countersSoFar() == null)
        {
            throw new IllegalArgumentException("auto placement of " + name +
                ": the factory's builder needs stages, a pool and counters");
        }
        final double[] ns = Calibration.measure(probe.nameSoFar(), stages, probe.poolSoFar(),
            probe.maxClonesSoFar(), sample, calibrationBatch, calibrationNanos);
        final PlacementPlanner.Plan planned = PlacementPlanner.plan(cores, ns, offeredPps, 1.0, handoffNs,
            utilisation, maxShards());
        final PlacementPlanner.Plan plan;
        if (pinnedPlacement != null)
        {
            pinnedPlacement.groupOfStages(stages.size()); // fails naming the placement when it does not fit
            plan = new PlacementPlanner.Plan(pinnedShards, pinnedPlacement,
                pinnedPlacement.threads(stages.size()), 0, 0, false,
                "pinned by configuration; the planner would choose " + planned.layout() + ": " + planned.reason());
        }
        else
        {
            plan = planned;
        }
        final ShardedPipeline sharded = ShardedPipeline.build(plan.shards(),
            i -> builderForShard.apply(i).placement(plan.placement()));
        final Counters counters = probe.countersSoFar();
        final StringBuilder calibrated = new StringBuilder();
        for (int s = 0; s < stages.size(); s++)
        {
            calibrated.append(s == 0 ? "" : " ").append(stages.get(s).name()).append('=')
                .append(stages.get(s).calibratable() ? String.format(Locale.ROOT, "%.1f", ns[s]) : "n/a");
        }
        final AtomicCounter chosen = counters.newCounter(
            PipelineCounters.PLAN_PREFIX + name + ".chosen " + plan.layout() + " | why: " + plan.reason());
        chosen.setRelease(plan.shards());
        counters.newCounter(PipelineCounters.PLAN_PREFIX + name + ".calibrated ns/packet " + calibrated)
            .setRelease(stages.size());
        sharded.autoPlaced(name, this, plan, ns, counters);
        return sharded;
    }
}
