package io.vfplane.vf.port.packet;

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
 * The libc calls AF_PACKET sending needs, bound once with the FFM linker: {@code socket}, {@code bind},
 * {@code setsockopt}, {@code if_nametoindex}, {@code sendto}, {@code sendmmsg}, {@code write}, {@code open},
 * {@code setns}, {@code close}. Every call captures {@code errno} into a caller-owned segment
 * ({@link #newErrnoState(Arena)}), so a thread reads its own errno without allocating.
 *
 * <p>Pointers on the data path ({@code sendto}, {@code sendmmsg}, {@code write}) are raw addresses passed as
 * {@code long} (on x86-64 Linux a pointer and a 64-bit integer travel the same way): a frame's address goes to the
 * kernel without a {@code MemorySegment} per packet.
 */
@SuppressWarnings("restricted") // FFM downcalls are the point of this class; the JVM runs with native access on
final class Syscalls
{
    static final int AF_PACKET = 17;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_SNDBUF = 7;
    static final int SO_SNDBUFFORCE = 32;
    static final int SOL_PACKET = 263;
    static final int PACKET_QDISC_BYPASS = 20;
    static final int O_RDONLY = 0;
    static final int O_CLOEXEC = 0x80000;
    static final int CLONE_NEWNET = 0x40000000;

    static final long SIOCGIFFLAGS = 0x8913L;
    static final long SIOCSIFFLAGS = 0x8914L;
    static final short IFF_UP = 0x1;

    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int ENOBUFS = 105;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");

    private static final MethodHandle SOCKET = bind("socket",
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle BIND = bind("bind",
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle SETSOCKOPT = bind("setsockopt",
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle IF_NAMETOINDEX = bind("if_nametoindex",
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final MethodHandle SENDTO = bind("sendto",
        FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle SENDMMSG = bind("sendmmsg",
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT));
    private static final MethodHandle WRITE = bind("write",
        FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG));
    private static final MethodHandle OPEN = LINKER.downcallHandle(LIBC.find("open").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
        CAPTURE, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle SETNS = bind("setns",
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle IOCTL = LINKER.downcallHandle(LIBC.find("ioctl").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
        CAPTURE, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = bind("close",
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(LIBC.find("strerror").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

    private Syscalls()
    {
    }

    private static MethodHandle bind(final String name, final FunctionDescriptor descriptor)
    {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), descriptor, CAPTURE);
    }

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

    static int socket(final MemorySegment state, final int domain, final int type, final int protocol)
    {
        try
        {
            return (int)SOCKET.invokeExact(state, domain, type, protocol);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    static int bind(final MemorySegment state, final int fd, final MemorySegment address, final int length)
    {
        try
        {
            return (int)BIND.invokeExact(state, fd, address, length);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    static int setsockopt(final MemorySegment state, final int fd, final int level, final int name,
        final MemorySegment value, final int length)
    {
        try
        {
            return (int)SETSOCKOPT.invokeExact(state, fd, level, name, value, length);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    static int ifNameToIndex(final MemorySegment state, final MemorySegment name)
    {
        try
        {
            return (int)IF_NAMETOINDEX.invokeExact(state, name);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    static long sendto(final MemorySegment state, final int fd, final long buffer, final long length, final int flags)
    {
        try
        {
            return (long)SENDTO.invokeExact(state, fd, buffer, length, flags, 0L, 0);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    static int sendmmsg(final MemorySegment state, final int fd, final long messages, final int count, final int flags)
    {
        try
        {
            return (int)SENDMMSG.invokeExact(state, fd, messages, count, flags);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    static long write(final MemorySegment state, final int fd, final long buffer, final long length)
    {
        try
        {
            return (long)WRITE.invokeExact(state, fd, buffer, length);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
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

    static int setns(final MemorySegment state, final int fd, final int type)
    {
        try
        {
            return (int)SETNS.invokeExact(state, fd, type);
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
            return (int)IOCTL.invokeExact(state, fd, request, arg);
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
