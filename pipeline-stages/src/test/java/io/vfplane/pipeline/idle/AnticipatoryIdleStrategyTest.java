package io.vfplane.pipeline.idle;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.vfplane.dataplane.counters.Counters;

import static io.vfplane.pipeline.idle.AnticipatoryIdleStrategy.Decision.PARK;
import static io.vfplane.pipeline.idle.AnticipatoryIdleStrategy.Decision.SPIN;
import static io.vfplane.pipeline.idle.AnticipatoryIdleStrategy.Decision.YIELD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drives the anticipatory strategy's inputs (head sequence, upstream queue length, clock) and checks whether it
 * stays awake or idles, and what it counts.
 */
class AnticipatoryIdleStrategyTest
{
    private static final long SPIN_NS = 1_000;
    private static final long AWAKE_NS = 10_000;
    private static final long THRESHOLD = 8;

    private final Counters counters = Counters.inMemory(16);
    private final IdleCounters idleCounters = IdleCounters.register(counters, "pipeline.t.thread.0");
    private final AnticipatoryIdleStrategy strategy =
        new AnticipatoryIdleStrategy(SPIN_NS, AWAKE_NS, THRESHOLD, 1_000_000, idleCounters);

    @AfterEach
    void close()
    {
        counters.close();
    }

    @Test
    void shouldStayAwakeWhenHeadIsAheadOfWhatThisStageProcessed()
    {
        assertEquals(SPIN, strategy.decide(10, 15, 0, 0));
        assertEquals(AnticipatoryIdleStrategy.Reason.HEAD, strategy.lastReason());
        assertEquals(1, idleCounters.stayedAwakeForHeadCount());
    }

    @Test
    void shouldSpinThenYieldThenParkWithinTheAwakeBound()
    {
        assertEquals(SPIN, strategy.decide(10, 15, 0, 100));
        assertEquals(SPIN, strategy.decide(10, 15, 0, 100 + SPIN_NS - 1));
        assertEquals(YIELD, strategy.decide(10, 15, 0, 100 + SPIN_NS));
        assertEquals(YIELD, strategy.decide(10, 15, 0, 100 + AWAKE_NS - 1));
        assertEquals(PARK, strategy.decide(10, 15, 0, 100 + AWAKE_NS));
        assertEquals(1, idleCounters.stayedAwakeForHeadCount(), "one awake spell counted once");
    }

    @Test
    void shouldStayAwakeWhenUpstreamQueueIsAboveThreshold()
    {
        assertEquals(SPIN, strategy.decide(15, 15, THRESHOLD + 1, 0));
        assertEquals(AnticipatoryIdleStrategy.Reason.UPSTREAM_QUEUE, strategy.lastReason());
        assertEquals(1, idleCounters.stayedAwakeForUpstreamCount());
        assertEquals(0, idleCounters.stayedAwakeForHeadCount());
    }

    @Test
    void shouldParkWhenHeadIsCaughtUpAndUpstreamQueueIsShort()
    {
        assertEquals(PARK, strategy.decide(15, 15, THRESHOLD, 0));
        assertEquals(AnticipatoryIdleStrategy.Reason.NONE, strategy.lastReason());
        assertFalse(strategy.isAwake());
    }

    @Test
    void shouldPreferHeadOverUpstreamAsTheReason()
    {
        assertEquals(SPIN, strategy.decide(10, 15, THRESHOLD + 100, 0));
        assertEquals(AnticipatoryIdleStrategy.Reason.HEAD, strategy.lastReason());
    }

    @Test
    void shouldStartAFreshSpellAfterReset()
    {
        strategy.decide(10, 15, 0, 0);
        assertEquals(PARK, strategy.decide(10, 15, 0, AWAKE_NS));
        strategy.reset();
        assertEquals(SPIN, strategy.decide(20, 25, 0, AWAKE_NS + 1));
        assertEquals(2, idleCounters.stayedAwakeForHeadCount());
    }

    @Test
    void shouldParkThroughContextAndCountIdleAndWake()
    {
        final FakeContext context = new FakeContext();
        context.processed = 7;
        context.head = 7;
        strategy.idle(context);
        assertEquals(1, context.parks, "caught up: parks");
        assertEquals(1, idleCounters.wentIdleCount());
        assertEquals(1, idleCounters.wokeCount());

        context.head = 9;
        strategy.idle(context);
        assertEquals(1, context.parks, "head moved ahead: stays awake instead of parking");
        assertTrue(strategy.isAwake());
    }

    @Test
    void shouldParkAfterAwakeBoundEvenWhenHeadStaysAhead()
    {
        final AnticipatoryIdleStrategy quick = new AnticipatoryIdleStrategy(0, 0, THRESHOLD, 1_000, idleCounters);
        final FakeContext context = new FakeContext();
        context.processed = 1;
        context.head = 5;
        quick.idle(context); // starts the spell
        quick.idle(context); // bound of 0 ns passed: parks
        assertEquals(1, context.parks);
        assertFalse(quick.isAwake(), "the next poll after a park starts a new spell");
    }

    private static final class FakeContext implements IdleContext
    {
        long processed;
        long head;
        long available;
        long upstreamQueue;
        int parks;

        @Override
        public long processed()
        {
            return processed;
        }

        @Override
        public long head()
        {
            return head;
        }

        @Override
        public long available()
        {
            return available;
        }

        @Override
        public long upstreamQueue()
        {
            return upstreamQueue;
        }

        @Override
        public long park(final long maxNanos)
        {
            parks++;
            return Wakeup.NOT_SIGNALLED;
        }
    }
}
