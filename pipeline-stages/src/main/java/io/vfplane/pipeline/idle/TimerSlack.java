package io.vfplane.pipeline.idle;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sets the calling thread's timer slack with Linux {@code prctl(PR_SET_TIMERSLACK, ns)}.
 *
 * <p>Why: the kernel may delay a timed wake-up by up to the thread's timer slack (50 us by default) so that it can
 * batch timer expiries; {@code LockSupport.parkNanos} of a thread that parks until shortly before a predicted burst
 * then returns tens of microseconds late, after the burst. Timer slack is per thread, so the stage thread itself must
 * call {@link #applyToCurrentThread(long)}.
 *
 * <p>The native call is looked up once, at class initialisation (Foreign Function and Memory API). Where it is not
 * available (not Linux, native access denied) the class says so once through {@link System.Logger}, and every
 * {@link #applyToCurrentThread(long)} returns false and is counted in {@link #failures()}: the thread keeps the
 * default slack, which costs latency, never correctness.
 */
public final class TimerSlack
{
    /** The slack a thread that times its wake-ups to a predicted burst asks for. */
    public static final long PREDICTING_SLACK_NANOS = 1_000;

    private static final int PR_SET_TIMERSLACK = 29;
    private static final int PR_GET_TIMERSLACK = 30;
    private static final MethodHandle PRCTL = lookUpPrctl();
    private static final AtomicLong FAILURES = new AtomicLong();

    private TimerSlack()
    {
    }

    /**
     * @return true when {@code prctl} was found and can be called.
     */
    public static boolean isAvailable()
    {
        return PRCTL != null;
    }

    /**
     * Sets the timer slack of the calling thread. Called once per thread at start, never on a data path.
     *
     * @param slackNanos the slack in nanoseconds; must be > 0 (0 means "the process default" to the kernel).
     * @return true when the kernel accepted it.
     */
    public static boolean applyToCurrentThread(final long slackNanos)
    {
        if (slackNanos <= 0)
        {
            throw new IllegalArgumentException("timer slack must be > 0 ns: " + slackNanos);
        }
        if (PRCTL != null)
        {
            try
            {
                if ((int)PRCTL.invokeExact(PR_SET_TIMERSLACK, slackNanos, 0L, 0L, 0L) == 0)
                {
                    return true;
                }
            }
            catch (final Throwable ex)
            {
                // Fall through: counted below; the thread keeps its slack.
            }
        }
        FAILURES.incrementAndGet();
        return false;
    }

    /**
     * Reads the calling thread's timer slack ({@code PR_GET_TIMERSLACK} returns it as the result).
     *
     * @return the slack in nanoseconds, or -1 when it cannot be read.
     */
    public static long currentThreadSlackNanos()
    {
        if (PRCTL != null)
        {
            try
            {
                return (int)PRCTL.invokeExact(PR_GET_TIMERSLACK, 0L, 0L, 0L, 0L);
            }
            catch (final Throwable ex)
            {
                return -1;
            }
        }
        return -1;
    }

    /**
     * @return how many {@link #applyToCurrentThread(long)} calls in this JVM did not set the slack.
     */
    public static long failures()
    {
        return FAILURES.get();
    }

    private static MethodHandle lookUpPrctl()
    {
        try
        {
            final Linker linker = Linker.nativeLinker();
            final Optional<MemorySegment> symbol = linker.defaultLookup().find("prctl");
            if (symbol.isEmpty())
            {
                log("prctl not found");
                return null;
            }
            // int prctl(int option, ...): the arguments after the option are variadic (unsigned long each).
            return linker.downcallHandle(
                symbol.get(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                Linker.Option.firstVariadicArg(1));
        }
        catch (final RuntimeException | LinkageError ex)
        {
            log(ex.toString());
            return null;
        }
    }

    private static void log(final String why)
    {
        System.getLogger(TimerSlack.class.getName()).log(System.Logger.Level.INFO,
            "timer slack cannot be set (" + why + "): predicted wake-ups keep the default slack and may be late");
    }
}
