package io.vfplane.encap.testsupport;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An AF_PACKET raw socket bound to one interface of a network namespace, through FFM (Java has no AF_PACKET): sends
 * whole Ethernet frames as built and receives every frame the interface sees. For tests that put our frames on a
 * veth whose other end a real kernel peer owns.
 *
 * <p>The socket is created on a short-lived thread that first joins the namespace ({@code setns}); a socket stays
 * in the namespace it was created in, so the test's own threads never change namespace.
 */
public final class RawSocket implements AutoCloseable
{
    private static final int AF_PACKET = 17;
    private static final int SOCK_RAW = 3;
    private static final int ETH_P_ALL = 0x0003;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final int CLONE_NEWNET = 0x4000_0000;
    private static final int SOCKADDR_LL_LENGTH = 20;
    private static final int PACKET_OUTGOING = 4;
    private static final int EAGAIN = 11;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final MemoryLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SOCKET = handle("socket",
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle BIND = handle("bind",
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle SEND = handle("send", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
        ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle RECVFROM = handle("recvfrom", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
        ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
        ValueLayout.ADDRESS));
    private static final MethodHandle SETSOCKOPT = handle("setsockopt", FunctionDescriptor.of(ValueLayout.JAVA_INT,
        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = handle("close",
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle OPEN = handle("open",
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle SETNS = handle("setns",
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle IF_NAMETOINDEX = handle("if_nametoindex",
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));

    private final Arena arena = Arena.ofShared();
    private final MemorySegment capture = arena.allocate(CAPTURE);
    private final MemorySegment io = arena.allocate(65536);
    private final MemorySegment from = arena.allocate(SOCKADDR_LL_LENGTH);
    private final MemorySegment fromLength = arena.allocate(ValueLayout.JAVA_INT);
    private final int fd;

    private RawSocket(final int fd)
    {
        this.fd = fd;
    }

    /**
     * Opens a raw socket on {@code ifname} inside the named network namespace ({@code ip netns add NAME}).
     *
     * @param receiveTimeoutMillis how long {@link #receive} waits for a frame.
     */
    public static RawSocket open(final String netns, final String ifname, final int receiveTimeoutMillis)
        throws Exception
    {
        final AtomicReference<Object> result = new AtomicReference<>();
        final Thread t = new Thread(() ->
        {
            try
            {
                result.set(openHere(netns, ifname, receiveTimeoutMillis));
            }
            catch (final Throwable ex)
            {
                result.set(ex);
            }
        }, "raw-socket-" + netns);
        t.start();
        t.join();
        if (result.get() instanceof Throwable ex)
        {
            throw new IllegalStateException("cannot open AF_PACKET socket on " + netns + "/" + ifname, ex);
        }
        return (RawSocket)result.get();
    }

    private static RawSocket openHere(final String netns, final String ifname, final int timeoutMillis)
        throws Throwable
    {
        try (Arena a = Arena.ofConfined())
        {
            final MemorySegment state = a.allocate(CAPTURE);
            final int nsFd = (int)OPEN.invokeExact(state, a.allocateFrom("/var/run/netns/" + netns), 0);
            check(nsFd, state, "open netns " + netns);
            try
            {
                check((int)SETNS.invokeExact(state, nsFd, CLONE_NEWNET), state, "setns " + netns);
            }
            finally
            {
                final int ignored = (int)CLOSE.invokeExact(state, nsFd);
            }
            final int ifindex = (int)IF_NAMETOINDEX.invokeExact(state, a.allocateFrom(ifname));
            if (ifindex == 0)
            {
                throw new IllegalStateException("no interface " + ifname + " in " + netns + ": errno " +
                    (int)ERRNO.get(state, 0L));
            }
            final int protocol = Short.reverseBytes((short)ETH_P_ALL) & 0xFFFF;
            final int fd = (int)SOCKET.invokeExact(state, AF_PACKET, SOCK_RAW, protocol);
            check(fd, state, "socket(AF_PACKET)");
            final MemorySegment sll = a.allocate(SOCKADDR_LL_LENGTH);
            sll.set(ValueLayout.JAVA_SHORT, 0, (short)AF_PACKET);
            sll.set(ValueLayout.JAVA_SHORT, 2, (short)protocol);
            sll.set(ValueLayout.JAVA_INT, 4, ifindex);
            check((int)BIND.invokeExact(state, fd, sll, SOCKADDR_LL_LENGTH), state, "bind " + ifname);
            final MemorySegment timeval = a.allocate(16);
            timeval.set(ValueLayout.JAVA_LONG, 0, timeoutMillis / 1000L);
            timeval.set(ValueLayout.JAVA_LONG, 8, (timeoutMillis % 1000L) * 1000L);
            check((int)SETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_RCVTIMEO, timeval, 16), state,
                "SO_RCVTIMEO");
            return new RawSocket(fd);
        }
    }

    /** Sends one whole Ethernet frame. */
    public void send(final byte[] frame)
    {
        MemorySegment.copy(frame, 0, io, ValueLayout.JAVA_BYTE, 0, frame.length);
        try
        {
            final long n = (long)SEND.invokeExact(capture, fd, io, (long)frame.length, 0);
            if (n != frame.length)
            {
                throw new IllegalStateException("send: " + n + " of " + frame.length + " bytes, errno " +
                    (int)ERRNO.get(capture, 0L));
            }
        }
        catch (final RuntimeException | Error ex)
        {
            throw ex;
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Receives the next frame arriving on the interface (frames the interface sends are skipped).
     *
     * @return the frame, or null when none came within the receive timeout.
     */
    public byte[] receive()
    {
        try
        {
            while (true)
            {
                fromLength.set(ValueLayout.JAVA_INT, 0, SOCKADDR_LL_LENGTH);
                final long n = (long)RECVFROM.invokeExact(capture, fd, io, io.byteSize(), 0, from, fromLength);
                if (n < 0)
                {
                    final int errno = (int)ERRNO.get(capture, 0L);
                    if (errno == EAGAIN)
                    {
                        return null;
                    }
                    throw new IllegalStateException("recvfrom: errno " + errno);
                }
                if ((from.get(ValueLayout.JAVA_BYTE, 10) & 0xFF) == PACKET_OUTGOING)
                {
                    continue;
                }
                final byte[] frame = new byte[(int)n];
                MemorySegment.copy(io, ValueLayout.JAVA_BYTE, 0, frame, 0, frame.length);
                return frame;
            }
        }
        catch (final RuntimeException | Error ex)
        {
            throw ex;
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public void close()
    {
        try
        {
            final int ignored = (int)CLOSE.invokeExact(capture, fd);
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
        finally
        {
            arena.close();
        }
    }

    private static void check(final int rc, final MemorySegment state, final String what)
    {
        if (rc < 0)
        {
            throw new IllegalStateException(what + " failed: errno " + (int)ERRNO.get(state, 0L));
        }
    }

    private static MethodHandle handle(final String name, final FunctionDescriptor descriptor)
    {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), descriptor,
            Linker.Option.captureCallState("errno"));
    }

    static
    {
        // sockaddr_ll fields are host order except sll_protocol; this helper assumes a little-endian host (x86_64)
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN)
        {
            throw new ExceptionInInitializerError("RawSocket assumes a little-endian host");
        }
    }
}
