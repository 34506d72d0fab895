package io.vfplane.overlay.daemon;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * CPU affinity of the calling thread ({@code sched_setaffinity(0, ...)} through FFM). Linux threads inherit their
 * creator's affinity, so setting it on the thread that starts the data-path threads, before it starts them, places
 * them all; threads the JVM made earlier (compiler, GC) keep running anywhere.
 */
@SuppressWarnings("restricted") // one FFM downcall; the JVM runs with native access on
final class Affinity
{
    /** cpu_set_t of glibc: 1024 bits. */
    private static final int CPU_SET_BYTES = 128;
    private static final MethodHandle SCHED_SETAFFINITY;
    private static final MethodHandle SCHED_GETAFFINITY;

    static
    {
        final Linker linker = Linker.nativeLinker();
        SCHED_SETAFFINITY = linker.downcallHandle(linker.defaultLookup().find("sched_setaffinity").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                ValueLayout.ADDRESS));
        SCHED_GETAFFINITY = linker.downcallHandle(linker.defaultLookup().find("sched_getaffinity").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                ValueLayout.ADDRESS));
    }

    private Affinity()
    {
    }

    /**
     * Restricts the calling thread to {@code cpus}.
     *
     * @return null when done, else why not (a CPU that does not exist or is not allowed here).
     */
    static String pinCurrentThread(final List<Integer> cpus)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment set = arena.allocate(CPU_SET_BYTES, 8);
            for (final int cpu : cpus)
            {
                final long word = (long)(cpu / 64) * 8;
                set.set(ValueLayout.JAVA_LONG, word, set.get(ValueLayout.JAVA_LONG, word) | 1L << (cpu % 64));
            }
            final int rc = (int)SCHED_SETAFFINITY.invokeExact(0, (long)CPU_SET_BYTES, set);
            return rc == 0 ? null : "sched_setaffinity refused CPUs " + cpus + " (not online or not allowed)";
        }
        catch (final Throwable t)
        {
            return "sched_setaffinity: " + t;
        }
    }

    /**
     * @return the CPUs the calling thread may run on.
     */
    static List<Integer> currentThread()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment set = arena.allocate(CPU_SET_BYTES, 8);
            final int rc = (int)SCHED_GETAFFINITY.invokeExact(0, (long)CPU_SET_BYTES, set);
            final java.util.ArrayList<Integer> cpus = new java.util.ArrayList<>();
            for (int cpu = 0; rc >= 0 && cpu < CPU_SET_BYTES * 8; cpu++)
            {
                if ((set.get(ValueLayout.JAVA_LONG, (long)(cpu / 64) * 8) & 1L << (cpu % 64)) != 0)
                {
                    cpus.add(cpu);
                }
            }
            return cpus;
        }
        catch (final Throwable t)
        {
            return List.of();
        }
    }
}
