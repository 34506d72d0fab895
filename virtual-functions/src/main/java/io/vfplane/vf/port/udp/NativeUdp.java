package io.vfplane.vf.port.udp;

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
 * The socket calls of the {@code native} underlay transport, bound once with the FFM linker: a plain UDP socket
 * with {@code recvmmsg} (UDP GRO trains included: each message carries its own {@code UDP_GRO} control message) and
 * {@code sendmmsg} (each message its own {@code UDP_SEGMENT}). Every call captures {@code errno} into a caller-owned
 * segment, and memory arguments are raw addresses passed as {@code long}, so the data path allocates nothing.
 *
 * <h2>Structures (Linux x86-64 / aarch64, LP64)</h2>
 * <pre>
 *  struct sockaddr_in (16)   | family u16 (host order) | port u16 (BE) | addr u32 (BE) | zero[8] |
 *  struct iovec (16)         | base ptr (0) | len size_t (8) |
 *  struct msghdr (56)        | name ptr (0) | namelen u32 (8) | pad | iov ptr (16) | iovlen (24) |
 *                            | control ptr (32) | controllen (40) | flags i32 (48) | pad |
 *  struct mmsghdr (64)       | msghdr (0) | msg_len u32 (56) | pad |
 *  struct cmsghdr            | len size_t (0) | level i32 (8) | type i32 (12) | data (16) ... | (CMSG_SPACE: 8-aligned)
 * </pre>
 */
@SuppressWarnings("restricted") // FFM downcalls are the point of this class; the JVM runs with native access on
final class NativeUdp
{
    static final int AF_INET = 2;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int SO_SNDBUFFORCE = 32;
    static final int SO_RCVBUFFORCE = 33;
    static final int SO_RCVTIMEO = 20;
    static final int SOL_UDP = 17;
    static final int UDP_SEGMENT = 103;
    static final int UDP_GRO = 104;
    static final int MSG_WAITFORONE = 0x10000;
    static final int MSG_TRUNC = 0x20;

    static final int EINTR = 4;
    static final int EAGAIN = 11;

    static final int SOCKADDR_IN_SIZE = 16;
    static final int SIN_PORT_OFFSET = 2;
    static final int SIN_ADDR_OFFSET = 4;
    static final int IOVEC_SIZE = 16;
    static final int MSGHDR_NAME_OFFSET = 0;
    static final int MSGHDR_NAMELEN_OFFSET = 8;
    static final int MSGHDR_IOV_OFFSET = 16;
    static final int MSGHDR_IOVLEN_OFFSET = 24;
    static final int MSGHDR_CONTROL_OFFSET = 32;
    static final int MSGHDR_CONTROLLEN_OFFSET = 40;
    static final int MSGHDR_FLAGS_OFFSET = 48;
    static final int MMSGHDR_LEN_OFFSET = 56;
    static final int MMSGHDR_SIZE = 64;
    static final int CMSG_LEN_OFFSET = 0;
    static final int CMSG_LEVEL_OFFSET = 8;
    static final int CMSG_TYPE_OFFSET = 12;
    static final int CMSG_DATA_OFFSET = 16;
    /** CMSG_SPACE(sizeof(int)): room for one UDP_GRO or UDP_SEGMENT control message. */
    static final int CMSG_SPACE_INT = 24;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG;

    private static final MethodHandle SOCKET = bind("socket", FunctionDescriptor.of(I, I, I, I));
    private static final MethodHandle SETSOCKOPT = bind("setsockopt", FunctionDescriptor.of(I, I, I, I, L, I));
    private static final MethodHandle GETSOCKOPT = bind("getsockopt", FunctionDescriptor.of(I, I, I, I, L, L));
    private static final MethodHandle BIND = bind("bind", FunctionDescriptor.of(I, I, L, I));
    private static final MethodHandle GETSOCKNAME = bind("getsockname", FunctionDescriptor.of(I, I, L, L));
    private static final MethodHandle RECVMMSG = bind("recvmmsg", FunctionDescriptor.of(I, I, L, I, I, L));
    private static final MethodHandle SENDMMSG = bind("sendmmsg", FunctionDescriptor.of(I, I, L, I, I));
    private static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(I, I));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(LIBC.find("strerror").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.ADDRESS, I));

    private NativeUdp()
    {
    }

    private static MethodHandle bind(final String name, final FunctionDescriptor descriptor)
    {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), descriptor, CAPTURE);
    }

    /** A segment the calls write errno into; one per thread that makes calls. */
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

    static int setsockopt(
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

    static int getsockopt(
        final MemorySegment state, final int fd, final int level, final int name, final long value, final long length)
    {
        try
        {
            return (int)GETSOCKOPT.invokeExact(state, fd, level, name, value, length);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    static int bind(final MemorySegment state, final int fd, final long address, final int length)
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

    static int getsockname(final MemorySegment state, final int fd, final long address, final long lengthAddress)
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

    static int recvmmsg(
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

    static int sendmmsg(final MemorySegment state, final int fd, final long vector, final int count, final int flags)
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
