package io.vfplane.pipeline.placement;

import org.junit.jupiter.api.Test;

import io.vfplane.pipeline.Placement;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlacementPlannerTest
{
    private static final double[] CHAIN = {40, 60, 100, 50, 30}; // 280 ns per packet in all

    @Test
    void shouldRunFusedOnOneShardWhenTheWholeChainFitsOneCore()
    {
        // 1 Mpps: budget 700 ns at 70% busy, chain costs 280.
        final PlacementPlanner.Plan plan = PlacementPlanner.plan(4, CHAIN, 1_000_000, 1.0, 15, 0.7);
        assertEquals(1, plan.shards());
        assertEquals(Placement.fused(), plan.placement());
        assertFalse(plan.overloaded());
    }

    @Test
    void shouldAddFusedShardsBeforeSplittingWhenFlowsSpreadEvenly()
    {
        // 4 Mpps: one core's budget 175 ns < 280; two fused shards: 2 Mpps each, budget 350.
        final PlacementPlanner.Plan plan = PlacementPlanner.plan(4, CHAIN, 4_000_000, 1.0, 15, 0.7);
        assertEquals(2, plan.shards());
        assertEquals(Placement.fused(), plan.placement());
    }

    @Test
    void shouldSplitTheChainWhenOneHotFlowDefeatsSharding()
    {
        // Skew 2: more shards do not help the hot shard as much; at 4 Mpps and 80% busy a fused shard has 200 ns for 280.
        final PlacementPlanner.Plan plan = PlacementPlanner.plan(2, CHAIN, 4_000_000, 2.0, 15, 0.8);
        assertEquals(1, plan.shards());
        assertEquals(2, plan.threadsPerShard());
        assertArrayEquals(new int[]{2, 3}, PlacementPlanner.balancedGroups(CHAIN, 2));
        assertTrue(plan.hottestThreadNs() <= 200, plan.toString());
    }

    @Test
    void shouldUseOneFusedShardPerCoreWhenLoadIsUnknown()
    {
        final PlacementPlanner.Plan plan = PlacementPlanner.plan(3, CHAIN, 0, null);
        assertEquals(3, plan.shards());
        assertEquals(Placement.fused(), plan.placement());
    }

    @Test
    void shouldMarkOverloadedAndMaximiseCapacityWhenNothingFits()
    {
        final PlacementPlanner.Plan plan = PlacementPlanner.plan(2, CHAIN, 100_000_000, 1.0, 15, 0.7);
        assertTrue(plan.overloaded());
        assertEquals(2, plan.shards(), "two fused shards beat one split shard on two cores");
        assertEquals(2 * 1e9 / 280, plan.capacityPps(), 1.0);
    }

    @Test
    void shouldBalanceGroupsByCostNotByCount()
    {
        assertArrayEquals(new int[]{3, 1, 1}, PlacementPlanner.balancedGroups(new double[]{10, 10, 10, 30, 30}, 3));
        assertArrayEquals(new int[]{1, 1, 1}, PlacementPlanner.balancedGroups(new double[]{1, 2, 3}, 3));
    }

    @Test
    void shouldMeasureSkewAsHottestOverMean()
    {
        assertEquals(1.5, PlacementPlanner.skew(new long[]{300, 100}), 1e-9);
        assertEquals(1.0, PlacementPlanner.skew(new long[]{0, 0}), 1e-9);
    }

    @Test
    void shouldSplitInsteadOfShardingWhenShardsArePinnedToOneAndSayWhy()
    {
        final PlacementPlanner.Plan plan = PlacementPlanner.plan(2, CHAIN, 4_000_000, 1.0, 15, 0.8, 1);
        assertEquals(1, plan.shards());
        assertEquals(Placement.groups(2, 3), plan.placement());
        assertTrue(plan.reason().contains("shards <= 1"), plan.reason());
        assertTrue(plan.reason().contains("1 shard(s) x fused needs 280.0 > 200.0"), plan.reason());
        assertTrue(plan.reason().endsWith("1 shard(s) x 2+3 fits (hottest thread 195.0 <= budget 200.0 ns/packet " +
            "at 80% busy)"), plan.reason());
    }

    @Test
    void shouldExplainAnOverloadedPlan()
    {
        final PlacementPlanner.Plan plan = PlacementPlanner.plan(2, CHAIN, 100_000_000, 1.0, 15, 0.7);
        assertTrue(plan.reason().contains("nothing fits"), plan.reason());
        assertTrue(plan.reason().endsWith("most capacity: 2 shard(s) x fused"), plan.reason());
    }
}
