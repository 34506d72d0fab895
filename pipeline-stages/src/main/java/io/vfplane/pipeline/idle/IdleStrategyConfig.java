package io.vfplane.pipeline.idle;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.vfplane.dataplane.counters.Counters;

/**
 * Which idle strategy a pipeline's stage threads use, and its parameters. Immutable; {@link #newStrategy} makes one
 * instance per stage thread.
 *
 * @param kind              the strategy.
 * @param spinNanos         anticipatory: spin phase of an awake spell.
 * @param awakeNanos        anticipatory: bound of an awake spell.
 * @param upstreamThreshold anticipatory: upstream queue length that keeps a thread awake.
 * @param sleepNanos        sleeping: one sleep.
 * @param maxParkNanos      blocking and anticipatory: bound on one park.
 * @param lingerNanos       anticipatory: how long a thread stays awake after it last found work.
 * @param predictLeadNanos  anticipatory: margin of a predicted wake-up beyond the measured park lateness and jitter.
 * @param predictWindowNanos anticipatory: how long a predicted spell waits past the expected burst; 0: no prediction.
 * @param maxPredictGapNanos anticipatory: longest gap between bursts that is predicted.
 */
public record IdleStrategyConfig(
    Kind kind,
    long spinNanos,
    long awakeNanos,
    long upstreamThreshold,
    long sleepNanos,
    long maxParkNanos,
    long lingerNanos,
    long predictLeadNanos,
    long predictWindowNanos,
    long maxPredictGapNanos)
{
    /** The strategies a pipeline may select. */
    public enum Kind
    {
        BUSY_SPIN,
        YIELDING,
        SLEEPING,
        BLOCKING,
        ANTICIPATORY;

        /** Parses {@code busy-spin}, {@code busy_spin}, {@code anticipatory}... case-insensitively. */
        public static Kind parse(final String text)
        {
            try
            {
                return valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException("unknown idle strategy '" + text +
                    "': one of busy-spin, yielding, sleeping, blocking, anticipatory", ex);
            }
        }

        /**
         * @return true when threads park and need the pipeline to signal them on publish.
         */
        public boolean needsSignal()
        {
            return this == BLOCKING || this == ANTICIPATORY;
        }
    }

    public IdleStrategyConfig
    {
        if (kind == null)
        {
            throw new IllegalArgumentException("idle strategy kind must be set");
        }
        if (sleepNanos <= 0 || maxParkNanos <= 0)
        {
            throw new IllegalArgumentException("idle strategy: sleepNanos and maxParkNanos must be > 0");
        }
        if (lingerNanos < 0 || predictLeadNanos < 0 || predictWindowNanos < 0 || maxPredictGapNanos <= 0)
        {
            throw new IllegalArgumentException(
                "idle strategy: linger, predict lead and window must be >= 0, max gap > 0");
        }
    }

    /** Without prediction parameters: the anticipatory defaults. */
    public IdleStrategyConfig(
        final Kind kind,
        final long spinNanos,
        final long awakeNanos,
        final long upstreamThreshold,
        final long sleepNanos,
        final long maxParkNanos)
    {
        this(kind, spinNanos, awakeNanos, upstreamThreshold, sleepNanos, maxParkNanos,
            AnticipatoryIdleStrategy.DEFAULT_LINGER_NANOS, AnticipatoryIdleStrategy.DEFAULT_PREDICT_LEAD_NANOS,
            AnticipatoryIdleStrategy.DEFAULT_PREDICT_WINDOW_NANOS,
            AnticipatoryIdleStrategy.DEFAULT_MAX_PREDICT_GAP_NANOS);
    }

    /** The kind with default parameters. */
    public static IdleStrategyConfig of(final Kind kind)
    {
        return new IdleStrategyConfig(
            kind,
            AnticipatoryIdleStrategy.DEFAULT_SPIN_NANOS,
            AnticipatoryIdleStrategy.DEFAULT_AWAKE_NANOS,
            AnticipatoryIdleStrategy.DEFAULT_UPSTREAM_THRESHOLD,
            TimeUnit.MICROSECONDS.toNanos(100),
            AnticipatoryIdleStrategy.DEFAULT_MAX_PARK_NANOS);
    }

    /** A copy with the anticipatory parameters changed. */
    public IdleStrategyConfig anticipation(final long spinNanos, final long awakeNanos, final long upstreamThreshold)
    {
        return new IdleStrategyConfig(kind, spinNanos, awakeNanos, upstreamThreshold, sleepNanos, maxParkNanos,
            lingerNanos, predictLeadNanos, predictWindowNanos, maxPredictGapNanos);
    }

    /** A copy with the anticipatory prediction changed ({@code windowNanos == 0} turns it off). */
    public IdleStrategyConfig prediction(final long leadNanos, final long windowNanos, final long maxGapNanos)
    {
        return new IdleStrategyConfig(kind, spinNanos, awakeNanos, upstreamThreshold, sleepNanos, maxParkNanos,
            lingerNanos, leadNanos, windowNanos, maxGapNanos);
    }

    /** A copy with the anticipatory linger (stay awake after the last work found) changed. */
    public IdleStrategyConfig linger(final long nanos)
    {
        return new IdleStrategyConfig(kind, spinNanos, awakeNanos, upstreamThreshold, sleepNanos, maxParkNanos,
            nanos, predictLeadNanos, predictWindowNanos, maxPredictGapNanos);
    }

    /**
     * Makes the strategy for one stage thread.
     *
     * @param counters where to register its counters, or null for none.
     * @param prefix   the thread's counter prefix, e.g. {@code pipeline.vf0.thread.1}.
     */
    public StageIdleStrategy newStrategy(final Counters counters, final String prefix)
    {
        final IdleCounters idleCounters = counters == null ? IdleCounters.NONE :
            IdleCounters.register(counters, prefix);
        return switch (kind)
        {
            case BUSY_SPIN -> new BusySpinIdleStrategy();
            case YIELDING -> new YieldingIdleStrategy();
            case SLEEPING -> new SleepingIdleStrategy(sleepNanos);
            case BLOCKING -> new BlockingIdleStrategy(maxParkNanos, idleCounters);
            case ANTICIPATORY -> new AnticipatoryIdleStrategy(
                spinNanos, awakeNanos, upstreamThreshold, maxParkNanos, lingerNanos, predictLeadNanos,
                predictWindowNanos, maxPredictGapNanos, idleCounters);
        };
    }
}
