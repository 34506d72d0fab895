package io.vfplane.vf.port.packet;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.vfplane.vf.port.sys.LibC;

/**
 * Runs setup code inside a named network namespace ({@code ip netns add NAME}), in-process: a new platform thread
 * joins the namespace with {@code setns(2)} (a network namespace is per thread), runs the code and ends. Sockets and
 * TAP devices it opens belong to that namespace for their whole life, whichever thread uses them afterwards, so a
 * replay can send into a namespace without running the JVM under {@code ip netns exec}.
 */
public final class NetNamespace
{
    /** Where {@code ip netns} keeps the namespaces it names (iproute2's convention). */
    private static final String NETNS_RUN_DIR = "/var/run/netns/";

    private NetNamespace()
    {
    }

    /**
     * @param namespace a namespace name as {@code ip netns} lists it, or null for the caller's own namespace.
     * @param code      what to run there.
     * @param <T>       its result.
     * @return what {@code code} returned.
     * @throws IllegalStateException if the namespace cannot be joined; whatever {@code code} throws.
     */
    public static <T> T call(final String namespace, final Supplier<T> code)
    {
        if (namespace == null)
        {
            return code.get();
        }
        if (namespace.isEmpty() || namespace.contains("/") || namespace.equals(".") || namespace.equals(".."))
        {
            throw new IllegalStateException("netns " + namespace + ": not a namespace name");
        }
        final AtomicReference<T> result = new AtomicReference<>();
        final AtomicReference<RuntimeException> failure = new AtomicReference<>();
        final Thread thread = Thread.ofPlatform().name("netns-" + namespace).unstarted(() ->
        {
            try
            {
                enter(namespace);
                result.set(code.get());
            }
            catch (final RuntimeException ex)
            {
                failure.set(ex);
            }
        });
        thread.start();
        boolean interrupted = false;
        while (true)
        {
            try
            {
                thread.join();
                break;
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
        if (failure.get() != null)
        {
            throw failure.get();
        }
        return result.get();
    }

    private static void enter(final String namespace)
    {
        try (Arena setup = Arena.ofConfined())
        {
            final MemorySegment errno = LibC.newErrnoState(setup);
            final int fd = LibC.open(errno, setup.allocateFrom(NETNS_RUN_DIR + namespace).address(),
                LibC.O_RDONLY | LibC.O_CLOEXEC);
            if (fd < 0)
            {
                throw new IllegalStateException("netns " + namespace + ": cannot open it: " +
                    LibC.strerror(LibC.errno(errno)) + " (is it listed by `ip netns`?)");
            }
            try
            {
                if (LibC.setns(errno, fd, LibC.CLONE_NEWNET) < 0)
                {
                    throw new IllegalStateException("netns " + namespace + ": setns failed: " +
                        LibC.strerror(LibC.errno(errno)));
                }
            }
            finally
            {
                LibC.close(errno, fd);
            }
        }
    }
}
