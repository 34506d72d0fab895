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
    void shouldKeepTheScheduleWhenOneBurstIsPublishedLate()
    {
        final ArrivalPredictor predictor = new ArrivalPredictor(10_000_000);
        for (int i = 0; i < 10; i++)
        {
            predictor.onArrival(i * GAP);
        }
        assertEquals(10 * GAP, predictor.expectedNs());
        predictor.onArrival(10 * GAP + 60_000); // the producer was preempted for 60 us
        final long early = 11 * GAP + 60_000 - predictor.expectedNs();
        assertTrue(early >= 40_000, "the next burst is expected near its slot, not 60 us late: " + early);
        predictor.onArrival(11 * GAP);
        predictor.onArrival(11 * GAP + 25_000); // the same burst seen again
        for (int i = 12; i < 40; i++)
        {
            predictor.onArrival(i * GAP);
        }
        assertTrue(Math.abs(predictor.expectedNs() - 40 * GAP) < 1_000, "back on schedule: " + predictor.expectedNs());
    }

    @Test
    void shouldStartOverWhenTheFirstGapWasTooLong()
    {
        final ArrivalPredictor predictor = new ArrivalPredictor(10_000_000);
        predictor.onArrival(0);
        predictor.onArrival(3 * GAP); // two bursts missed (the thread was descheduled): a fluke as the first sample
        for (int i = 4; i < 40; i++)
        {
            predictor.onArrival(i * GAP);
        }
        assertEquals(GAP, predictor.gapNs(), "shorter gaps in a row replace the estimate");
    }

    @Test
    void shouldParkUntilBeforeTheExpectedBurstThenStayAwakeThenGiveUp()
    {
        final long window = 40_000;
        final long linger = 5_000;
        final AnticipatoryIdleStrategy s = new AnticipatoryIdleStrategy(
            0, 0, 8, 10_000_000, linger, 10_000, window, 10_000_000, idleCounters);
        for (int i = 0; i < 4; i++)
        {
            s.anticipate(i * GAP - 1); // idled
            s.foundWork(i * GAP);
        }
        final long expected = 4 * GAP;
        final long spells = idleCounters.stayedAwakePredictedCount();
        assertEquals(0, s.anticipate(3 * GAP + linger - 1), "lingers after the burst");
        final long park = s.anticipate(3 * GAP + linger + 1_000);
        assertTrue(park > 0 && 3 * GAP + linger + 1_000 + park < expected, "timed park ends before the burst: " + park);
        assertEquals(0, s.anticipate(expected - 1_000), "awake just before the expected burst");
        assertEquals(spells + 1, idleCounters.stayedAwakePredictedCount());
        assertEquals(0, s.anticipate(expected + window - 1));
        assertEquals(10_000_000, s.anticipate(expected + window + 1), "missed: parks until signalled");
        assertEquals(10_000_000, s.anticipate(expected + window + 2), "and stays so until a burst comes");
        assertEquals(spells + 1, idleCounters.stayedAwakePredictedCount());
    }

    @Test
    void shouldStayAwakeAfterWorkForTheLingerThenParkAndCountOncePerBurst()
    {
        final AnticipatoryIdleStrategy s = new AnticipatoryIdleStrategy(
            0, 0, 8, 1_000_000, 10_000, 0, 0, 10_000_000, idleCounters);
        assertEquals(1_000_000, s.anticipate(0), "no work found yet: nothing to linger for");
        s.foundWork(100_000);
        assertEquals(0, s.anticipate(100_001));
        assertEquals(0, s.anticipate(109_999));
        assertEquals(1_000_000, s.anticipate(110_000), "linger over: parks (no prediction)");
        assertEquals(1, idleCounters.stayedAwakeAfterBurstCount(), "one linger spell, counted once");
    }

    @Test
    void shouldTimeBurstsFromThePublisherSignalNotFromWhenTheThreadRanAgain()
    {
        final AnticipatoryIdleStrategy s = new AnticipatoryIdleStrategy(
            0, 0, 8, 10_000_000, 0, 10_000, 40_000, 10_000_000, idleCounters);
        // Each burst is published exactly GAP apart; the woken thread runs 5..45 us later, irregularly.
        final long[] wakeLatency = {5_000, 45_000, 12_000, 30_000, 8_000, 40_000};
        for (int i = 0; i < wakeLatency.length; i++)
        {
            s.anticipate(i * GAP - 100_000);
            s.parkReturned(i * GAP, i * GAP + wakeLatency[i]);
            s.foundWork(i * GAP + wakeLatency[i]);
        }
        assertEquals(GAP, s.predictedGapNanos(), "gaps learned from publication times are exact");
        assertEquals(wakeLatency.length, idleCounters.wokeBySignalCount());
        assertEquals(140_000, idleCounters.wakeLatencyNanosTotal());
    }

    @Test
    void shouldWakeEarlierByTheTailOfTheMeasuredParkLateness()
    {
        final ArrivalPredictor predictor = new ArrivalPredictor(10_000_000);
        for (int i = 0; i < 4; i++)
        {
            predictor.onArrival(i * GAP);
        }
        final long margin = 10_000;
        assertEquals(3 * GAP + GAP - margin - ArrivalPredictor.INITIAL_LATE_NANOS, predictor.wakeAtNs(margin),
            "before any park was measured: the default timer slack is the guess");
        // 126 parks 20 us late, 2 of them 90 us late: the 99th percentile is 90 us.
        for (int i = 0; i < ArrivalPredictor.LATE_SAMPLES; i++)
        {
            predictor.onTimedParkReturned(1_000_000, 1_000_000 + (i % 64 == 0 ? 90_000 : 20_000));
        }
        assertEquals(90_000, predictor.lateNs());
        assertEquals(4 * GAP - margin - 90_000, predictor.wakeAtNs(margin));
        // The tail goes away: the quantile follows within one window of samples.
        for (int i = 0; i < ArrivalPredictor.LATE_SAMPLES; i++)
        {
            predictor.onTimedParkReturned(1_000_000, 1_020_000);
        }
        assertEquals(20_000, predictor.lateNs());
    }

    @Test
    void shouldNeverLeadByMoreThanHalfTheGap()
    {
        final ArrivalPredictor predictor = new ArrivalPredictor(10_000_000);
        for (int i = 0; i < 4; i++)
        {
            predictor.onArrival(i * GAP);
        }
        for (int i = 0; i < 64; i++)
        {
            predictor.onTimedParkReturned(0, ArrivalPredictor.MAX_LATE_NANOS * 10);
        }
        assertEquals(ArrivalPredictor.MAX_LATE_NANOS, predictor.lateNs(), "one sample is bounded");
        assertEquals(GAP / 2, predictor.leadNs(10_000));
    }

    @Test
    void shouldWaitForTheSignalInsteadOfSpinningWhenTheTimerIsTooLateForTheGap()
    {
        final long shortGap = 80_000;
        final AnticipatoryIdleStrategy s = new AnticipatoryIdleStrategy(
            0, 0, 8, 10_000_000, 2_000, 10_000, 10_000, 10_000_000, idleCounters);
        for (int i = 0; i < 4; i++)
        {
            s.anticipate(i * shortGap - 1);
            s.foundWork(i * shortGap);
        }
        // lead = min(10 + 50 us (initial lateness), gap / 2 = 40 us): the timed park ends 40 us before the burst...
        final long spells = idleCounters.stayedAwakePredictedCount();
        final long park = s.anticipate(3 * shortGap + 3_000);
        assertEquals(shortGap / 2 - 3_000, park);
        s.parkReturned(Wakeup.NOT_SIGNALLED, 3 * shortGap + shortGap / 2 + 1);
        // ...but 60 us of lead do not fit half the gap: no spin, park until signalled.
        assertEquals(10_000_000, s.anticipate(3 * shortGap + shortGap / 2 + 2));
        assertEquals(spells, idleCounters.stayedAwakePredictedCount());
    }

    @Test
    void shouldSpinForTheBurstWhenTheLeadFitsHalfTheGap()
    {
        final AnticipatoryIdleStrategy s = new AnticipatoryIdleStrategy(
            0, 0, 8, 10_000_000, 2_000, 10_000, 10_000, 10_000_000, idleCounters);
        for (int i = 0; i < 4; i++)
        {
            s.anticipate(i * GAP - 1);
            s.foundWork(i * GAP);
        }
        final long spells = idleCounters.stayedAwakePredictedCount();
        final long wakeAt = 4 * GAP - 10_000 - ArrivalPredictor.INITIAL_LATE_NANOS;
        assertEquals(wakeAt - (3 * GAP + 3_000), s.anticipate(3 * GAP + 3_000));
        s.parkReturned(Wakeup.NOT_SIGNALLED, wakeAt + 1_000);
        assertEquals(0, s.anticipate(wakeAt + 1_001), "spins for the burst");
        assertEquals(spells + 1, idleCounters.stayedAwakePredictedCount());
    }

    @Test
    void shouldStayAwakeThroughShortGapsWhenPredicting()
    {
        final long shortGap = 30_000;
        final long window = 10_000;
        final AnticipatoryIdleStrategy s = new AnticipatoryIdleStrategy(
            0, 0, 8, 10_000_000, 2_000, 10_000, window, 10_000_000, idleCounters);
        for (int i = 0; i < 4; i++)
        {
            s.anticipate(i * shortGap - 1);
            s.foundWork(i * shortGap);
        }
        assertEquals(0, s.anticipate(3 * shortGap + shortGap + window - 1), "awake through the gap and the window");
        assertTrue(s.anticipate(3 * shortGap + shortGap + window) > 0, "then idles: no burst came");
    }

    @Test
    void shouldLearnTimerLatenessOnlyFromParksThatWereTimed()
    {
        final AnticipatoryIdleStrategy s = new AnticipatoryIdleStrategy(
            0, 0, 8, 10_000_000, 0, 10_000, 40_000, 10_000_000, idleCounters);
        // No estimate yet: parks until signalled; a signal then says nothing about the timer.
        assertEquals(10_000_000, s.anticipate(0));
        s.parkReturned(5_000, 400_000);
        assertEquals(ArrivalPredictor.INITIAL_LATE_NANOS, s.predictedLateNanos());
    }

    @Test
    void shouldNotPredictWhenWindowIsZero()
    {
        final AnticipatoryIdleStrategy s = new AnticipatoryIdleStrategy(0, 0, 8, 1_000_000, idleCounters);
        for (int i = 0; i < 4; i++)
        {
            s.anticipate(i * GAP - 1);
            s.foundWork(i * GAP);
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
}
