package io.vfplane.vf.port.udp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

import org.agrona.concurrent.UnsafeBuffer;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.vf.port.sys.LibC;

/**
 * The {@code native} underlay transport: one plain UDP socket driven through {@link LibC} (with the numbers and
 * structures of {@link NativeUdp}), without Netty.
 *
 * <h2>Receive</h2>
 * One thread blocks in {@code recvmmsg(MSG_WAITFORONE)} (a receive timeout of {@value #RECEIVE_TIMEOUT_MS} ms lets it
 * see the stop flag) into buffers of its own. With UDP GRO each message may be a train of same-flow datagrams of
 * {@code gso_size} bytes each (the last may be shorter), its size in the message's own {@code UDP_GRO} control
 * message: batching and GRO together, which Netty's epoll channel cannot do. Each datagram is handed to the
 * {@link DatagramHandler} by address; nothing is allocated.
 * <pre>
 *   mmsghdr[i] -> iov -> | train i: datagram | datagram | ... | (gso_size each)   control: UDP_GRO = gso_size
 * </pre>
 *
 * <h2>Send</h2>
 * The sending thread (one: a pipeline's tx) queues messages, each one or more iovecs over pool memory with its
 * destination and, for a UDP GSO train, a {@code UDP_SEGMENT} control message; {@link #flush()} writes them with
 * {@code sendmmsg} on the sending thread itself (no hand-off to another thread, no wake-up) and then releases their
 * pool slots. The socket blocks when its send buffer is full: the pipeline is held back rather than dropping what
 * TCP would retransmit.
 */
final class NativeUdpChannel implements AutoCloseable
{
    /** Takes one received datagram. */
    interface DatagramHandler
    {
        /**
         * @param address    native address of the payload (valid during the call only).
         * @param length     payload bytes.
         * @param source     sender IPv4 address.
         * @param sourcePort sender UDP port.
         */
        void onDatagram(long address, int length, int source, int sourcePort);

        /** End of one receive call's datagrams. */
        void onBatchEnd();
    }

    static final int RECEIVE_TIMEOUT_MS = 100;
    /** Receive buffer of a GRO message: the largest train the kernel builds (64 KiB of IP packet). */
    static final int GRO_TRAIN = 65_536;
    /** GRO trains per recvmmsg. */
    static final int GRO_BATCH = 8;
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

    private final Arena arena = Arena.ofShared();
    private final int fd;
    private final boolean gro;
    private final boolean gso;
    private final int localPort;
    private final int socketBuffer;

    // receive (receive thread only)
    private final int rxMessages;
    private final int rxBufferSize;
    private final MemorySegment rxVector;
    private final MemorySegment rxBuffers;
    private final MemorySegment rxNames;
    private final MemorySegment rxControl;
    private final MemorySegment rxErrno;
    private Thread rxThread;
    private volatile boolean running;
    private long rxTruncated;
    private long rxErrors;
    private long rxCalls;

    // send (sending thread only)
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
     * @param bind         IPv4 address and port (0: any).
     * @param gro          ask for UDP GRO.
     * @param recvBatch    messages per recvmmsg without GRO.
     * @param maxDatagram  receive buffer per message without GRO.
     * @param socketBuffer SO_RCVBUF / SO_SNDBUF (forced when privileged).
     * @throws IllegalStateException naming the call that failed.
     */
    NativeUdpChannel(
        final InetSocketAddress bind, final boolean gro, final int recvBatch, final int maxDatagram,
        final int socketBuffer)
    {
        this.socketBuffer = socketBuffer;
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
            gso = LibC.setsockopt(errno, fd, NativeUdp.SOL_UDP, NativeUdp.UDP_SEGMENT, value.address(), 4) == 0;
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

        rxMessages = this.gro ? GRO_BATCH : recvBatch;
        rxBufferSize = this.gro ? GRO_TRAIN : maxDatagram;
        rxErrno = LibC.newErrnoState(arena);
        rxVector = arena.allocate((long)rxMessages * NativeUdp.MMSGHDR_SIZE, 64);
        rxBuffers = arena.allocate((long)rxMessages * rxBufferSize, 64);
        rxNames = arena.allocate((long)rxMessages * NativeUdp.SOCKADDR_IN_SIZE, 8);
        rxControl = arena.allocate((long)rxMessages * NativeUdp.CMSG_SPACE_INT * 2, 8);
        final MemorySegment rxIovecs = arena.allocate((long)rxMessages * LibC.IOVEC_SIZE, 8);
        for (int i = 0; i < rxMessages; i++)
        {
            rxIovecs.set(ValueLayout.JAVA_LONG, (long)i * LibC.IOVEC_SIZE,
                rxBuffers.address() + (long)i * rxBufferSize);
            rxIovecs.set(ValueLayout.JAVA_LONG, (long)i * LibC.IOVEC_SIZE + LibC.IOVEC_LEN_OFFSET, rxBufferSize);
            final long m = (long)i * NativeUdp.MMSGHDR_SIZE;
            rxVector.set(ValueLayout.JAVA_LONG, m + NativeUdp.MSGHDR_NAME_OFFSET,
                rxNames.address() + (long)i * NativeUdp.SOCKADDR_IN_SIZE);
            rxVector.set(ValueLayout.JAVA_LONG, m + NativeUdp.MSGHDR_IOV_OFFSET,
                rxIovecs.address() + (long)i * LibC.IOVEC_SIZE);
            rxVector.set(ValueLayout.JAVA_LONG, m + NativeUdp.MSGHDR_IOVLEN_OFFSET, 1);
            rxVector.set(ValueLayout.JAVA_LONG, m + NativeUdp.MSGHDR_CONTROL_OFFSET,
                rxControl.address() + (long)i * NativeUdp.CMSG_SPACE_INT * 2);
        }

        txErrno = LibC.newErrnoState(arena);
        txVector = arena.allocate((long)SEND_BATCH * NativeUdp.MMSGHDR_SIZE, 64);
        txNames = arena.allocate((long)SEND_BATCH * NativeUdp.SOCKADDR_IN_SIZE, 8);
        txIovecs = arena.allocate((long)SEND_BATCH * MAX_IOVECS * LibC.IOVEC_SIZE, 64);
        txControl = arena.allocate((long)SEND_BATCH * NativeUdp.CMSG_SPACE_INT, 8);
        txVectorAddress = txVector.address();
        txNamesAddress = txNames.address();
        txIovecsAddress = txIovecs.address();
        txControlAddress = txControl.address();
    }

    private void setBuffer(final MemorySegment errno, final MemorySegment value, final int force, final int plain)
    {
        value.set(ValueLayout.JAVA_INT, 0, socketBuffer);
        if (LibC.setsockopt(errno, fd, LibC.SOL_SOCKET, force, value.address(), 4) != 0)
        {
            // unprivileged: the plain option, capped by net.core.[rw]mem_max
            LibC.setsockopt(errno, fd, LibC.SOL_SOCKET, plain, value.address(), 4);
        }
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

    /** Starts the receive thread. */
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
        final long vector = rxVector.address();
        final long names = rxNames.address();
        final long control = rxControl.address();
        final long buffers = rxBuffers.address();
        final UnsafeBuffer raw = new UnsafeBuffer(vector, rxMessages * NativeUdp.MMSGHDR_SIZE);
        final UnsafeBuffer name = new UnsafeBuffer(names, rxMessages * NativeUdp.SOCKADDR_IN_SIZE);
        final UnsafeBuffer cmsg = new UnsafeBuffer(control, rxMessages * NativeUdp.CMSG_SPACE_INT * 2);
        final int controlSpace = NativeUdp.CMSG_SPACE_INT * 2;
        while (running)
        {
            for (int i = 0; i < rxMessages; i++)
            {
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
                }
                continue;
            }
            rxCalls++;
            for (int i = 0; i < n; i++)
            {
                final int m = i * NativeUdp.MMSGHDR_SIZE;
                final int length = raw.getInt(m + NativeUdp.MMSGHDR_LEN_OFFSET);
                if ((raw.getInt(m + NativeUdp.MSGHDR_FLAGS_OFFSET) & NativeUdp.MSG_TRUNC) != 0)
                {
                    rxTruncated++;
                    continue;
                }
                final int s = i * NativeUdp.SOCKADDR_IN_SIZE;
                final int source = name.getInt(s + NativeUdp.SIN_ADDR_OFFSET, ByteOrder.BIG_ENDIAN);
                final int sourcePort = name.getShort(s + NativeUdp.SIN_PORT_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
                int segment = length;
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
                        }
                    }
                }
                final long base = buffers + (long)i * rxBufferSize;
                int at = 0;
                while (at < length)
                {
                    final int len = Math.min(segment, length - at);
                    handler.onDatagram(base + at, len, source, sourcePort);
                    at += len;
                }
            }
            handler.onBatchEnd();
        }
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

    /** Room for one more message of {@code iovecs} pieces without a flush first. */
    boolean hasRoom(final int iovecs)
    {
        return txCount < SEND_BATCH && txIovecCount + iovecs <= SEND_BATCH * MAX_IOVECS &&
            txReleases < MAX_RELEASES;
    }

    /**
     * Queues one datagram. When the message queued last is a datagram (or a train of them) of this size to the same
     * destination, this one joins it as one more segment of a UDP GSO train: a burst of equal-sized datagrams (small
     * ones above all: 64-byte frames, TCP ACKs) costs the kernel one pass through UDP, IP and the device instead of
     * one per datagram, and a receiver with UDP GRO takes the train whole. The kernel cuts at the first datagram's
     * size, so a shorter datagram may only end a train, and a longer one starts a new message.
     *
     * @param pool     the slot's pool, released after the send (null: nothing to release).
     * @param bufferId the slot.
     */
    void datagram(final int destination, final int port, final long address, final int length,
        final PacketPool pool, final int bufferId)
    {
        if (trainOpen && gso && destination == trainDestination && port == trainPort && length <= trainSize &&
            trainCount < GSO_MAX_SEGMENTS && trainBytes + length <= MAX_UDP_PAYLOAD &&
            txIovecCount < SEND_BATCH * MAX_IOVECS && txReleases < MAX_RELEASES)
        {
            final int i = txCount - 1;
            final long mo = (long)i * NativeUdp.MMSGHDR_SIZE;
            if (trainCount == 1)
            {
                putSegmentControl(i, trainSize);
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
        begin(destination, port, 0, 1, pool, bufferId);
        piece(address, length);
        end();
        trainOpen = true;
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

    private void putSegmentControl(final int message, final int gsoSize)
    {
        final long c = (long)message * NativeUdp.CMSG_SPACE_INT;
        final long mo = (long)message * NativeUdp.MMSGHDR_SIZE;
        txControl.set(ValueLayout.JAVA_LONG, c + NativeUdp.CMSG_LEN_OFFSET, NativeUdp.CMSG_DATA_OFFSET + 2);
        txControl.set(ValueLayout.JAVA_INT, c + NativeUdp.CMSG_LEVEL_OFFSET, NativeUdp.SOL_UDP);
        txControl.set(ValueLayout.JAVA_INT, c + NativeUdp.CMSG_TYPE_OFFSET, NativeUdp.UDP_SEGMENT);
        txControl.set(ValueLayout.JAVA_LONG, c + NativeUdp.CMSG_DATA_OFFSET, 0L);
        txControl.set(ValueLayout.JAVA_SHORT, c + NativeUdp.CMSG_DATA_OFFSET, (short)gsoSize);
        txVector.set(ValueLayout.JAVA_LONG, mo + NativeUdp.MSGHDR_CONTROL_OFFSET, txControlAddress + c);
        txVector.set(ValueLayout.JAVA_LONG, mo + NativeUdp.MSGHDR_CONTROLLEN_OFFSET, NativeUdp.CMSG_SPACE_INT);
    }

    /**
     * Starts a message to {@code destination:port}; its pieces follow with {@link #piece}, then {@link #end}.
     * Flushes first when the queue has no room for {@code iovecs} more pieces.
     *
     * @param gsoSize  segment size of a UDP GSO train, 0 for one datagram.
     * @param pool     the slot's pool, released after the send (null: nothing to release).
     * @param bufferId the slot.
     */
    void begin(final int destination, final int port, final int gsoSize, final int iovecs, final PacketPool pool,
        final int bufferId)
    {
        if (!hasRoom(iovecs))
        {
            flush();
        }
        final int i = txCount;
        final MemorySegment v = txVector;
        final long mo = (long)i * NativeUdp.MMSGHDR_SIZE;
        final long nameAt = (long)i * NativeUdp.SOCKADDR_IN_SIZE;
        putSockaddr(txNames, nameAt, destination, port);
        v.set(ValueLayout.JAVA_LONG, mo + NativeUdp.MSGHDR_NAME_OFFSET, txNamesAddress + nameAt);
        v.set(ValueLayout.JAVA_INT, mo + NativeUdp.MSGHDR_NAMELEN_OFFSET, NativeUdp.SOCKADDR_IN_SIZE);
        v.set(ValueLayout.JAVA_LONG, mo + NativeUdp.MSGHDR_IOV_OFFSET,
            txIovecsAddress + (long)txIovecCount * LibC.IOVEC_SIZE);
        v.set(ValueLayout.JAVA_LONG, mo + NativeUdp.MSGHDR_IOVLEN_OFFSET, 0L);
        trainOpen = false;
        if (gsoSize > 0)
        {
            putSegmentControl(i, gsoSize);
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
        final long mo = (long)txCount * NativeUdp.MMSGHDR_SIZE + NativeUdp.MSGHDR_IOVLEN_OFFSET;
        txVector.set(ValueLayout.JAVA_LONG, mo, txVector.get(ValueLayout.JAVA_LONG, mo) + 1);
    }

    /** Closes the message begun last. */
    void end()
    {
        txCount++;
    }

    /** Messages queued and not yet sent. */
    int queued()
    {
        return txCount;
    }

    /**
     * Sends every queued message (sendmmsg, repeated until all went or one fails: a failed message is counted and
     * skipped) and releases their slots.
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
        int sent = 0;
        while (sent < count)
        {
            final int n = LibC.sendmmsg(txErrno, fd,
                txVectorAddress + (long)sent * NativeUdp.MMSGHDR_SIZE, count - sent, 0);
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
        txMessages += count - failed;
        txErrors += failed;
        releaseAll();
        return failed;
    }

    /** Releases what is still queued without sending it. */
    void discard()
    {
        releaseAll();
    }

    private void releaseAll()
    {
        for (int i = 0; i < txReleases; i++)
        {
            txPools[i].release(txBufferIds[i]);
            txPools[i] = null;
        }
        txReleases = 0;
        txCount = 0;
        txIovecCount = 0;
        trainOpen = false;
    }

    @Override
    public void close()
    {
        stopReceiving();
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
