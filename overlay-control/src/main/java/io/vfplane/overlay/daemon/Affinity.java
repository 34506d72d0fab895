package io.vfplane.overlay.daemon;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import io.vfplane.vf.port.sys.LibC;

/**
 * CPU affinity of the calling thread ({@code sched_setaffinity(0, ...)} through {@link LibC}). Linux threads inherit
 * their creator's affinity, so setting it on the thread that starts the data-path threads, before it starts them,
 * places them all; threads the JVM made earlier (compiler, GC) keep running anywhere.
 */
final class Affinity
{
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
            final MemorySegment errno = LibC.newErrnoState(arena);
            final MemorySegment set = arena.allocate(LibC.CPU_SET_BYTES, 8);
            for (final int cpu : cpus)
            {
                if (cpu < 0 || cpu >= LibC.CPU_SET_BYTES * 8)
                {
                    return "CPU " + cpu + " is outside 0.." + (LibC.CPU_SET_BYTES * 8 - 1);
                }
                final long word = (long)(cpu / 64) * 8;
                set.set(ValueLayout.JAVA_LONG, word, set.get(ValueLayout.JAVA_LONG, word) | 1L << (cpu % 64));
            }
            final int rc = LibC.schedSetaffinity(errno, 0, LibC.CPU_SET_BYTES, set.address());
            return rc == 0 ? null : "sched_setaffinity refused CPUs " + cpus + " (not online or not allowed): " +
                LibC.strerror(LibC.errno(errno));
        }
    }

    /**
     * @return the CPUs the calling thread may run on (empty if the kernel would not say).
     */
    static List<Integer> currentThread()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment errno = LibC.newErrnoState(arena);
            final MemorySegment set = arena.allocate(LibC.CPU_SET_BYTES, 8);
            final List<Integer> cpus = new ArrayList<>();
            if (LibC.schedGetaffinity(errno, 0, LibC.CPU_SET_BYTES, set.address()) < 0)
            {
                return cpus;
            }
            for (int cpu = 0; cpu < LibC.CPU_SET_BYTES * 8; cpu++)
            {
                if ((set.get(ValueLayout.JAVA_LONG, (long)(cpu / 64) * 8) & 1L << (cpu % 64)) != 0)
                {
                    cpus.add(cpu);
                }
            }
            return cpus;
        }
    }
}
