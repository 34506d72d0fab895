package io.vfplane.vf.port.tap;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few libc calls the TAP backend needs, bound once with the FFM linker. Every call captures {@code errno} into a
 * caller-owned segment ({@link #newErrnoState(Arena)}) so a thread reads its own errno without allocating.
 *
 * <p>Buffer arguments of {@link #read} and {@link #write} are raw addresses passed as {@code long} (on x86-64 Linux a
 * pointer and a 64-bit integer travel the same way): the data path then hands a pool address to the kernel without
 * making a {@code MemorySegment} per packet.
 */
@SuppressWarnings("restricted") // FFM downcalls are the point of this class; the JVM runs with native access on
final class LibC
{
    static final int O_RDWR = 2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;

    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EBUSY = 16;
    static final int EPERM = 1;
    static final int EINVAL = 22;

    static final short POLLIN = 0x1;
    /** struct pollfd { int fd; short events; short revents; } */
    static final int POLLFD_SIZE = 8;
    static final int POLLFD_EVENTS_OFFSET = 4;
    static final int POLLFD_REVENTS_OFFSET = 6;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
        CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = bind("open",
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
        CAPTURE, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL_PTR = bind("ioctl",
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
        CAPTURE, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL_LONG = bind("ioctl",
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
        CAPTURE, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle READ = bind("read",
        FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
        CAPTURE);
    private static final MethodHandle WRITE = bind("write",
        FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
        CAPTURE);
    private static final MethodHandle WRITEV = bind("writev",
        FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT),
        CAPTURE);
    private static final MethodHandle POLL = bind("poll",
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT),
        CAPTURE);
    private static final MethodHandle CLOSE = bind("close",
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), CAPTURE);
    private static final MethodHandle STRERROR = LINKER.downcallHandle(LIBC.find("strerror").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

    private LibC()
    {
    }

    private static MethodHandle bind(final String name, final FunctionDescriptor descriptor, final Linker.Option... options)
    {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), descriptor, options);
    }

    /**
     * @return a segment the calls write errno into; one per thread that makes calls.
     */
    static MemorySegment newErrnoState(final Arena arena)
    {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    static int errno(final MemorySegment state)
    {
        return (int)ERRNO.get(state, 0L);
    }

    static String strerror(final int errno)
    {
        try
        {
            final MemorySegment text = (MemorySegment)STRERROR.invokeExact(errno);
            return text.reinterpret(256).getString(0);
        }
        catch (final Throwable t)
        {
            return "errno " + errno;
        }
    }

    static int open(final MemorySegment state, final MemorySegment path, final int flags)
    {
        try
        {
            return (int)OPEN.invokeExact(state, path, flags, 0);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    static int ioctl(final MemorySegment state, final int fd, final long request, final MemorySegment arg)
    {
        try
        {
            return (int)IOCTL_PTR.invokeExact(state, fd, request, arg);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    static int ioctl(final MemorySegment state, final int fd, final long request, final long arg)
    {
        try
        {
            return (int)IOCTL_LONG.invokeExact(state, fd, request, arg);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    static long read(final MemorySegment state, final int fd, final long address, final long length)
    {
        try
        {
            return (long)READ.invokeExact(state, fd, address, length);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    static long write(final MemorySegment state, final int fd, final long address, final long length)
    {
        try
        {
            return (long)WRITE.invokeExact(state, fd, address, length);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    static long writev(final MemorySegment state, final int fd, final long iov, final int count)
    {
        try
        {
            return (long)WRITEV.invokeExact(state, fd, iov, count);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    static int poll(final MemorySegment state, final long fds, final long count, final int timeoutMs)
    {
        try
        {
            return (int)POLL.invokeExact(state, fds, count, timeoutMs);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    static int close(final MemorySegment state, final int fd)
    {
        try
        {
            return (int)CLOSE.invokeExact(state, fd);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }
}
