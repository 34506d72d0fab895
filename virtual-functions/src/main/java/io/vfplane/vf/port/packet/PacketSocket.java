package io.vfplane.vf.port.packet;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import io.vfplane.vf.port.sys.LibC;

/**
 * An AF_PACKET raw socket bound to one interface, for sending whole Ethernet frames as they are (the kernel adds
 * nothing). Frames go out in batches with {@code sendmmsg(2)}, one system call for up to a batch of frames, where
 * tcpreplay makes one {@code send(2)} per frame.
 *
 * <p>The socket is opened with protocol 0, so the kernel never queues received frames on it: it is a send-only tap
 * into the interface's transmit path. Optional {@code PACKET_QDISC_BYPASS} hands frames straight to the driver,
 * skipping the qdisc (and, with it, {@code tcpdump} on the sending interface, which sees only what passes the qdisc
 * layer).
 *
 * <pre>
 *  struct sockaddr_ll (20 bytes)
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |   sll_family (AF_PACKET=17)   |  sll_protocol (big endian)    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                          sll_ifindex                          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          sll_hatype           |  sll_pkttype  |   sll_halen   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        sll_addr[8]                            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class PacketSocket implements FrameTransmitter
{
    /** {@code socket(AF_PACKET, SOCK_RAW, 0)}, also what {@link TapWriter} opens for interface ioctls. */
    static final int AF_PACKET = 17;
    static final int SOCK_RAW = 3;
    /** {@code setsockopt(SOL_PACKET, PACKET_QDISC_BYPASS)}. */
    static final int SOL_PACKET = 263;
    static final int PACKET_QDISC_BYPASS = 20;

    static final int SOCKADDR_LL_SIZE = 20;
    static final int SLL_FAMILY_OFFSET = 0;
    static final int SLL_PROTOCOL_OFFSET = 2;
    static final int SLL_IFINDEX_OFFSET = 4;

    /** How often one frame is retried after a transient refusal before it counts as failed. */
    static final int MAX_RETRIES = 100_000;

    private final String interfaceName;
    private final int ifIndex;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment errno;
    private int fd;
    private long retriedNoBuffers;
    private long retriedAgain;

    private PacketSocket(final String interfaceName, final int ifIndex, final int fd)
    {
        this.interfaceName = interfaceName;
        this.ifIndex = ifIndex;
        this.fd = fd;
        this.errno = LibC.newErrnoState(arena);
    }

    /**
     * Open a send-only AF_PACKET socket on an interface of the calling thread's network namespace (see
     * {@link NetNamespace#call} to open it in another one).
     *
     * @param interfaceName  the interface, e.g. {@code eth0}.
     * @param qdiscBypass    set {@code PACKET_QDISC_BYPASS}.
     * @param sendBufferSize {@code SO_SNDBUF} in bytes (forced past {@code wmem_max} where allowed), or 0 for the
     *                       default.
     * @return the socket.
     * @throws IllegalStateException naming the interface and the kernel's reason (no such device, permission denied).
     */
    public static PacketSocket open(final String interfaceName, final boolean qdiscBypass, final int sendBufferSize)
    {
        if (interfaceName == null || interfaceName.isEmpty() || interfaceName.length() > 15)
        {
            throw new IllegalStateException("interface " + interfaceName +
                ": not an interface name (1..15 characters)");
        }
        try (Arena setup = Arena.ofConfined())
        {
            final MemorySegment errno = LibC.newErrnoState(setup);
            final int index = LibC.ifNameToIndex(errno, setup.allocateFrom(interfaceName).address());
            if (index == 0)
            {
                throw new IllegalStateException("interface " + interfaceName + ": no such interface" +
                    " (" + LibC.strerror(LibC.errno(errno)) + ")");
            }
            final int fd = LibC.socket(errno, AF_PACKET, SOCK_RAW | LibC.SOCK_CLOEXEC, 0);
            if (fd < 0)
            {
                throw failure(interfaceName, "socket(AF_PACKET, SOCK_RAW)", LibC.errno(errno));
            }
            try
            {
                final MemorySegment address = setup.allocate(SOCKADDR_LL_SIZE, 4);
                address.set(ValueLayout.JAVA_SHORT, SLL_FAMILY_OFFSET, (short)AF_PACKET);
                // protocol 0: bound for sending only, the kernel hooks no receive handler for this socket
                address.set(ValueLayout.JAVA_SHORT, SLL_PROTOCOL_OFFSET, (short)0);
                address.set(ValueLayout.JAVA_INT, SLL_IFINDEX_OFFSET, index);
                if (LibC.bind(errno, fd, address.address(), SOCKADDR_LL_SIZE) < 0)
                {
                    throw failure(interfaceName, "bind", LibC.errno(errno));
                }
                final MemorySegment value = setup.allocate(ValueLayout.JAVA_INT);
                if (qdiscBypass)
                {
                    value.set(ValueLayout.JAVA_INT, 0, 1);
                    if (LibC.setsockopt(errno, fd, SOL_PACKET, PACKET_QDISC_BYPASS, value.address(), 4) < 0)
                    {
                        throw failure(interfaceName, "setsockopt(PACKET_QDISC_BYPASS)", LibC.errno(errno));
                    }
                }
                if (sendBufferSize > 0)
                {
                    value.set(ValueLayout.JAVA_INT, 0, sendBufferSize);
                    if (LibC.setsockopt(errno, fd, LibC.SOL_SOCKET, LibC.SO_SNDBUFFORCE, value.address(), 4) < 0 &&
                        LibC.setsockopt(errno, fd, LibC.SOL_SOCKET, LibC.SO_SNDBUF, value.address(), 4) < 0)
                    {
                        throw failure(interfaceName, "setsockopt(SO_SNDBUF)", LibC.errno(errno));
                    }
                }
                return new PacketSocket(interfaceName, index, fd);
            }
            catch (final RuntimeException ex)
            {
                LibC.close(errno, fd);
                throw ex;
            }
        }
    }

    private static IllegalStateException failure(final String interfaceName, final String call, final int errno)
    {
        return new IllegalStateException("interface " + interfaceName + ": " + call + " failed: " +
            LibC.strerror(errno) + " (errno " + errno + ")");
    }

    /** @return the interface's index in its namespace. */
    public int ifIndex()
    {
        return ifIndex;
    }

    /** @return the interface name. */
    public String interfaceName()
    {
        return interfaceName;
    }

    @Override
    public void transmit(final TxBatch batch)
    {
        final int count = batch.count();
        int done = 0;
        int retries = 0;
        while (done < count)
        {
            final int sent = LibC.sendmmsg(errno, fd, batch.messageAddress(done), count - done, 0);
            if (sent > 0)
            {
                for (int i = done; i < done + sent; i++)
                {
                    batch.result(i, batch.messageLength(i));
                }
                done += sent;
                retries = 0;
                continue;
            }
            // sendmmsg reports an error only for the first frame it tried: frame `done`
            final int e = LibC.errno(errno);
            if ((e == LibC.ENOBUFS || e == LibC.EAGAIN || e == LibC.EINTR) && retries < MAX_RETRIES)
            {
                retries++;
                if (e == LibC.ENOBUFS)
                {
                    retriedNoBuffers++;
                }
                else
                {
                    retriedAgain++;
                }
                Thread.onSpinWait();
                continue;
            }
            batch.result(done, -e);
            done++;
            retries = 0;
        }
    }

    @Override
    public long retriedNoBuffers()
    {
        return retriedNoBuffers;
    }

    @Override
    public long retriedAgain()
    {
        return retriedAgain;
    }

    @Override
    public String describe()
    {
        return "interface " + interfaceName;
    }

    @Override
    public void close()
    {
        if (fd >= 0)
        {
            LibC.close(errno, fd);
            fd = -1;
            arena.close();
        }
    }
}
