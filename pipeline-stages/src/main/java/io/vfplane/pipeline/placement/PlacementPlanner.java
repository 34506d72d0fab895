package io.vfplane.pipeline.placement;

import java.util.Locale;

import io.vfplane.pipeline.Placement;

/**
 * Chooses how many shards and which placement from what was measured: each stage's cost in ns per packet (from a
 * calibration run or the runtime counters), the offered load and how unevenly it spreads over shards, and the cores
 * the engine may use. A pure function: the engine (or {@code vfplane show pipeline --plan}) feeds it numbers.
 *
 * <h2>Rule</h2>
 * <ol>
 *   <li>No load figure (offered &lt;= 0): throughput first, so one fused shard per core (run to completion scales
 *       without hand-offs between cores); when the shards are pinned below the cores, the plan of most capacity.</li>
 *   <li>Otherwise try thread counts t = 1, 2, ... up to the cores, and for each t, threads per shard k = 1 (fused)
 *       first, then 2, 3, ... with s = t / k shards. A shard's hottest thread must fit its per-packet budget
 *       {@code utilisation * 1e9 / shardPps}, where {@code shardPps = offered / s}, times the skew of the
 *       flow-hash split when s &gt; 1 (an elephant flow cannot be split), and a split group pays a hand-off cost.
 *       Stages are grouped into k consecutive groups of balanced cost (minimising the costliest group).
 *       The first (t, k) that fits wins: fewest cores, and fused before split at the same core count.</li>
 *   <li>Nothing fits: the plan with the highest capacity on all the cores, marked overloaded.</li>
 * </ol>
 * Shards never exceed {@code maxShards} (configuration pins 1 when flows cannot be spread). Every plan carries its
 * reasoning as one line ({@link Plan#reason()}): the figures given, the layouts rejected and why the winner fits;
 * {@code show pipeline} prints it.
 *
 * <p>Note what splitting can and cannot do: a split shard's capacity is set by its costliest group, so a chain
 * dominated by one stage gains nothing from a split (the hot stage is still one thread); more fused shards is the
 * answer there, as long as flows spread. Splitting pays when the cost is spread over several stages and the shard
 * count is held down (pinned, or by skew: one elephant flow).
 */
public final class PlacementPlanner
{
    /** Cost of handing a batch from one thread to the next, per packet, when nothing better was measured. */
    public static final double DEFAULT_HANDOFF_NS = 15.0;
    /** Keep threads below this busy fraction so bursts have room. */
    public static final double DEFAULT_UTILISATION = 0.7;

    /**
     * What the planner chose.
     *
     * @param shards                pipelines.
     * @param placement             how each shard's stages sit on threads.
     * @param threadsPerShard       threads of one shard.
     * @param hottestThreadNs       ns per packet of the costliest thread (hand-off included).
     * @param capacityPps           packets per second all shards sustain at 100% busy.
     * @param overloaded            true when no plan meets the budget on the given cores.
     */
    public record Plan(
        int shards,
        Placement placement,
        int threadsPerShard,
        double hottestThreadNs,
        double capacityPps,
        boolean overloaded,
        String reason)
    {
        Plan with(final boolean overloaded, final String reason)
        {
            return new Plan(shards, placement, threadsPerShard, hottestThreadNs, capacityPps, overloaded, reason);
        }

        /**
         * @return true when {@code other} lays out the same shards and placement (figures aside).
         */
        public boolean sameLayout(final Plan other)
        {
            return other != null && other.shards == shards && other.placement.equals(placement);
        }

        /**
         * @return the layout alone, e.g. {@code 1 shard(s) x 1+2}.
         */
        public String layout()
        {
            return shards + " shard(s) x " + placement;
        }

        @Override
        public String toString()
        {
            return layout() + " (" + threadsPerShard + " thread(s) each), hottest thread " +
                String.format(Locale.ROOT, "%.1f", hottestThreadNs) + " ns/packet, capacity " +
                String.format(Locale.ROOT, "%.0f", capacityPps) + " pps" + (overloaded ? ", OVERLOADED" : "");
        }
    }

    private PlacementPlanner()
    {
    }

    /**
     * Plans with the default hand-off cost and utilisation.
     *
     * @param cores        cores the engine may use.
     * @param stageNs      each stage's cost, ns per packet, in chain order (tx included).
     * @param offeredPps   total offered load, packets per second; 0 or less when unknown.
     * @param shardLoads   measured packets per shard (any unit) at the current shard count, for the skew; may be
     *                     null or empty (no skew).
     */
    public static Plan plan(final int cores, final double[] stageNs, final double offeredPps, final long[] shardLoads)
    {
        return plan(cores, stageNs, offeredPps, skew(shardLoads), DEFAULT_HANDOFF_NS, DEFAULT_UTILISATION);
    }

    /**
     * @param skew        the hottest shard's load over the mean (>= 1).
     * @param handoffNs   added per packet to every thread of a split shard.
     * @param utilisation target busy fraction of a thread, in (0, 1].
     */
    public static Plan plan(
        final int cores,
        final double[] stageNs,
        final double offeredPps,
        final double skew,
        final double handoffNs,
        final double utilisation)
    {
        return plan(cores, stageNs, offeredPps, skew, handoffNs, utilisation, Integer.MAX_VALUE);
    }

    /**
     * As {@link #plan(int, double[], double, double, double, double)} with at most {@code maxShards} shards
     * (configuration pins 1 when the flows cannot be spread, e.g. one ordered stream).
     */
    public static Plan plan(
        final int cores,
        final double[] stageNs,
        final double offeredPps,
        final double skew,
        final double handoffNs,
        final double utilisation,
        final int maxShards)
    {
        if (cores < 1 || stageNs.length == 0 || skew < 1.0 || utilisation <= 0 || utilisation > 1 || maxShards < 1)
        {
            throw new IllegalArgumentException("planner: need cores >= 1, at least one stage, skew >= 1, " +
                "utilisation in (0,1], maxShards >= 1: cores=" + cores + " stages=" + stageNs.length + " skew=" +
                skew + " utilisation=" + utilisation + " maxShards=" + maxShards);
        }
        final int n = stageNs.length;
        final String given = String.format(Locale.ROOT, "chain %.1f ns/packet, %d core(s), skew %.2f",
            sum(stageNs), cores, skew) + (maxShards < cores ? ", shards <= " + maxShards : "");
        if (offeredPps <= 0)
        {
            final int shards = Math.min(cores, maxShards);
            if (shards == cores || n == 1)
            {
                return make(shards, 1, stageNs, handoffNs, skew, false).with(false,
                    given + ", load unknown: throughput first, one fused shard per core");
            }
            // Fewer shards than cores (pinned): spend the rest on splitting the chain of each shard.
            final Plan best = bestCapacity(cores, stageNs, handoffNs, skew, maxShards);
            return best.with(false, given + ", load unknown, shards pinned: most capacity on the cores");
        }
        Plan best = null;
        String rejected = "";
        for (int t = 1; t <= cores; t++)
        {
            for (int k = 1; k <= Math.min(t, n); k++)
            {
                if (t % k != 0 || t / k > maxShards)
                {
                    continue;
                }
                final int s = t / k;
                final Plan candidate = make(s, k, stageNs, handoffNs, skew, false);
                final double shardPps = offeredPps / s * (s > 1 ? skew : 1.0);
                final double budgetNs = utilisation * 1e9 / shardPps;
                if (candidate.hottestThreadNs() <= budgetNs)
                {
                    return candidate.with(false, String.format(Locale.ROOT,
                        "%s, offered %.0f pps: %s%s fits (hottest thread %.1f <= budget %.1f ns/packet at %.0f%% busy)",
                        given, offeredPps, rejected, candidate.layout(), candidate.hottestThreadNs(), budgetNs,
                        utilisation * 100));
                }
                if (rejected.length() < 160)
                {
                    rejected += String.format(Locale.ROOT, "%s needs %.1f > %.1f; ", candidate.layout(),
                        candidate.hottestThreadNs(), budgetNs);
                }
                if (best == null || candidate.capacityPps() > best.capacityPps())
                {
                    best = candidate;
                }
            }
        }
        return best.with(true, String.format(Locale.ROOT,
            "%s, offered %.0f pps: nothing fits (%s), most capacity: %s", given, offeredPps, rejected,
            best.layout()));
    }

    private static Plan bestCapacity(
        final int cores,
        final double[] stageNs,
        final double handoffNs,
        final double skew,
        final int maxShards)
    {
        Plan best = null;
        for (int t = 1; t <= cores; t++)
        {
            for (int k = 1; k <= Math.min(t, stageNs.length); k++)
            {
                if (t % k == 0 && t / k <= maxShards)
                {
                    final Plan candidate = make(t / k, k, stageNs, handoffNs, skew, false);
                    if (best == null || candidate.capacityPps() > best.capacityPps() * 1.05)
                    {
                        best = candidate;
                    }
                }
            }
        }
        return best;
    }

    private static double sum(final double[] values)
    {
        double total = 0;
        for (final double v : values)
        {
            total += v;
        }
        return total;
    }

    private static Plan make(
        final int shards,
        final int threadsPerShard,
        final double[] stageNs,
        final double handoffNs,
        final double skew,
        final boolean overloaded)
    {
        final int[] sizes = balancedGroups(stageNs, threadsPerShard);
        double hottest = 0;
        int stage = 0;
        for (final int size : sizes)
        {
            double cost = threadsPerShard > 1 ? handoffNs : 0;
            for (int i = 0; i < size; i++)
            {
                cost += stageNs[stage++];
            }
            hottest = Math.max(hottest, cost);
        }
        final Placement placement = threadsPerShard == 1 ? Placement.fused() :
            threadsPerShard == stageNs.length ? Placement.split() : Placement.groups(sizes);
        final double capacity = hottest <= 0 ? Double.POSITIVE_INFINITY :
            shards * 1e9 / hottest / (shards > 1 ? skew : 1.0);
        return new Plan(shards, placement, threadsPerShard, hottest, capacity, overloaded, "");
    }

    /**
     * Splits the chain into {@code groups} consecutive non-empty groups minimising the costliest group (linear
     * partition, dynamic programming: chains are short).
     *
     * @return the group sizes.
     */
    public static int[] balancedGroups(final double[] costs, final int groups)
    {
        final int n = costs.length;
        if (groups < 1 || groups > n)
        {
            throw new IllegalArgumentException("cannot split " + n + " stages into " + groups + " groups");
        }
        final double[] prefix = new double[n + 1];
        for (int i = 0; i < n; i++)
        {
            prefix[i + 1] = prefix[i] + costs[i];
        }
        // best[g][i]: minimal max-group cost of the first i stages in g groups; cut[g][i]: where the last group begins.
        final double[][] best = new double[groups + 1][n + 1];
        final int[][] cut = new int[groups + 1][n + 1];
        for (final double[] row : best)
        {
            java.util.Arrays.fill(row, Double.POSITIVE_INFINITY);
        }
        best[0][0] = 0;
        for (int g = 1; g <= groups; g++)
        {
            for (int i = g; i <= n; i++)
            {
                for (int j = g - 1; j < i; j++)
                {
                    final double cost = Math.max(best[g - 1][j], prefix[i] - prefix[j]);
                    if (cost < best[g][i])
                    {
                        best[g][i] = cost;
                        cut[g][i] = j;
                    }
                }
            }
        }
        final int[] sizes = new int[groups];
        int end = n;
        for (int g = groups; g >= 1; g--)
        {
            final int start = cut[g][end];
            sizes[g - 1] = end - start;
            end = start;
        }
        return sizes;
    }

    /**
     * @return the hottest shard's load over the mean; 1 when unknown.
     */
    public static double skew(final long[] shardLoads)
    {
        if (shardLoads == null || shardLoads.length == 0)
        {
            return 1.0;
        }
        long max = 0;
        long sum = 0;
        for (final long l : shardLoads)
        {
            max = Math.max(max, l);
            sum += l;
        }
        return sum == 0 ? 1.0 : Math.max(1.0, max / ((double)sum / shardLoads.length));
    }
}
