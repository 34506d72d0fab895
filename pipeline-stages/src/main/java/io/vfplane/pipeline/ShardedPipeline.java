package io.vfplane.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.pipeline.placement.PlacementPlanner;

/**
 * N pipelines of the same stages, with traffic split by flow hash (as RSS splits it over NIC queues), so every packet
 * of a flow goes through the same pipeline and stays in order.
 *
 * <pre>
 *                      +--> shard 0: ring -> stages -> tx
 *  offer(packet) --hash+--> shard 1: ring -> stages -> tx
 *                      +--> shard N-1 ...
 * </pre>
 *
 * The shard is picked without a division: the flow hash is mixed by a Fibonacci multiply (so hashes that differ only
 * in their low bits still spread) and the high 32 bits of {@code mixed * N} are the shard (Lemire's reduction).
 */
public final class ShardedPipeline implements AutoCloseable
{
    private static final int FIBONACCI = 0x9E3779B9;

    private final Pipeline[] shards;
    private String groupName;
    private AutoPlacement auto;
    private PlacementPlanner.Plan plan;
    private double[] calibratedNs;
    private Counters counters;

    private ShardedPipeline(final Pipeline[] shards)
    {
        this.shards = shards;
    }

    /**
     * Builds {@code count} pipelines. The factory is given the shard index and returns a configured builder with its
     * own stage instances (stages keep state and belong to one pipeline); it is told its shard through
     * {@link Pipeline.Builder#shard(int)} here.
     */
    public static ShardedPipeline build(final int count, final IntFunction<Pipeline.Builder> builderForShard)
    {
        if (count < 1)
        {
            throw new IllegalArgumentException("shards must be >= 1: " + count);
        }
        final Pipeline[] pipelines = new Pipeline[count];
        for (int i = 0; i < count; i++)
        {
            pipelines[i] = builderForShard.apply(i).shard(i).build();
        }
        return new ShardedPipeline(pipelines);
    }

    /**
     * Lets the engine choose shards and placement: calibrates the stages of one throwaway pipeline from the factory
     * on this thread, plans with the cores {@code auto} gives, and builds the plan (not started). The factory is
     * called once more than there are shards; its placement setting is overridden. The chosen layout and the
     * planner's reasoning line go to the counters as {@code pipeline-plan.<name>.chosen}, for {@code show pipeline}.
     *
     * @param name the group's name in the plan counters (the shards keep the names the factory gives them).
     */
    public static ShardedPipeline auto(
        final String name,
        final AutoPlacement auto,
        final IntFunction<Pipeline.Builder> builderForShard)
    {
        return auto.build(name, builderForShard);
    }

    void autoPlaced(
        final String name,
        final AutoPlacement auto,
        final PlacementPlanner.Plan plan,
        final double[] calibratedNs,
        final Counters counters)
    {
        this.groupName = name;
        this.auto = auto;
        this.plan = plan;
        this.calibratedNs = calibratedNs.clone();
        this.counters = counters;
    }

    /**
     * @return the plan the shards were built with, or null when they were not placed automatically.
     */
    public PlacementPlanner.Plan plan()
    {
        return plan;
    }

    /**
     * @return each stage's calibrated ns per packet (chain order), or null when not placed automatically.
     */
    public double[] calibratedNs()
    {
        return calibratedNs == null ? null : calibratedNs.clone();
    }

    /**
     * @return the automatic placement settings, or null.
     */
    public AutoPlacement autoPlacement()
    {
        return auto;
    }

    /**
     * @return the group's name given to {@link #auto}, or null.
     */
    public String groupName()
    {
        return groupName;
    }

    /**
     * @return the counters the plan lines were written to, or null.
     */
    public Counters planCounters()
    {
        return counters;
    }

    /**
     * @return the shard that carries flow {@code flowHash} when there are {@code shards} shards.
     */
    public static int shardOf(final int flowHash, final int shards)
    {
        final long mixed = (flowHash * FIBONACCI) & 0xFFFF_FFFFL;
        return (int)((mixed * shards) >>> 32);
    }

    public ShardedPipeline start()
    {
        for (final Pipeline p : shards)
        {
            p.start();
        }
        return this;
    }

    /**
     * Offers the packet to the shard of its flow hash; see {@link Pipeline#offer}.
     */
    public boolean offer(final PacketDescriptor packet)
    {
        return shards[shardOf(packet.flowHash(), shards.length)].offer(packet);
    }

    public int shardCount()
    {
        return shards.length;
    }

    public Pipeline shard(final int i)
    {
        return shards[i];
    }

    /**
     * @return packets that entered each shard so far: the per-shard load the placement planner weighs.
     */
    public long[] shardLoads()
    {
        final long[] loads = new long[shards.length];
        for (int i = 0; i < shards.length; i++)
        {
            loads[i] = shards[i].entered();
        }
        return loads;
    }

    /**
     * @return every stage thread of every shard.
     */
    public List<Thread> threads()
    {
        final List<Thread> all = new ArrayList<>();
        for (final Pipeline p : shards)
        {
            all.addAll(p.threads());
        }
        return all;
    }

    /** Drains and stops every shard. */
    @Override
    public void close()
    {
        RuntimeException failure = null;
        for (final Pipeline p : shards)
        {
            try
            {
                p.close();
            }
            catch (final RuntimeException ex)
            {
                if (failure == null)
                {
                    failure = ex;
                }
                else
                {
                    failure.addSuppressed(ex);
                }
            }
        }
        if (failure != null)
        {
            throw failure;
        }
    }
}
