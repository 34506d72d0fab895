package io.vfplane.vf.port.sys;

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
 * Every libc call of the ports, bound once with the FFM linker: one downcall handle per C function.
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li><b>errno.</b> Every call but {@link #strerror} captures {@code errno} into a caller-owned segment from
 *   {@link #newErrnoState(Arena)} (one per thread that makes calls, allocated once), read back with
 *   {@link #errno(MemorySegment)}: a thread reads its own errno and a call allocates nothing.</li>
 *   <li><b>Pointers are raw addresses.</b> Every pointer argument is passed as a {@code long} (on LP64 Linux, x86-64
 *   and aarch64, a pointer and a 64-bit integer travel the same way, variadic or not), so the data path hands a pool
 *   address to the kernel without making a {@code MemorySegment} per packet. A caller holding a segment passes
 *   {@code segment.address()} and keeps the segment's arena open for the call. The same convention lets one
 *   {@code ioctl} handle serve both an integer argument and a pointer argument.</li>
 *   <li><b>Results are the C results.</b> A failed call returns what libc returns (-1, or 0 for
 *   {@code if_nametoindex}); nothing is thrown for it. An {@link IllegalStateException} means the downcall itself
 *   failed, which does not happen once the handle is bound.</li>
 * </ul>
 */
@SuppressWarnings("restricted") // FFM downcalls are the point of this class; the JVM runs with native access on
public final class LibC
{
    /** {@code open(2)} flags. */
    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 2;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;

    /** {@code errno} values the ports act on. */
    public static final int EPERM = 1;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int EBUSY = 16;
    public static final int EINVAL = 22;
    public static final int ENOBUFS = 105;

    /** {@code socket(2)} type flag and {@code SOL_SOCKET} options shared by the socket backends. */
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_RCVTIMEO = 20;
    public static final int SO_SNDBUFFORCE = 32;
    public static final int SO_RCVBUFFORCE = 33;

    /** {@code setns(2)}: join a network namespace. */
    public static final int CLONE_NEWNET = 0x40000000;

    /** {@code poll(2)}: {@code struct pollfd { int fd; short events; short revents; }}. */
    public static final short POLLIN = 0x1;
    public static final int POLLFD_SIZE = 8;
    public static final int POLLFD_FD_OFFSET = 0;
    public static final int POLLFD_EVENTS_OFFSET = 4;
    public static final int POLLFD_REVENTS_OFFSET = 6;

    /** {@code struct iovec { void *iov_base; size_t iov_len; }} (LP64), for {@code writev} and {@code msghdr}. */
    public static final int IOVEC_SIZE = 16;
    public static final int IOVEC_BASE_OFFSET = 0;
    public static final int IOVEC_LEN_OFFSET = 8;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");
    /** The C {@code int} (and {@code socklen_t}). */
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    /** A C {@code long}, {@code size_t}, {@code ssize_t} or pointer (LP64). */
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG;

    // int open(const char *path, int flags, ...): the mode is variadic, passed as 0
    private static final MethodHandle OPEN = bind("open", FunctionDescriptor.of(I, L, I, I), 2);
    // int ioctl(int fd, unsigned long request, ...): the one argument (integer or pointer) is variadic
    private static final MethodHandle IOCTL = bind("ioctl", FunctionDescriptor.of(I, I, L, L), 2);
    private static final MethodHandle READ = bind("read", FunctionDescriptor.of(L, I, L, L));
    private static final MethodHandle WRITE = bind("write", FunctionDescriptor.of(L, I, L, L));
    private static final MethodHandle WRITEV = bind("writev", FunctionDescriptor.of(L, I, L, I));
    private static final MethodHandle POLL = bind("poll", FunctionDescriptor.of(I, L, L, I));
    private static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(I, I));
    private static final MethodHandle SOCKET = bind("socket", FunctionDescriptor.of(I, I, I, I));
    private static final MethodHandle BIND = bind("bind", FunctionDescriptor.of(I, I, L, I));
    private static final MethodHandle SETSOCKOPT = bind("setsockopt", FunctionDescriptor.of(I, I, I, I, L, I));
    private static final MethodHandle GETSOCKNAME = bind("getsockname", FunctionDescriptor.of(I, I, L, L));
    private static final MethodHandle IF_NAMETOINDEX = bind("if_nametoindex", FunctionDescriptor.of(I, L));
    private static final MethodHandle RECVMMSG = bind("recvmmsg", FunctionDescriptor.of(I, I, L, I, I, L));
    private static final MethodHandle SENDMMSG = bind("sendmmsg", FunctionDescriptor.of(I, I, L, I, I));
    private static final MethodHandle SETNS = bind("setns", FunctionDescriptor.of(I, I, I));
    private static final MethodHandle SCHED_SETAFFINITY =
        bind("sched_setaffinity", FunctionDescriptor.of(I, I, L, L));
    private static final MethodHandle SCHED_GETAFFINITY =
        bind("sched_getaffinity", FunctionDescriptor.of(I, I, L, L));
    // not errno-capturing: strerror is how errno becomes text
    private static final MethodHandle STRERROR = LINKER.downcallHandle(LIBC.find("strerror").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.ADDRESS, I));

    private LibC()
    {
    }

    private static MethodHandle bind(final String name, final FunctionDescriptor descriptor)
    {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), descriptor, CAPTURE);
    }

    private static MethodHandle bind(final String name, final FunctionDescriptor descriptor, final int firstVariadic)
    {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), descriptor, CAPTURE,
            Linker.Option.firstVariadicArg(firstVariadic));
    }

    /**
     * @param arena owns the segment.
     * @return a segment the calls write errno into; one per thread that makes calls.
     */
    public static MemorySegment newErrnoState(final Arena arena)
    {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    /**
     * @param state the segment the last call captured into.
     * @return the errno that call left.
     */
    public static int errno(final MemorySegment state)
    {
        return (int)ERRNO.get(state, 0L);
    }

    /**
     * @param errno an error number.
     * @return the C library's text for it (setup and error paths only: it makes a String).
     */
    public static String strerror(final int errno)
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

    /** {@code open(path, flags, 0)}; {@code path} is the address of a NUL-terminated string. */
    public static int open(final MemorySegment state, final long path, final int flags)
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

    /** {@code ioctl(fd, request, arg)}; {@code arg} is an integer or an address, as the request wants. */
    public static int ioctl(final MemorySegment state, final int fd, final long request, final long arg)
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

    /** {@code read(fd, buffer, length)}. */
    public static long read(final MemorySegment state, final int fd, final long buffer, final long length)
    {
        try
        {
            return (long)READ.invokeExact(state, fd, buffer, length);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    /** {@code write(fd, buffer, length)}. */
    public static long write(final MemorySegment state, final int fd, final long buffer, final long length)
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

    /** {@code writev(fd, iov, count)}; {@code iov} is the address of {@code count} {@code struct iovec}. */
    public static long writev(final MemorySegment state, final int fd, final long iov, final int count)
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

    /** {@code poll(fds, count, timeoutMs)}; {@code fds} is the address of {@code count} {@code struct pollfd}. */
    public static int poll(final MemorySegment state, final long fds, final long count, final int timeoutMs)
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

    /** {@code close(fd)}. */
    public static int close(final MemorySegment state, final int fd)
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

    /** {@code socket(domain, type, protocol)}. */
    public static int socket(final MemorySegment state, final int domain, final int type, final int protocol)
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

    /** {@code bind(fd, address, length)}; {@code address} is the address of a {@code struct sockaddr_*}. */
    public static int bind(final MemorySegment state, final int fd, final long address, final int length)
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

    /** {@code setsockopt(fd, level, name, value, length)}; {@code value} is the address of the option value. */
    public static int setsockopt(
        final MemorySegment state, final int fd, final int level, final int name, final long value, final int length)
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

    /**
     * {@code getsockname(fd, address, lengthAddress)}; {@code lengthAddress} points at a {@code socklen_t} holding
     * the room at {@code address}, which the kernel overwrites with the length it used.
     */
    public static int getsockname(final MemorySegment state, final int fd, final long address, final long lengthAddress)
    {
        try
        {
            return (int)GETSOCKNAME.invokeExact(state, fd, address, lengthAddress);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    /** {@code if_nametoindex(name)}; {@code name} is the address of a NUL-terminated string; 0 when there is none. */
    public static int ifNameToIndex(final MemorySegment state, final long name)
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

    /**
     * {@code recvmmsg(fd, vector, count, flags, timeout)}; {@code vector} is the address of {@code count}
     * {@code struct mmsghdr}, {@code timeout} the address of a {@code struct timespec} or 0 for none.
     */
    public static int recvmmsg(
        final MemorySegment state, final int fd, final long vector, final int count, final int flags,
        final long timeout)
    {
        try
        {
            return (int)RECVMMSG.invokeExact(state, fd, vector, count, flags, timeout);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    /** {@code sendmmsg(fd, vector, count, flags)}; {@code vector} is the address of {@code count} {@code mmsghdr}. */
    public static int sendmmsg(
        final MemorySegment state, final int fd, final long vector, final int count, final int flags)
    {
        try
        {
            return (int)SENDMMSG.invokeExact(state, fd, vector, count, flags);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    /** glibc's {@code cpu_set_t}: 1024 bits. */
    public static final int CPU_SET_BYTES = 128;

    /** {@code sched_setaffinity(pid, size, mask)}; pid 0 is the calling thread. */
    public static int schedSetaffinity(final MemorySegment state, final int pid, final long size, final long mask)
    {
        try
        {
            return (int)SCHED_SETAFFINITY.invokeExact(state, pid, size, mask);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    /** {@code sched_getaffinity(pid, size, mask)}; pid 0 is the calling thread. */
    public static int schedGetaffinity(final MemorySegment state, final int pid, final long size, final long mask)
    {
        try
        {
            return (int)SCHED_GETAFFINITY.invokeExact(state, pid, size, mask);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    /** {@code setns(fd, type)}: the calling thread joins the namespace {@code fd} refers to. */
    public static int setns(final MemorySegment state, final int fd, final int type)
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
}
