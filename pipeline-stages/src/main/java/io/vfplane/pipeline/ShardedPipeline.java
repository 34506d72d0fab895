package io.vfplane.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

import io.vfplane.dataplane.packet.PacketDescriptor;

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
