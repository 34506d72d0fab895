package io.vfplane.pipeline.idle;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.vfplane.dataplane.counters.Counters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drives the arrival predictor and the anticipatory strategy's predicted wake-up with a synthetic clock, and the
 * wake-up's claim of a parked thread's slot.
 */
class ArrivalPredictionTest
{
    private static final long GAP = 320_000;

    private final Counters counters = Counters.inMemory(16);
    private final IdleCounters idleCounters = IdleCounters.register(counters, "pipeline.t.thread.0");

    @AfterEach
    void close()
    {
        counters.close();
    }

    @Test
    void shouldLearnTheGapOfRegularBurstsAndIgnoreRepeatsWithinABurst()
    {
        final ArrivalPredictor predictor = new ArrivalPredictor(10_000_000);
        for (int i = 0; i < 10; i++)
        {
            predictor.onArrival(i * GAP);
            predictor.onArrival(i * GAP + 5_000); // caught up with the producer mid-burst: same burst
        }
        assertTrue(predictor.hasEstimate());
        assertEquals(GAP, predictor.gapNs());
        assertEquals(10 * GAP, predictor.expectedNs());
    }

    @Test
    void shouldParkUntilBeforeTheExpectedBurstThenStayAwakeThenGiveUp()
    {
        final long window = 40_000;
        final AnticipatoryIdleStrategy s = new AnticipatoryIdleStrategy(
            0, 0, 8, 10_000_000, 10_000, window, 10_000_000, idleCounters);
        for (int i = 0; i < 4; i++)
        {
            s.anticipate(i * GAP - 1); // idled
            arriveAt(s, i * GAP);
        }
        final long expected = 4 * GAP;
        final long spells = idleCounters.stayedAwakePredictedCount();
        final long park = s.anticipate(3 * GAP + 1_000);
        assertTrue(park > 0 && 3 * GAP + 1_000 + park < expected, "timed park ends before the burst: " + park);
        assertEquals(0, s.anticipate(expected - 1_000), "awake just before the expected burst");
        assertEquals(spells + 1, idleCounters.stayedAwakePredictedCount());
        assertEquals(0, s.anticipate(expected + window - 1));
        assertEquals(10_000_000, s.anticipate(expected + window + 1), "missed: parks until signalled");
        assertEquals(10_000_000, s.anticipate(expected + window + 2), "and stays so until a burst comes");
        assertEquals(spells + 1, idleCounters.stayedAwakePredictedCount());
    }

    @Test
    void shouldNotPredictWhenWindowIsZero()
    {
        final AnticipatoryIdleStrategy s = new AnticipatoryIdleStrategy(0, 0, 8, 1_000_000, idleCounters);
        for (int i = 0; i < 4; i++)
        {
            s.anticipate(i * GAP - 1);
            s.reset();
        }
        assertEquals(1_000_000, s.anticipate(4 * GAP - 1_000));
        assertEquals(0, idleCounters.stayedAwakePredictedCount());
    }

    @Test
    void shouldUnparkAnnouncedThreadOnceAndTakeItOffTheCount()
    {
        final Wakeup wakeup = new Wakeup(2, true);
        wakeup.announce(1, Thread.currentThread());
        assertEquals(1, wakeup.waiters());
        wakeup.signal();
        assertFalse(wakeup.isAnnounced(1), "the signal claimed the slot");
        assertEquals(0, wakeup.waiters());
        wakeup.retract(1);
        assertEquals(0, wakeup.waiters(), "retract after a claim does not count twice");
        wakeup.announce(0, Thread.currentThread());
        wakeup.retract(0);
        assertEquals(0, wakeup.waiters());
        assertFalse(wakeup.isAnnounced(0));
    }

    private static void arriveAt(final AnticipatoryIdleStrategy s, final long nowNs)
    {
        s.foundWorkAfterIdle(nowNs);
    }
}
