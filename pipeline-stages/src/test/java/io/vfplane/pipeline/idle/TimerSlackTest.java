package io.vfplane.pipeline.idle;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The timer slack of a thread, set and read back through prctl on a fresh thread each time (slack is per thread, so
 * the test thread keeps its own).
 */
class TimerSlackTest
{
    @Test
    void shouldSetTheSlackOfTheCallingThreadOnly() throws InterruptedException
    {
        assertTrue(TimerSlack.isAvailable(), "prctl is reachable on Linux with native access enabled");
        final long before = TimerSlack.currentThreadSlackNanos();
        final long failures = TimerSlack.failures();
        final long[] seen = new long[2];
        onNewThread(() ->
        {
            seen[0] = TimerSlack.applyToCurrentThread(TimerSlack.PREDICTING_SLACK_NANOS) ? 1 : 0;
            return seen[1] = TimerSlack.currentThreadSlackNanos();
        });
        assertEquals(1, seen[0]);
        assertEquals(TimerSlack.PREDICTING_SLACK_NANOS, seen[1]);
        assertEquals(before, TimerSlack.currentThreadSlackNanos(), "another thread's slack is untouched");
        assertEquals(failures, TimerSlack.failures());
    }

    @Test
    void shouldRejectANonPositiveSlack()
    {
        assertThrows(IllegalArgumentException.class, () -> TimerSlack.applyToCurrentThread(0));
    }

    @Test
    void shouldTightenTheSlackOfAPredictingStageThreadAtItsFirstIdlePoll() throws InterruptedException
    {
        final long slack = onNewThread(() ->
        {
            final AnticipatoryIdleStrategy s = new AnticipatoryIdleStrategy(
                0, 0, 8, 1_000_000, 10_000, 50_000, 10_000_000, IdleCounters.NONE);
            s.idle(new ParkOnceContext());
            return TimerSlack.currentThreadSlackNanos();
        });
        assertEquals(TimerSlack.PREDICTING_SLACK_NANOS, slack);
    }

    @Test
    void shouldLeaveTheSlackOfANonPredictingStageThreadAlone() throws InterruptedException
    {
        final long slack = onNewThread(() ->
        {
            final AnticipatoryIdleStrategy s = new AnticipatoryIdleStrategy(
                0, 0, 8, 1_000_000, 10_000, 0, 10_000_000, IdleCounters.NONE);
            s.idle(new ParkOnceContext());
            return TimerSlack.currentThreadSlackNanos();
        });
        assertTrue(slack > 0);
        assertNotEquals(TimerSlack.PREDICTING_SLACK_NANOS, slack);
    }

    private static long onNewThread(final LongSupplier body) throws InterruptedException
    {
        final AtomicLong result = new AtomicLong(Long.MIN_VALUE);
        final Thread t = new Thread(() -> result.set(body.getAsLong()), "timer-slack-test");
        t.start();
        t.join(10_000);
        assertEquals(false, t.isAlive());
        return result.get();
    }

    /** Nothing in the pipeline: the strategy parks; the park returns at once. */
    private static final class ParkOnceContext implements IdleContext
    {
        @Override
        public long processed()
        {
            return 0;
        }

        @Override
        public long head()
        {
            return 0;
        }

        @Override
        public long available()
        {
            return 0;
        }

        @Override
        public long upstreamQueue()
        {
            return 0;
        }

        @Override
        public long park(final long maxNanos)
        {
            return Wakeup.NOT_SIGNALLED;
        }
    }
}
