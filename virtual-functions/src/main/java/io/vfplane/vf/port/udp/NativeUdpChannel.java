package io.vfplane.vf.port.udp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.vf.port.sys.LibC;

/**
 * The {@code native} underlay transport: one plain UDP socket driven through {@link LibC} (with the numbers and
 * structures of {@link NativeUdp}), without Netty.
 *
 * <h2>Receive: pool slots posted as a NIC posts its RX ring</h2>
 * One thread blocks in {@code recvmmsg(MSG_WAITFORONE)} (a receive timeout of {@value #RECEIVE_TIMEOUT_MS} ms lets it
 * see the stop flag). With UDP GRO each message may be a train of same-flow datagrams of {@code gso_size} bytes each
 * (the last may be shorter), its size in the message's own {@code UDP_GRO} control message: batching and GRO
 * together, which Netty's epoll channel cannot do. The kernel writes straight into packet-pool slots: every message
 * has up to {@value #RX_SLOTS} iovecs (the kernel's UDP GRO segment limit) each over a slot of its own, at the
 * payload offset (the synthetic outer headers go in front of it later), all of one <em>predicted</em> datagram
 * size {@code P}, and one last spill iovec over memory of the channel's own:
 * <pre>
 *   mmsghdr[i] -> iov[0]   -> slot a: | headroom | outer hdrs (room) | P bytes: datagram 0 |
 *                 iov[1]   -> slot b: | headroom | outer hdrs (room) | P bytes: datagram 1 |
 *                 ...
 *                 iov[n-1] -> slot z: | headroom | outer hdrs (room) | P bytes: datagram n-1 |
 *                 iov[n]   -> spill:  | whatever did not fit in the n slots (up to a whole 64 KiB train) |
 *                 control: UDP_GRO = gso_size (a train only)
 * </pre>
 * The kernel fills the iovecs in order, so when a train's {@code gso_size} is {@code P} (or a single datagram is
 * no longer than {@code P}) datagram k lies alone in slot k: the slot is handed on as it is, without a copy, and
 * only the slots handed on are replaced (one bulk allocation); the others stay posted. When the size is not
 * {@code P} the datagrams straddle iovecs: each is gathered into a fresh slot (counted as copied, correct but
 * slower) and {@code P} becomes that {@code gso_size} for the next call (a single datagram longer than {@code P}
 * sets it back to the whole slot, which fits every single datagram). {@code P} starts as the whole slot.
 * Datagrams beyond the posted slots land in the spill and are copied too; so nothing is cut short by a wrong
 * prediction or by a ring the pool could not fill. The ring holds at most a quarter of the pool ({@value
 * #GRO_BATCH} messages of {@value #RX_SLOTS} slots for a pool of 2048 slots or more; fewer messages, then fewer slots
 * per message, for a smaller one; one slot per message without GRO). When the pool runs dry fewer slots are posted
 * (down to none: then everything lands in the spill, to be copied out, or dropped as no buffer while the pool stays
 * empty), and the ring fills up again as slots come back. Every posted slot is returned when the receive thread
 * ends.
 *
 * <h2>Send</h2>
 * The sending thread (one: a pipeline's tx) queues messages, each one or more iovecs over pool memory with its
 * destination and, for a UDP GSO train, a {@code UDP_SEGMENT} control message; {@link #flush()} writes them with
 * {@code sendmmsg} on the sending thread itself (no hand-off to another thread, no wake-up) and then releases their
 * pool slots. The socket blocks when its send buffer is full: the pipeline is held back rather than dropping what
 * TCP would retransmit.
 *
 * <h2>Per-flow outer source ports</h2>
 * RFC 7348 section 5: the outer UDP source port SHOULD be a hash of the inner headers, so that routers spreading
 * traffic over equal-cost paths (ECMP, by the outer 5-tuple) spread the tunnels' flows too. The encap stage writes
 * such a port into the frame, but a socket sends from its own port only; so besides the bound socket (which
 * receives, and sends where per-flow ports are off) the channel opens {@value #FLOW_SOCKETS} send-only sockets on
 * the same address with kernel-chosen ports, and a message goes out on the one its frame's source port hashes to:
 * one inner flow always leaves from one port (never reordered between sockets), different flows from up to
 * {@value #FLOW_SOCKETS} ports (as the kernel's vxlan device and OVS do, over a smaller range). Each socket has a
 * send queue of its own (one {@code sendmmsg} per socket and flush, whatever the interleaving of flows):
 * <pre>
 *   queue q (0 .. K-1: flow sockets, K: the bound socket) -> mmsghdr[q * SEND_BATCH .. q * SEND_BATCH + n)
 *   every queue's messages -> one shared iovec array (in queueing order) and one shared release list
 * </pre>
 * Peers send to the tunnel port, so nothing should arrive on the send sockets; whatever does (a peer answering the
 * source port) is never read, so their receive buffers are set to the kernel's minimum: a few datagrams at most sit
 * there, the rest is dropped by the kernel. When the send sockets cannot be opened every message goes out on the
 * bound socket ({@link #flowSocketsCause()} says why).
 */
final class NativeUdpChannel implements AutoCloseable
{
    /** Takes the received datagrams, each in a pool slot of its own. */
    interface DatagramHandler
    {
        /**
         * One received datagram; the slot passes to the handler, which hands it on or releases it.
         *
         * @param bufferId   the pool slot; the payload starts at the pool's {@code dataOffset(bufferId)} plus the
         *                   payload offset given to the channel.
         * @param length     payload bytes.
         * @param source     sender IPv4 address.
         * @param sourcePort sender UDP port.
         */
        void onDatagram(int bufferId, int length, int source, int sourcePort);

        /**
         * End of one receive call's datagrams.
         *
         * @param copied   datagrams of the call gathered into a fresh slot (they did not lie alone in a posted one).
         * @param noBuffer datagrams dropped for want of a slot.
         * @param tooBig   datagrams dropped as longer than a slot's payload room.
         */
        void onBatchEnd(int copied, int noBuffer, int tooBig);
    }

    static final int RECEIVE_TIMEOUT_MS = 100;
    /** Spill buffer of a GRO message: the largest train the kernel builds (64 KiB of IP packet). */
    static final int GRO_TRAIN = 65_536;
    /** GRO trains per recvmmsg at most. */
    static final int GRO_BATCH = 8;
    /** Slots posted per GRO message at most: the kernel coalesces at most 64 datagrams (UDP_GRO_CNT_MAX). */
    static final int RX_SLOTS = 64;
    /** The receive ring holds at most this share of the pool (1/4): the rest is for the packets in flight. */
    static final int RX_POOL_SHARE = 4;
    /** Messages per sendmmsg; a full queue is flushed at once. */
    static final int SEND_BATCH = 64;
    /** iovecs of one queued message at most (a gathered tunnel TSO train: a header and a payload per segment). */
    static final int MAX_IOVECS = 160;
    /** Slots released per flush at most. */
    static final int MAX_RELEASES = 1024;
    /** Datagrams in one UDP GSO send at most (UDP_MAX_SEGMENTS before Linux 6.9). */
    static final int GSO_MAX_SEGMENTS = 64;
    /** UDP payload of one send at most (IPv4). */
    static final int MAX_UDP_PAYLOAD = 65_507;
    /** Send-only sockets for per-flow source ports (a power of two: the queue is the top bits of a hash). */
    static final int FLOW_SOCKETS = 16;
    private static final int FLOW_SOCKET_BITS = Integer.numberOfTrailingZeros(FLOW_SOCKETS);
    /** Asked as the send sockets' SO_RCVBUF: the kernel raises it to its minimum (SOCK_MIN_RCVBUF, a few KiB). */
    private static final int FLOW_SOCKET_RCVBUF = 1;

    private final Arena arena = Arena.ofShared();
    private final int fd;
    private final boolean gro;
    private final boolean gso;
    private final int localPort;
    private final int socketBuffer;

    // receive (receive thread only, but for the sizes)
    private final PacketPool pool;
    private final int payloadOffset;
    /** Payload room of a slot: the largest datagram a slot takes. */
    private final int slotCapacity;
    private final int rxMessages;
    /** Slots posted per message at most. */
    private final int rxSlots;
    private final int spillSize;
    private final MemorySegment rxVector;
    private final MemorySegment rxIovecs;
    private final MemorySegment rxSpill;
    private final MemorySegment rxNames;
    private final MemorySegment rxControl;
    private final MemorySegment rxErrno;
    /** Posted slots: message i's are {@code rxIds[i * rxSlots, i * rxSlots + rxPosted[i])}, in iovec order. */
    private final int[] rxIds;
    private final int[] rxPosted;
    /** Whether message i's iovecs must be written again before the next call (slots or prediction changed). */
    private final boolean[] rxStale;
    /** The predicted datagram size: the length of every slot iovec. */
    private int rxPrediction;
    /** The message whose slots are being handed on (-1: none), and how many of them went so far. */
    private int handingMessage = -1;
    private int handedOn;
    private int batchCopied;
    private int batchNoBuffer;
    private int batchTooBig;
    private Thread rxThread;
    private volatile boolean running;
    private long rxTruncated;
    private long rxErrors;
    // the port's counters for the rare receive failures, added to as they happen (null until countFailuresIn)
    private AtomicCounter rxErrorCounter;
    private AtomicCounter rxTruncatedCounter;
    private long rxCalls;

    // send (sending thread only)
    /** Send queues: 0 .. flowSockets-1 the flow sockets, then the bound socket (the only one without flow sockets). */
    private final int queues;
    /** The flow sockets opened (0: per-flow ports off, or the sockets could not be opened). */
    private final int flowSockets;
    private final String flowSocketsCause;
    /** Each queue's socket. */
    private final int[] txFds;
    /** Each queue's socket's local port. */
    private final int[] txPorts;
    /** Messages queued per queue; the queues holding any, in the order they got their first. */
    private final int[] txQueued;
    private final int[] txActive;
    private int txActiveCount;
    /** The queue of the message begun last. */
    private int txQueue;
    private final MemorySegment txErrno;
    private final MemorySegment txVector;
    private final MemorySegment txNames;
    private final MemorySegment txIovecs;
    private final MemorySegment txControl;
    private final long txVectorAddress;
    private final long txNamesAddress;
    private final long txIovecsAddress;
    private final long txControlAddress;
    /** Slots to release once the queued messages are sent (a message may carry many: a train of small ones). */
    private final PacketPool[] txPools = new PacketPool[MAX_RELEASES];
    private final int[] txBufferIds = new int[MAX_RELEASES];
    private int txReleases;
    private int txCount;
    private int txIovecCount;
    // the last queued message, while more datagrams of its size to the same destination may join it as a train
    private boolean trainOpen;
    private int trainDestination;
    private int trainPort;
    private int trainQueue;
    private int trainSize;
    private int trainCount;
    private int trainBytes;
    private long txJoined;
    private long txErrors;
    private long txCalls;
    private long txMessages;

    /**
     * Opens and binds the socket.
     *
     * @param bind          IPv4 address and port (0: any).
     * @param gro           ask for UDP GRO.
     * @param gso           use UDP GSO where the kernel has it (trains of equal-sized datagrams in one send); off,
     *                      every datagram is a message of its own.
     * @param recvBatch     messages per recvmmsg without GRO.
     * @param maxDatagram   spill room per message without GRO (beyond a slot).
     * @param socketBuffer  SO_RCVBUF / SO_SNDBUF (forced when privileged).
     * @param pool          the pool received datagrams are written into.
     * @param payloadOffset where a received payload starts behind a slot's data offset (room for outer headers).
     * @param perFlowPorts  send from {@value #FLOW_SOCKETS} sockets chosen by the frame's outer source port (the
     *                      bound socket only when they cannot be opened).
     * @throws IllegalStateException naming the call that failed (the bound socket's).
     */
    NativeUdpChannel(
        final InetSocketAddress bind, final boolean gro, final boolean gso, final int recvBatch,
        final int maxDatagram, final int socketBuffer, final PacketPool pool, final int payloadOffset,
        final boolean perFlowPorts)
    {
        if (pool.dataCapacity() <= payloadOffset)
        {
            throw new IllegalArgumentException("underlay: pool slots hold no payload behind " + payloadOffset);
        }
        this.socketBuffer = socketBuffer;
        this.pool = pool;
        this.payloadOffset = payloadOffset;
        this.slotCapacity = pool.dataCapacity() - payloadOffset;
        final MemorySegment errno = LibC.newErrnoState(arena);
        fd = LibC.socket(errno, NativeUdp.AF_INET, NativeUdp.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            arena.close();
            throw new IllegalStateException("socket: " + LibC.strerror(LibC.errno(errno)));
        }
        try
        {
            final MemorySegment value = arena.allocate(16, 8);
            setBuffer(errno, value, LibC.SO_RCVBUFFORCE, LibC.SO_RCVBUF);
            setBuffer(errno, value, LibC.SO_SNDBUFFORCE, LibC.SO_SNDBUF);
            // struct timeval { long sec; long usec; }
            value.set(ValueLayout.JAVA_LONG, 0, 0);
            value.set(ValueLayout.JAVA_LONG, 8, RECEIVE_TIMEOUT_MS * 1000L);
            check(errno, LibC.setsockopt(errno, fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO,
                value.address(), 16), "setsockopt SO_RCVTIMEO");
            // UDP_SEGMENT with 0 is accepted by every kernel that has UDP GSO (4.18) and changes nothing
            value.set(ValueLayout.JAVA_INT, 0, 0);
            this.gso = gso &&
                LibC.setsockopt(errno, fd, NativeUdp.SOL_UDP, NativeUdp.UDP_SEGMENT, value.address(), 4) == 0;
            boolean groOn = false;
            if (gro)
            {
                value.set(ValueLayout.JAVA_INT, 0, 1);
                groOn = LibC.setsockopt(errno, fd, NativeUdp.SOL_UDP, NativeUdp.UDP_GRO, value.address(), 4) == 0;
            }
            this.gro = groOn;
            final MemorySegment address = arena.allocate(NativeUdp.SOCKADDR_IN_SIZE, 8);
            putSockaddr(address, 0, ipv4(bind.getAddress()), bind.getPort());
            check(errno, LibC.bind(errno, fd, address.address(), NativeUdp.SOCKADDR_IN_SIZE),
                "bind " + bind.getAddress().getHostAddress() + ":" + bind.getPort());
            value.set(ValueLayout.JAVA_INT, 0, NativeUdp.SOCKADDR_IN_SIZE);
            check(errno, LibC.getsockname(errno, fd, address.address(), value.address()), "getsockname");
            localPort = Short.toUnsignedInt(Short.reverseBytes(address.get(ValueLayout.JAVA_SHORT,
                NativeUdp.SIN_PORT_OFFSET)));
        }
        catch (final RuntimeException ex)
        {
            LibC.close(errno, fd);
            arena.close();
            throw ex;
        }

        // the ring takes at most a share of the pool: with GRO whole messages of RX_SLOTS slots while the share
        // allows (fewer messages, then fewer slots, for a small pool); without GRO one slot per message
        final int ring = Math.max(1, pool.slotCount() / RX_POOL_SHARE);
        if (this.gro)
        {
            rxMessages = Math.max(1, Math.min(GRO_BATCH, ring / RX_SLOTS));
            rxSlots = Math.max(1, Math.min(RX_SLOTS, ring / rxMessages));
            spillSize = GRO_TRAIN;
        }
        else
        {
            rxMessages = Math.min(recvBatch, ring);
            rxSlots = 1;
            spillSize = maxDatagram;
        }
        rxPrediction = slotCapacity;
        rxIds = new int[rxMessages * rxSlots];
        rxPosted = new int[rxMessages];
        rxStale = new boolean[rxMessages];
        Arrays.fill(rxStale, true);
        rxErrno = LibC.newErrnoState(arena);
        rxVector = arena.allocate((long)rxMessages * NativeUdp.MMSGHDR_SIZE, 64);
        rxIovecs = arena.allocate((long)rxMessages * (rxSlots + 1) * LibC.IOVEC_SIZE, 64);
        rxSpill = arena.allocate((long)rxMessages * spillSize, 64);
        rxNames = arena.allocate((long)rxMessages * NativeUdp.SOCKADDR_IN_SIZE, 8);
        rxControl = arena.allocate((long)rxMessages * NativeUdp.CMSG_SPACE_INT * 2, 8);
        for (int i = 0; i < rxMessages; i++)
        {
            final long m = (long)i * NativeUdp.MMSGHDR_SIZE;
            rxVector.set(ValueLayout.JAVA_LONG, m + NativeUdp.MSGHDR_NAME_OFFSET,
                rxNames.address() + (long)i * NativeUdp.SOCKADDR_IN_SIZE);
            rxVector.set(ValueLayout.JAVA_LONG, m + NativeUdp.MSGHDR_IOV_OFFSET,
                rxIovecs.address() + (long)i * (rxSlots + 1) * LibC.IOVEC_SIZE);
            rxVector.set(ValueLayout.JAVA_LONG, m + NativeUdp.MSGHDR_CONTROL_OFFSET,
                rxControl.address() + (long)i * NativeUdp.CMSG_SPACE_INT * 2);
        }

        txErrno = LibC.newErrnoState(arena);
        final int[] flowFds = new int[FLOW_SOCKETS];
        final int[] flowPorts = new int[FLOW_SOCKETS];
        String cause = "off (configured)";
        int opened = 0;
        if (perFlowPorts)
        {
            cause = openFlowSockets(bind, flowFds, flowPorts);
            opened = cause == null ? FLOW_SOCKETS : 0;
        }
        flowSockets = opened;
        flowSocketsCause = cause;
        queues = flowSockets + 1;
        txFds = Arrays.copyOf(flowFds, queues);
        txPorts = Arrays.copyOf(flowPorts, queues);
        txFds[flowSockets] = fd;
        txPorts[flowSockets] = localPort;
        txQueued = new int[queues];
        txActive = new int[queues];
        txVector = arena.allocate((long)queues * SEND_BATCH * NativeUdp.MMSGHDR_SIZE, 64);
        txNames = arena.allocate((long)queues * SEND_BATCH * NativeUdp.SOCKADDR_IN_SIZE, 8);
        txIovecs = arena.allocate((long)SEND_BATCH * MAX_IOVECS * LibC.IOVEC_SIZE, 64);
        txControl = arena.allocate((long)queues * SEND_BATCH * NativeUdp.CMSG_SPACE_INT, 8);
        txVectorAddress = txVector.address();
        txNamesAddress = txNames.address();
        txIovecsAddress = txIovecs.address();
        txControlAddress = txControl.address();
    }

    private void setBuffer(final MemorySegment errno, final MemorySegment value, final int force, final int plain)
    {
        setBuffer(errno, value, fd, socketBuffer, force, plain);
    }

    private static void setBuffer(final MemorySegment errno, final MemorySegment value, final int socket,
        final int size, final int force, final int plain)
    {
        value.set(ValueLayout.JAVA_INT, 0, size);
        if (LibC.setsockopt(errno, socket, LibC.SOL_SOCKET, force, value.address(), 4) != 0)
        {
            // unprivileged: the plain option, capped by net.core.[rw]mem_max
            LibC.setsockopt(errno, socket, LibC.SOL_SOCKET, plain, value.address(), 4);
        }
    }

    /**
     * Opens the send-only flow sockets on the bound address with kernel-chosen ports: the bound socket's send
     * buffer, the least receive buffer (nothing is read from them), UDP GSO when the bound socket has it. All or
     * none: on a failure the ones opened are closed again.
     *
     * @return null when all opened, else what failed.
     */
    private String openFlowSockets(final InetSocketAddress bind, final int[] fds, final int[] ports)
    {
        final MemorySegment errno = LibC.newErrnoState(arena);
        final MemorySegment value = arena.allocate(8, 8);
        final MemorySegment address = arena.allocate(NativeUdp.SOCKADDR_IN_SIZE, 8);
        final int local = ipv4(bind.getAddress());
        int opened = 0;
        String failure = null;
        while (opened < FLOW_SOCKETS && failure == null)
        {
            final int s = LibC.socket(errno, NativeUdp.AF_INET, NativeUdp.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
            if (s < 0)
            {
                failure = "socket: " + LibC.strerror(LibC.errno(errno));
                break;
            }
            fds[opened++] = s;
            setBuffer(errno, value, s, socketBuffer, LibC.SO_SNDBUFFORCE, LibC.SO_SNDBUF);
            setBuffer(errno, value, s, FLOW_SOCKET_RCVBUF, LibC.SO_RCVBUFFORCE, LibC.SO_RCVBUF);
            value.set(ValueLayout.JAVA_INT, 0, 0);
            if (gso && LibC.setsockopt(errno, s, NativeUdp.SOL_UDP, NativeUdp.UDP_SEGMENT, value.address(), 4) != 0)
            {
                failure = "setsockopt UDP_SEGMENT: " + LibC.strerror(LibC.errno(errno));
                break;
            }
            putSockaddr(address, 0, local, 0);
            if (LibC.bind(errno, s, address.address(), NativeUdp.SOCKADDR_IN_SIZE) != 0)
            {
                failure = "bind " + bind.getAddress().getHostAddress() + ":0: " + LibC.strerror(LibC.errno(errno));
                break;
            }
            value.set(ValueLayout.JAVA_INT, 0, NativeUdp.SOCKADDR_IN_SIZE);
            if (LibC.getsockname(errno, s, address.address(), value.address()) != 0)
            {
                failure = "getsockname: " + LibC.strerror(LibC.errno(errno));
                break;
            }
            ports[opened - 1] = Short.toUnsignedInt(Short.reverseBytes(address.get(ValueLayout.JAVA_SHORT,
                NativeUdp.SIN_PORT_OFFSET)));
        }
        if (failure != null)
        {
            for (int i = 0; i < opened; i++)
            {
                LibC.close(errno, fds[i]);
            }
        }
        return failure;
    }

    private void check(final MemorySegment errno, final int result, final String what)
    {
        if (result < 0)
        {
            throw new IllegalStateException(what + ": " + LibC.strerror(LibC.errno(errno)));
        }
    }

    static int ipv4(final InetAddress address)
    {
        final byte[] b = address.getAddress();
        return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
    }

    private static void putSockaddr(final MemorySegment s, final long at, final int address, final int port)
    {
        s.set(ValueLayout.JAVA_LONG, at + 8, 0L);
        s.set(ValueLayout.JAVA_SHORT, at, (short)NativeUdp.AF_INET);
        s.set(ValueLayout.JAVA_SHORT, at + NativeUdp.SIN_PORT_OFFSET, Short.reverseBytes((short)port));
        s.set(ValueLayout.JAVA_INT, at + NativeUdp.SIN_ADDR_OFFSET, Integer.reverseBytes(address));
    }

    int localPort()
    {
        return localPort;
    }

    /** Flow sockets in use (0: every message leaves from the bound socket). */
    int flowSockets()
    {
        return flowSockets;
    }

    /** Why there are no flow sockets (null when there are). */
    String flowSocketsCause()
    {
        return flowSocketsCause;
    }

    /**
     * The send queue (and socket) of a message whose frame carries outer source port {@code sourcePort}: one of the
     * flow sockets by a hash of the port (so ports that differ in any bits spread, whatever range the encap drew
     * them from), or the bound socket without flow sockets or for a negative port (none known).
     */
    int queueFor(final int sourcePort)
    {
        if (flowSockets == 0 || sourcePort < 0)
        {
            return flowSockets;
        }
        return (sourcePort * 0x9E3779B1) >>> (Integer.SIZE - FLOW_SOCKET_BITS);
    }

    /** The local port a queue's messages leave from. */
    int queuePort(final int queue)
    {
        return txPorts[queue];
    }

    boolean groOn()
    {
        return gro;
    }

    boolean gsoOn()
    {
        return gso;
    }

    int receiveMessages()
    {
        return rxMessages;
    }

    long receiveCalls()
    {
        return rxCalls;
    }

    long sendCalls()
    {
        return txCalls;
    }

    long sendMessages()
    {
        return txMessages;
    }

    long sendErrors()
    {
        return txErrors;
    }

    long receiveErrors()
    {
        return rxErrors;
    }

    long receiveTruncated()
    {
        return rxTruncated;
    }

    /** Slots posted per receive message at most. */
    int receiveSlots()
    {
        return rxSlots;
    }

    /** Starts the receive thread. */
    /**
     * Where receive errors (a failed {@code recvmmsg}) and truncated messages are counted as they happen (failed
     * sends are {@link #flush()}'s result); call before {@link #startReceiving}.
     */
    void countFailuresIn(final AtomicCounter rxErrors, final AtomicCounter rxTruncated)
    {
        this.rxErrorCounter = rxErrors;
        this.rxTruncatedCounter = rxTruncated;
    }

    private static void add(final AtomicCounter counter, final long n)
    {
        if (counter != null)
        {
            counter.getAndAdd(n);
        }
    }

    synchronized void startReceiving(final String name, final DatagramHandler handler)
    {
        if (rxThread != null)
        {
            return;
        }
        running = true;
        rxThread = new Thread(() -> receiveLoop(handler), "udp-rx-" + name);
        rxThread.setDaemon(true);
        rxThread.start();
    }

    private void receiveLoop(final DatagramHandler handler)
    {
        try
        {
            receive(handler);
        }
        finally
        {
            // the ring's slots are this thread's: they go back however it ends (but those already handed on, when a
            // handler threw while a message was being handed on)
            for (int i = 0; i < rxMessages; i++)
            {
                final int from = i == handingMessage ? handedOn : 0;
                if (rxPosted[i] > from)
                {
                    pool.release(rxIds, i * rxSlots + from, rxPosted[i] - from);
                }
                rxPosted[i] = 0;
            }
            handingMessage = -1;
            handedOn = 0;
        }
    }

    private void receive(final DatagramHandler handler)
    {
        final long vector = rxVector.address();
        final UnsafeBuffer raw = new UnsafeBuffer(vector, rxMessages * NativeUdp.MMSGHDR_SIZE);
        final UnsafeBuffer name = new UnsafeBuffer(rxNames.address(), rxMessages * NativeUdp.SOCKADDR_IN_SIZE);
        final UnsafeBuffer cmsg = new UnsafeBuffer(rxControl.address(), rxMessages * NativeUdp.CMSG_SPACE_INT * 2);
        final UnsafeBuffer iovecs = new UnsafeBuffer(rxIovecs.address(),
            rxMessages * (rxSlots + 1) * LibC.IOVEC_SIZE);
        final UnsafeBuffer spill = new UnsafeBuffer(rxSpill.address(), rxMessages * spillSize);
        final int controlSpace = NativeUdp.CMSG_SPACE_INT * 2;
        while (running)
        {
            for (int i = 0; i < rxMessages; i++)
            {
                post(i, raw, iovecs);
                final int m = i * NativeUdp.MMSGHDR_SIZE;
                // the kernel writes back the lengths it used: give every message its full room again
                raw.putInt(m + NativeUdp.MSGHDR_NAMELEN_OFFSET, NativeUdp.SOCKADDR_IN_SIZE);
                raw.putLong(m + NativeUdp.MSGHDR_CONTROLLEN_OFFSET, gro ? controlSpace : 0);
                raw.putInt(m + NativeUdp.MSGHDR_FLAGS_OFFSET, 0);
            }
            final int n = LibC.recvmmsg(rxErrno, fd, vector, rxMessages, NativeUdp.MSG_WAITFORONE, 0L);
            if (n <= 0)
            {
                final int e = LibC.errno(rxErrno);
                if (n < 0 && e != LibC.EAGAIN && e != LibC.EINTR)
                {
                    rxErrors++;
                    add(rxErrorCounter, 1);
                }
                continue;
            }
            rxCalls++;
            final int predicted = rxPrediction;
            int nextPrediction = predicted;
            for (int i = 0; i < n; i++)
            {
                final int m = i * NativeUdp.MMSGHDR_SIZE;
                final int length = raw.getInt(m + NativeUdp.MMSGHDR_LEN_OFFSET);
                if ((raw.getInt(m + NativeUdp.MSGHDR_FLAGS_OFFSET) & NativeUdp.MSG_TRUNC) != 0)
                {
                    rxTruncated++; // longer than the slots and the spill together: its posted slots stay posted
                    add(rxTruncatedCounter, 1);
                    continue;
                }
                final int s = i * NativeUdp.SOCKADDR_IN_SIZE;
                final int source = name.getInt(s + NativeUdp.SIN_ADDR_OFFSET, ByteOrder.BIG_ENDIAN);
                final int sourcePort = name.getShort(s + NativeUdp.SIN_PORT_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
                int segment = length;
                boolean train = false;
                if (gro)
                {
                    final int c = i * controlSpace;
                    final long controlLength = raw.getLong(m + NativeUdp.MSGHDR_CONTROLLEN_OFFSET);
                    if (controlLength >= NativeUdp.CMSG_DATA_OFFSET + 2 &&
                        cmsg.getInt(c + NativeUdp.CMSG_LEVEL_OFFSET) == NativeUdp.SOL_UDP &&
                        cmsg.getInt(c + NativeUdp.CMSG_TYPE_OFFSET) == NativeUdp.UDP_GRO)
                    {
                        // the kernel writes gso_size as an int (udp_cmsg_recv)
                        final int size = cmsg.getInt(c + NativeUdp.CMSG_DATA_OFFSET);
                        if (size > 0)
                        {
                            segment = size;
                            train = true;
                        }
                    }
                }
                if (length == 0)
                {
                    continue;
                }
                if (segment > length)
                {
                    segment = length; // a train of one: a single datagram
                }
                if (segment > slotCapacity)
                {
                    batchTooBig += (length + segment - 1) / segment;
                    continue;
                }
                final int slots = i * rxSlots;
                final int posted = rxPosted[i];
                if (segment == predicted || (segment == length && length <= predicted))
                {
                    // datagram k lies alone at the start of iovec k: slot k goes on as it is
                    int at = 0;
                    int k = 0;
                    handingMessage = i;
                    while (at < length)
                    {
                        final int len = Math.min(segment, length - at);
                        if (k < posted)
                        {
                            handedOn = k + 1; // the slot is the handler's from here on, even if it throws
                            handler.onDatagram(rxIds[slots + k], len, source, sourcePort);
                        }
                        else
                        {
                            copy(handler, spill, i, posted, predicted, at, len, source, sourcePort);
                        }
                        at += len;
                        k++;
                    }
                    final int consumed = Math.min(k, posted);
                    if (consumed != 0)
                    {
                        // the slots left posted move to the front; the ones handed on are replaced before the next
                        // call
                        System.arraycopy(rxIds, slots + consumed, rxIds, slots, posted - consumed);
                        rxPosted[i] = posted - consumed;
                        rxStale[i] = true;
                    }
                    handingMessage = -1;
                    handedOn = 0;
                }
                else
                {
                    // the datagrams straddle iovecs: gathered into fresh slots, the posted ones stay posted
                    int at = 0;
                    while (at < length)
                    {
                        final int len = Math.min(segment, length - at);
                        copy(handler, spill, i, posted, predicted, at, len, source, sourcePort);
                        at += len;
                    }
                }
                if (train)
                {
                    nextPrediction = segment;
                }
                else if (length > predicted)
                {
                    nextPrediction = slotCapacity; // a whole slot fits every single datagram
                }
            }
            if (nextPrediction != predicted)
            {
                rxPrediction = nextPrediction;
                Arrays.fill(rxStale, true);
            }
            handler.onBatchEnd(batchCopied, batchNoBuffer, batchTooBig);
            batchCopied = 0;
            batchNoBuffer = 0;
            batchTooBig = 0;
        }
    }

    /**
     * Fills message i's ring up again (bulk, as far as the pool allows; none asked while the pool looks empty, so a
     * dry pool is not asked again on every call) and writes its iovecs when they changed.
     */
    private void post(final int i, final UnsafeBuffer raw, final UnsafeBuffer iovecs)
    {
        final int slots = i * rxSlots;
        int posted = rxPosted[i];
        if (posted < rxSlots)
        {
            final int free = pool.free();
            if (free > 0)
            {
                final int added = pool.allocate(rxIds, slots + posted, Math.min(rxSlots - posted, free));
                if (added != 0)
                {
                    posted += added;
                    rxPosted[i] = posted;
                    rxStale[i] = true;
                }
            }
        }
        if (!rxStale[i])
        {
            return;
        }
        rxStale[i] = false;
        final long base = pool.buffer().addressOffset() + payloadOffset;
        final int size = rxPrediction;
        int v = i * (rxSlots + 1) * LibC.IOVEC_SIZE;
        for (int j = 0; j < posted; j++)
        {
            iovecs.putLong(v, base + pool.dataOffset(rxIds[slots + j]));
            iovecs.putLong(v + LibC.IOVEC_LEN_OFFSET, size);
            v += LibC.IOVEC_SIZE;
        }
        iovecs.putLong(v, rxSpill.address() + (long)i * spillSize);
        iovecs.putLong(v + LibC.IOVEC_LEN_OFFSET, spillSize);
        raw.putLong(i * NativeUdp.MMSGHDR_SIZE + NativeUdp.MSGHDR_IOVLEN_OFFSET, posted + 1);
    }

    /**
     * Gathers the datagram at byte {@code at} of message i (over its {@code posted} slot iovecs of {@code size} bytes
     * each, then the spill) into a fresh slot and hands that on.
     */
    private void copy(
        final DatagramHandler handler, final UnsafeBuffer spill, final int i, final int posted, final int size,
        final int at, final int length, final int source, final int sourcePort)
    {
        final int id = pool.allocate();
        if (id == PacketPool.NO_BUFFER)
        {
            batchNoBuffer++;
            return;
        }
        final UnsafeBuffer buffer = pool.buffer();
        final int slots = i * rxSlots;
        final int inSlots = posted * size;
        int to = pool.dataOffset(id) + payloadOffset;
        int from = at;
        int left = length;
        while (left > 0)
        {
            final int chunk;
            if (from < inSlots)
            {
                final int j = from / size;
                final int within = from - j * size;
                chunk = Math.min(left, size - within);
                buffer.putBytes(to, buffer, pool.dataOffset(rxIds[slots + j]) + payloadOffset + within, chunk);
            }
            else
            {
                chunk = left;
                buffer.putBytes(to, spill, i * spillSize + from - inSlots, chunk);
            }
            to += chunk;
            from += chunk;
            left -= chunk;
        }
        batchCopied++;
        handler.onDatagram(id, length, source, sourcePort);
    }

    /** Stops the receive thread (within the receive timeout). */
    void stopReceiving()
    {
        running = false;
        final Thread t;
        synchronized (this)
        {
            t = rxThread;
        }
        if (t != null && t != Thread.currentThread())
        {
            try
            {
                t.join();
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Room for one more message of {@code iovecs} pieces on queue {@code queue} without a flush first. */
    boolean hasRoom(final int queue, final int iovecs)
    {
        return txQueued[queue] < SEND_BATCH && txIovecCount + iovecs <= SEND_BATCH * MAX_IOVECS &&
            txReleases < MAX_RELEASES;
    }

    /**
     * Queues one datagram on queue {@code queue} ({@link #queueFor}). When the message queued last is a datagram (or
     * a train of them) of this size to the same destination on the same queue, this one joins it as one more segment
     * of a UDP GSO train: a burst of equal-sized datagrams (small ones above all: 64-byte frames, TCP ACKs) costs the
     * kernel one pass through UDP, IP and the device instead of one per datagram, and a receiver with UDP GRO takes
     * the train whole. The kernel cuts at the first datagram's size, so a shorter datagram may only end a train, and
     * a longer one starts a new message.
     *
     * @param pool     the slot's pool, released after the send (null: nothing to release).
     * @param bufferId the slot.
     */
    void datagram(final int queue, final int destination, final int port, final long address, final int length,
        final PacketPool pool, final int bufferId)
    {
        if (trainOpen && gso && queue == trainQueue && destination == trainDestination && port == trainPort &&
            length <= trainSize && trainCount < GSO_MAX_SEGMENTS && trainBytes + length <= MAX_UDP_PAYLOAD &&
            txIovecCount < SEND_BATCH * MAX_IOVECS && txReleases < MAX_RELEASES)
        {
            // the train is the message begun last, so its iovecs end where the next one goes
            final int slot = queue * SEND_BATCH + txQueued[queue] - 1;
            final long mo = (long)slot * NativeUdp.MMSGHDR_SIZE;
            if (trainCount == 1)
            {
                putSegmentControl(slot, trainSize);
            }
            final long at = (long)txIovecCount * LibC.IOVEC_SIZE;
            txIovecs.set(ValueLayout.JAVA_LONG, at, address);
            txIovecs.set(ValueLayout.JAVA_LONG, at + LibC.IOVEC_LEN_OFFSET, length);
            txIovecCount++;
            txVector.set(ValueLayout.JAVA_LONG, mo + NativeUdp.MSGHDR_IOVLEN_OFFSET,
                txVector.get(ValueLayout.JAVA_LONG, mo + NativeUdp.MSGHDR_IOVLEN_OFFSET) + 1);
            addRelease(pool, bufferId);
            trainCount++;
            trainBytes += length;
            trainOpen = length == trainSize;
            txJoined++;
            return;
        }
        begin(queue, destination, port, 0, 1, pool, bufferId);
        piece(address, length);
        end();
        trainOpen = true;
        trainQueue = queue;
        trainDestination = destination;
        trainPort = port;
        trainSize = length;
        trainCount = 1;
        trainBytes = length;
    }

    /** Datagrams sent as segments of a train another datagram started ({@link #datagram}). */
    long joined()
    {
        return txJoined;
    }

    private void addRelease(final PacketPool pool, final int bufferId)
    {
        if (pool != null)
        {
            txPools[txReleases] = pool;
            txBufferIds[txReleases++] = bufferId;
        }
    }

    /** Writes the UDP_SEGMENT control message of the message in {@code slot} (queue * SEND_BATCH + index). */
    private void putSegmentControl(final int slot, final int gsoSize)
    {
        final long c = (long)slot * NativeUdp.CMSG_SPACE_INT;
        final long mo = (long)slot * NativeUdp.MMSGHDR_SIZE;
        txControl.set(ValueLayout.JAVA_LONG, c + NativeUdp.CMSG_LEN_OFFSET, NativeUdp.CMSG_DATA_OFFSET + 2);
        txControl.set(ValueLayout.JAVA_INT, c + NativeUdp.CMSG_LEVEL_OFFSET, NativeUdp.SOL_UDP);
        txControl.set(ValueLayout.JAVA_INT, c + NativeUdp.CMSG_TYPE_OFFSET, NativeUdp.UDP_SEGMENT);
        txControl.set(ValueLayout.JAVA_LONG, c + NativeUdp.CMSG_DATA_OFFSET, 0L);
        txControl.set(ValueLayout.JAVA_SHORT, c + NativeUdp.CMSG_DATA_OFFSET, (short)gsoSize);
        txVector.set(ValueLayout.JAVA_LONG, mo + NativeUdp.MSGHDR_CONTROL_OFFSET, txControlAddress + c);
        txVector.set(ValueLayout.JAVA_LONG, mo + NativeUdp.MSGHDR_CONTROLLEN_OFFSET, NativeUdp.CMSG_SPACE_INT);
    }

    /**
     * Starts a message to {@code destination:port} on queue {@code queue} ({@link #queueFor}); its pieces follow
     * with {@link #piece}, then {@link #end}. Flushes first when the queue has no room for {@code iovecs} more
     * pieces.
     *
     * @param gsoSize  segment size of a UDP GSO train, 0 for one datagram.
     * @param pool     the slot's pool, released after the send (null: nothing to release).
     * @param bufferId the slot.
     */
    void begin(final int queue, final int destination, final int port, final int gsoSize, final int iovecs,
        final PacketPool pool, final int bufferId)
    {
        if (!hasRoom(queue, iovecs))
        {
            flush();
        }
        final int n = txQueued[queue];
        if (n == 0)
        {
            txActive[txActiveCount++] = queue;
        }
        final int slot = queue * SEND_BATCH + n;
        txQueue = queue;
        final MemorySegment v = txVector;
        final long mo = (long)slot * NativeUdp.MMSGHDR_SIZE;
        final long nameAt = (long)slot * NativeUdp.SOCKADDR_IN_SIZE;
        putSockaddr(txNames, nameAt, destination, port);
        v.set(ValueLayout.JAVA_LONG, mo + NativeUdp.MSGHDR_NAME_OFFSET, txNamesAddress + nameAt);
        v.set(ValueLayout.JAVA_INT, mo + NativeUdp.MSGHDR_NAMELEN_OFFSET, NativeUdp.SOCKADDR_IN_SIZE);
        v.set(ValueLayout.JAVA_LONG, mo + NativeUdp.MSGHDR_IOV_OFFSET,
            txIovecsAddress + (long)txIovecCount * LibC.IOVEC_SIZE);
        v.set(ValueLayout.JAVA_LONG, mo + NativeUdp.MSGHDR_IOVLEN_OFFSET, 0L);
        trainOpen = false;
        if (gsoSize > 0)
        {
            putSegmentControl(slot, gsoSize);
        }
        else
        {
            v.set(ValueLayout.JAVA_LONG, mo + NativeUdp.MSGHDR_CONTROL_OFFSET, 0L);
            v.set(ValueLayout.JAVA_LONG, mo + NativeUdp.MSGHDR_CONTROLLEN_OFFSET, 0L);
        }
        v.set(ValueLayout.JAVA_INT, mo + NativeUdp.MSGHDR_FLAGS_OFFSET, 0);
        addRelease(pool, bufferId);
    }

    /** One more piece of the message begun last. */
    void piece(final long address, final int length)
    {
        final long at = (long)txIovecCount * LibC.IOVEC_SIZE;
        txIovecs.set(ValueLayout.JAVA_LONG, at, address);
        txIovecs.set(ValueLayout.JAVA_LONG, at + LibC.IOVEC_LEN_OFFSET, length);
        txIovecCount++;
        final long mo = (long)(txQueue * SEND_BATCH + txQueued[txQueue]) * NativeUdp.MMSGHDR_SIZE +
            NativeUdp.MSGHDR_IOVLEN_OFFSET;
        txVector.set(ValueLayout.JAVA_LONG, mo, txVector.get(ValueLayout.JAVA_LONG, mo) + 1);
    }

    /** Closes the message begun last. */
    void end()
    {
        txQueued[txQueue]++;
        txCount++;
    }

    /** Messages queued and not yet sent. */
    int queued()
    {
        return txCount;
    }

    /**
     * Sends every queued message, queue by queue (sendmmsg on the queue's socket, repeated until all went or one
     * fails: a failed message is counted and skipped), and only then releases their slots, so a slot outlives every
     * message over it whichever queues they went on.
     *
     * @return messages that failed.
     */
    int flush()
    {
        final int count = txCount;
        if (count == 0)
        {
            return 0;
        }
        int failed = 0;
        for (int a = 0; a < txActiveCount; a++)
        {
            final int queue = txActive[a];
            failed += send(txFds[queue], txVectorAddress + (long)queue * SEND_BATCH * NativeUdp.MMSGHDR_SIZE,
                txQueued[queue]);
        }
        txMessages += count - failed;
        txErrors += failed;
        releaseAll();
        return failed;
    }

    /** sendmmsg of {@code count} messages from {@code vector} on {@code socket}; returns those that failed. */
    private int send(final int socket, final long vector, final int count)
    {
        int failed = 0;
        int sent = 0;
        while (sent < count)
        {
            final int n = LibC.sendmmsg(txErrno, socket, vector + (long)sent * NativeUdp.MMSGHDR_SIZE,
                count - sent, 0);
            txCalls++;
            if (n > 0)
            {
                sent += n;
            }
            else
            {
                final int e = LibC.errno(txErrno);
                if (n < 0 && e == LibC.EINTR)
                {
                    continue;
                }
                // the first message of the rest failed (EMSGSIZE, EINVAL for a bad segment size, ENOBUFS): skip it
                failed++;
                sent++;
            }
        }
        return failed;
    }

    /** Releases what is still queued without sending it. */
    void discard()
    {
        releaseAll();
    }

    private void releaseAll()
    {
        // runs of slots of one pool go back in bulk: one free-list CAS and one counter add per run, not per slot
        int from = 0;
        for (int i = 1; i <= txReleases; i++)
        {
            if (i == txReleases || txPools[i] != txPools[from])
            {
                txPools[from].release(txBufferIds, from, i - from);
                from = i;
            }
        }
        Arrays.fill(txPools, 0, txReleases, null);
        txReleases = 0;
        for (int a = 0; a < txActiveCount; a++)
        {
            txQueued[txActive[a]] = 0;
        }
        txActiveCount = 0;
        txCount = 0;
        txIovecCount = 0;
        trainOpen = false;
    }

    @Override
    public void close()
    {
        stopReceiving();
        for (int q = 0; q < flowSockets; q++)
        {
            LibC.close(txErrno, txFds[q]);
        }
        LibC.close(txErrno, fd);
        arena.close();
    }

    static InetSocketAddress address(final int ipv4, final int port)
    {
        try
        {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[]{
                (byte)(ipv4 >>> 24), (byte)(ipv4 >>> 16), (byte)(ipv4 >>> 8), (byte)ipv4}), port);
        }
        catch (final UnknownHostException e)
        {
            throw new IllegalStateException(e);
        }
    }
}
