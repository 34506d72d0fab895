package io.vfplane.vf.port.udp;

import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.SegmentedDatagramPacket;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.util.ReferenceCountUtil;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.checksum.Checksums;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.headers.EthernetFlyweight;
import io.vfplane.dataplane.headers.Ipv4Flyweight;
import io.vfplane.dataplane.headers.UdpFlyweight;
import io.vfplane.dataplane.packet.Offload;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.vf.port.PacketPort;
import io.vfplane.vf.port.PacketSink;

/**
 * The underlay: one UDP socket as a {@link PacketPort}, on a plain socket driven through FFM ({@code native}, see
 * {@link NativeUdpChannel}: recvmmsg of UDP GRO trains, sendmmsg from the sending thread with UDP GSO, gathered trains
 * through {@link #sendGathered}, equal-sized datagrams joined into trains) or on one of Netty's native transports
 * (epoll, io_uring), as described below.
 *
 * <h2>Frames on the pipeline side</h2>
 * The pipeline sees the underlay as Ethernet/IPv4/UDP frames, as the encap stage builds them and the decap stage
 * parses them; the socket carries only the UDP payload:
 * <pre>
 *  send:    | eth(14) | ipv4(ihl) | udp(8) | payload ... |   -> sendto(outer ipv4 dst, outer udp dst port)
 *  receive: | eth(14) | ipv4(20)  | udp(8) | payload ... |   <- recvfrom: synthetic outer headers written in front
 *            zero MACs, src = sender, dst = bound address, UDP checksum 0 (none)
 * </pre>
 The outer UDP source port in a frame is the encap stage's per-flow hash (RFC 7348 section 5). Netty's transports
 * send everything from the bound port; the {@code native} transport (with
 * {@link UnderlayConfig#perFlowSourcePorts()}) sends from one of {@value NativeUdpChannel#FLOW_SOCKETS} sockets with
 * ports of their own, chosen by that hash: the source port on the wire is per flow, though not the frame's value
 * (a socket has one port; the kernel's vxlan device picks from a range the same way).
 *
 * <h2>Copies and batching</h2>
 * Send is zero-copy: the payload is handed to Netty as a {@link PoolSlotByteBuf} over the pool slot, released back
 * to the pool when Netty has written it. Sends queue on a single-producer queue; {@link #flush()} schedules one
 * event-loop task that writes them all and flushes once, which epoll turns into {@code sendmmsg} (and io_uring into
 * one submission). A frame marked {@code GSO_UDP_L4} with a {@code gsoSize} is sent as one UDP GSO write when the
 * kernel supports it, or split into datagrams (slices of the same slot, still no copy).
 * On the {@code native} transport the kernel receives straight into posted pool slots (no copy while the datagram
 * size is as predicted, see {@link NativeUdpChannel}). On Netty's transports
 * receive copies once, from Netty's receive buffer into a pool slot: Netty owns the receive memory (recvmmsg fills
 * its buffers). Per datagram Netty allocates a {@code DatagramPacket} and a sender address on receive, and this port
 * a {@code ByteBuf} view and a {@code DatagramPacket} on send (the destination address is cached while it repeats):
 * the one place in the data path that allocates per packet, because that is Netty's datagram API.
 *
 * <h2>Counters</h2>
 * {@code port.<name>.rx_packets, rx_bytes, rx_no_buffer, rx_too_big, rx_copied (native: datagrams gathered into a
 * fresh slot), rx_errors (native: failed recvmmsg calls), rx_truncated (native: messages cut short),
 * tx_packets, tx_bytes, tx_not_udp, tx_full, tx_gso_writes, tx_write_errors} (sends the kernel refused).
 */
@SuppressWarnings("restricted") // one MemorySegment.reinterpret: a ByteBuffer view over the pool's own memory
public final class UdpUnderlayPort implements PacketPort
{
    /** Outer headers written in front of a received payload. */
    public static final int RX_HEADERS = EthernetFlyweight.HEADER_LENGTH + Ipv4Flyweight.MIN_HEADER_LENGTH +
        UdpFlyweight.HEADER_LENGTH;
    private static final int TX_QUEUE = 4096;
    private static final int GRO_BUFFER = 65_536;
    /** Segments the kernel takes in one UDP GSO send (UDP_MAX_SEGMENTS is 64 before Linux 6.9, 128 after). */
    public static final int GSO_MAX_SEGMENTS = 64;
    /** Pieces of one {@link #sendGathered} message at most. */
    public static final int MAX_GATHER = NativeUdpChannel.MAX_IOVECS;
    private static final int SOCKET_BUFFER = 4 << 20;

    private final UnderlayConfig config;
    private final PacketPool pool;
    private final String portName;
    private final UnderlayProbe probe;
    private final boolean gsoOn;
    private final EventLoopGroup group;
    private final Channel channel;
    /** The {@code native} transport's socket (null on Netty's transports). */
    private final NativeUdpChannel nativeChannel;
    private final int localAddress;
    private int localPort;
    private final ByteBuffer poolView;
    private final OneToOneConcurrentArrayQueue<DatagramPacket> txQueue = new OneToOneConcurrentArrayQueue<>(TX_QUEUE);
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drain;
    /** One listener for every write: counts failures without a capture per packet. */
    private final ChannelFutureListener writeListener = future ->
    {
        if (!future.isSuccess())
        {
            UdpUnderlayPort.this.txWriteErrors.increment();
        }
    };
    private volatile PacketSink sink;

    // tx thread state
    private int lastDestination;
    private int lastDestinationPort = -1;
    private InetSocketAddress lastRecipient;
    private PacketPool lastTxPool;
    private ByteBuffer lastTxPoolView;

    private final AtomicCounter rxPackets;
    private final AtomicCounter rxBytes;
    private final AtomicCounter rxNoBuffer;
    private final AtomicCounter rxTooBig;
    private final AtomicCounter rxCopied;
    private final AtomicCounter rxErrors;
    private final AtomicCounter rxTruncated;
    private final AtomicCounter txPackets;
    private final AtomicCounter txBytes;
    private final AtomicCounter txNotUdp;
    private final AtomicCounter txFull;
    private final AtomicCounter txGsoWrites;
    private final AtomicCounter txWriteErrors;
    private final NativeReceiver nativeReceiver;

    /**
     * Probes, binds the socket and starts its event loop (received datagrams are dropped until
     * {@link #start(PacketSink)}).
     *
     * @throws IllegalStateException when the transport is unavailable (with Netty's reason) or the bind fails.
     */
    public UdpUnderlayPort(final UnderlayConfig config, final PacketPool pool, final Counters counters)
    {
        this.config = config;
        this.pool = pool;
        this.probe = UnderlayProbe.probe();
        if (!probe.available(config.transport()))
        {
            throw new IllegalStateException("underlay: transport " + config.transport().label() + " unavailable: " +
                (config.transport() == UnderlayTransport.EPOLL ? probe.epollCause() : probe.ioUringCause()));
        }
        if (pool.headroom() < RX_HEADERS)
        {
            throw new IllegalStateException("underlay: pool headroom below " + RX_HEADERS);
        }
        this.localAddress = ipv4(config.bind().getAddress());
        this.portName = "udp-" + config.bind().getAddress().getHostAddress() + "-" + config.bind().getPort();
        this.poolView = MemorySegment.ofAddress(pool.buffer().addressOffset()).reinterpret(pool.buffer().capacity())
            .asByteBuffer();
        final String prefix = "port." + portName + ".";
        rxPackets = counters.newCounter(prefix + "rx_packets");
        rxBytes = counters.newCounter(prefix + "rx_bytes");
        rxNoBuffer = counters.newCounter(prefix + "rx_no_buffer");
        rxTooBig = counters.newCounter(prefix + "rx_too_big");
        rxCopied = counters.newCounter(prefix + "rx_copied");
        rxErrors = counters.newCounter(prefix + "rx_errors");
        rxTruncated = counters.newCounter(prefix + "rx_truncated");
        txPackets = counters.newCounter(prefix + "tx_packets");
        txBytes = counters.newCounter(prefix + "tx_bytes");
        txNotUdp = counters.newCounter(prefix + "tx_not_udp");
        txFull = counters.newCounter(prefix + "tx_full");
        txGsoWrites = counters.newCounter(prefix + "tx_gso_writes");
        txWriteErrors = counters.newCounter(prefix + "tx_write_errors");

        if (config.transport() == UnderlayTransport.NATIVE)
        {
            group = null;
            channel = null;
            nativeChannel = new NativeUdpChannel(config.bind(), config.gro(), config.gso(), config.recvBatch(),
                config.maxDatagram(), SOCKET_BUFFER, pool, RX_HEADERS, config.perFlowSourcePorts());
            localPort = nativeChannel.localPort();
            gsoOn = config.gso() && nativeChannel.gsoOn();
            nativeReceiver = new NativeReceiver();
            nativeChannel.countFailuresIn(rxErrors, rxTruncated);
            return;
        }
        nativeChannel = null;
        nativeReceiver = null;
        gsoOn = config.gso() && config.transport() == UnderlayTransport.EPOLL && probe.gso();
        final Bootstrap bootstrap = new Bootstrap();
        if (config.transport() == UnderlayTransport.EPOLL)
        {
            group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
            bootstrap.group(group).channel(EpollDatagramChannel.class);
            final boolean gro = config.gro();
            // Netty 4.2 epoll reads with recvmmsg when the receive buffer holds more than one
            // MAX_DATAGRAM_PAYLOAD_SIZE; recvmmsg does not return the UDP_GRO segment size, so a GRO train would
            // come up as one unsplittable datagram (or be cut at the payload size). With GRO the buffer is therefore
            // one 64 KiB train and Netty reads it with recvmsg, learns the segment size from the control message and
            // splits the train: GRO and recvmmsg exclude each other.
            if (gro)
            {
                bootstrap.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, GRO_BUFFER);
                bootstrap.option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(GRO_BUFFER));
            }
            else
            {
                bootstrap.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, config.maxDatagram());
                bootstrap.option(ChannelOption.RECVBUF_ALLOCATOR,
                    new FixedRecvByteBufAllocator(config.maxDatagram() * config.recvBatch()));
            }
            if (gro)
            {
                bootstrap.option(EpollChannelOption.UDP_GRO, true);
            }
        }
        else
        {
            group = new MultiThreadIoEventLoopGroup(1, IoUringIoHandler.newFactory());
            bootstrap.group(group).channel(IoUringDatagramChannel.class);
            bootstrap.option(IoUringChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, config.maxDatagram());
            bootstrap.option(ChannelOption.RECVBUF_ALLOCATOR,
                new FixedRecvByteBufAllocator(config.maxDatagram() * config.recvBatch()));
        }
        bootstrap.option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER).option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER);
        bootstrap.handler(new Receiver());
        try
        {
            channel = bootstrap.bind(config.bind()).sync().channel();
            localPort = ((InetSocketAddress)channel.localAddress()).getPort();
        }
        catch (final Exception e)
        {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IllegalStateException("underlay: bind " + config.bind() + " failed: " + e, e);
        }
    }

    private static int ipv4(final InetAddress address)
    {
        final byte[] b = address.getAddress();
        return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
    }

    @Override
    public String name()
    {
        return portName;
    }

    /** The probe made at start. */
    public UnderlayProbe probe()
    {
        return probe;
    }

    /** What this port uses and why, for the start-up report and {@code show}. */
    public java.util.List<String> describe()
    {
        final java.util.List<String> lines = probe.describe(config);
        if (nativeChannel != null)
        {
            lines.add("recvmmsg: on, " + nativeChannel.receiveMessages() + (nativeChannel.groOn() ?
                " GRO trains of up to 64 KiB per call (each message reports its own segment size)" :
                " datagrams per call") + ", straight into pool slots (" + nativeChannel.receiveSlots() +
                " posted per message)");
            lines.add("sendmmsg: on, from the sending pipeline's thread (no hand-off)");
            lines.add(nativeChannel.flowSockets() > 0 ?
                "udp source port: per flow, " + nativeChannel.flowSockets() + " send sockets chosen by the frame's " +
                    "outer source port (ports " + sendPorts() + ")" :
                "udp source port: the bound port " + localPort + ", per-flow ports " +
                    (config.perFlowSourcePorts() ? "off: " : "") + nativeChannel.flowSocketsCause());
            lines.add("udp gso: " + (!config.gso() ? "off (configured)" : gsoOn ? "on" :
                "off: the kernel refuses UDP_SEGMENT"));
            lines.add("udp gro: " + (!config.gro() ? "off (configured)" : nativeChannel.groOn() ? "on" :
                "off: the kernel refuses UDP_GRO"));
            return lines;
        }
        if (config.transport() == UnderlayTransport.EPOLL && config.gro())
        {
            lines.add("udp gro in effect: " + channel.config().getOption(EpollChannelOption.UDP_GRO));
        }
        return lines;
    }

    /**
     * The local ports the native transport sends from: its flow sockets' (one per flow hash bucket), or the bound
     * port alone (Netty's transports, per-flow ports off or unavailable).
     */
    public java.util.List<Integer> sendPorts()
    {
        final java.util.List<Integer> ports = new java.util.ArrayList<>();
        final int flows = nativeChannel == null ? 0 : nativeChannel.flowSockets();
        for (int q = 0; q < flows; q++)
        {
            ports.add(nativeChannel.queuePort(q));
        }
        if (flows == 0)
        {
            ports.add(localPort);
        }
        return ports;
    }

    /** The local port a frame with outer UDP source port {@code sourcePort} leaves from (-1: none known). */
    public int sendPortFor(final int sourcePort)
    {
        return nativeChannel == null ? localPort : nativeChannel.queuePort(nativeChannel.queueFor(sourcePort));
    }

    /** Whether frames marked GSO_UDP_L4 go out as one UDP GSO write. */
    public boolean gsoInUse()
    {
        return gsoOn;
    }

    /** Whether the socket has UDP_GRO on (epoll only). */
    public boolean groInUse()
    {
        if (nativeChannel != null)
        {
            return nativeChannel.groOn();
        }
        return config.transport() == UnderlayTransport.EPOLL &&
            Boolean.TRUE.equals(channel.config().getOption(EpollChannelOption.UDP_GRO));
    }

    /** The bound address (its port when 0 was asked). */
    public InetSocketAddress localAddress()
    {
        if (nativeChannel != null)
        {
            return NativeUdpChannel.address(localAddress, localPort);
        }
        return (InetSocketAddress)channel.localAddress();
    }

    @Override
    public void start(final PacketSink sink)
    {
        this.sink = sink;
        if (nativeChannel != null)
        {
            nativeChannel.startReceiving(portName, nativeReceiver);
        }
    }

    /**
     * Stops handing received datagrams on, so the pipeline they feed can drain; sends still go out. On the
     * {@code native} transport the receive thread ends (within its receive timeout) and returns the slots it had
     * posted, so the pool's in-flight count is what the pipelines still hold; datagrams wait in the socket until
     * {@link #close()}. On Netty's transports they are read and dropped until then.
     */
    public void stopReceiving()
    {
        sink = null;
        if (nativeChannel != null)
        {
            nativeChannel.stopReceiving();
        }
    }

    private final class Receiver extends ChannelInboundHandlerAdapter
    {
        private final PacketDescriptor packet = new PacketDescriptor();

        @Override
        public void channelReadComplete(final ChannelHandlerContext ctx)
        {
            final PacketSink target = sink;
            if (target != null)
            {
                target.endOfBurst(); // the end of one read loop of the event loop (a recvmmsg batch)
            }
            ctx.fireChannelReadComplete();
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            try
            {
                if (msg instanceof DatagramPacket datagram)
                {
                    final PacketSink target = sink;
                    if (target == null)
                    {
                        return;
                    }
                    final ByteBuf content = datagram.content();
                    final InetSocketAddress sender = datagram.sender();
                    final int source = ipv4(sender.getAddress());
                    int segment = content.readableBytes();
                    if (datagram instanceof SegmentedDatagramPacket segmented && segmented.segmentSize() > 0)
                    {
                        segment = segmented.segmentSize(); // a GRO train Netty did not split: split it here
                    }
                    int index = content.readerIndex();
                    final int end = content.writerIndex();
                    while (index < end)
                    {
                        final int length = Math.min(segment, end - index);
                        deliver(target, content, index, length, source, sender.getPort());
                        index += length;
                    }
                }
            }
            finally
            {
                ReferenceCountUtil.release(msg);
            }
        }

        private void deliver(
            final PacketSink target,
            final ByteBuf content,
            final int index,
            final int length,
            final int source,
            final int sourcePort)
        {
            if (length > pool.dataCapacity() - RX_HEADERS)
            {
                rxTooBig.increment();
                return;
            }
            final int id = pool.allocate();
            if (id == PacketPool.NO_BUFFER)
            {
                rxNoBuffer.increment();
                return;
            }
            final int frame = pool.dataOffset(id);
            final int payload = frame + RX_HEADERS;
            poolView.limit(payload + length).position(payload);
            content.getBytes(index, poolView);
            writeHeaders(pool.buffer(), frame, source, sourcePort, length);
            packet.resetMetadata();
            packet.bind(id, frame, RX_HEADERS + length);
            packet.inPort(config.portId()).timestampNs(System.nanoTime());
            rxPackets.increment();
            rxBytes.getAndAdd(length);
            target.accept(packet);
        }
    }

    /**
     * The native transport's receive thread: each datagram arrives in a pool slot of its own (straight from the
     * kernel, or gathered into one when it did not lie alone in a posted slot, see {@link NativeUdpChannel}); the
     * outer headers are written in front of it and the slot is handed on at once. (Holding a receive call's packets
     * and handing them on together at its end was tried: it roughly halved the 64-byte UDP rate of the overlay
     * benchmark, so each packet goes on as soon as it is there.)
     */
    private final class NativeReceiver implements NativeUdpChannel.DatagramHandler
    {
        private final PacketDescriptor packet = new PacketDescriptor();
        private long packets;
        private long bytes;
        /** When the current receive call's first datagram was handed on: they arrived together (a GRO train). */
        private long receivedAtNs;

        @Override
        public void onDatagram(final int bufferId, final int length, final int sourceAddress, final int sourcePort)
        {
            final PacketSink target = sink;
            if (target == null)
            {
                pool.release(bufferId);
                return;
            }
            final int frame = pool.dataOffset(bufferId);
            writeHeaders(pool.buffer(), frame, sourceAddress, sourcePort, length);
            packet.resetMetadata();
            packet.bind(bufferId, frame, RX_HEADERS + length);
            if (packets == 0)
            {
                receivedAtNs = System.nanoTime(); // one clock read per receive call, not per datagram
            }
            packet.inPort(config.portId()).timestampNs(receivedAtNs);
            packets++;
            bytes += length;
            target.accept(packet);
        }

        @Override
        public void onBatchEnd(final int copied, final int noBuffer, final int tooBig)
        {
            final PacketSink target = sink;
            if (target != null && packets != 0)
            {
                target.endOfBurst();
            }
            // the drop and copy counts first: whoever sees the packets counted sees those of the same call too
            if (copied != 0)
            {
                rxCopied.getAndAdd(copied);
            }
            if (noBuffer != 0)
            {
                rxNoBuffer.getAndAdd(noBuffer);
            }
            if (tooBig != 0)
            {
                rxTooBig.getAndAdd(tooBig);
            }
            rxPackets.getAndAdd(packets);
            rxBytes.getAndAdd(bytes);
            packets = 0;
            bytes = 0;
        }
    }

    private void writeHeaders(
        final UnsafeBuffer buffer, final int frame, final int source, final int sourcePort, final int length)
    {
        buffer.setMemory(frame, 2 * EthernetFlyweight.MAC_LENGTH, (byte)0);
        buffer.putShort(frame + EthernetFlyweight.ETHERTYPE_OFFSET, (short)EthernetFlyweight.ETHERTYPE_IPV4,
            ByteOrder.BIG_ENDIAN);
        final int ip = frame + EthernetFlyweight.HEADER_LENGTH;
        buffer.putByte(ip + Ipv4Flyweight.VERSION_IHL_OFFSET, (byte)0x45);
        buffer.putByte(ip + Ipv4Flyweight.TOS_OFFSET, (byte)0);
        buffer.putShort(ip + Ipv4Flyweight.TOTAL_LENGTH_OFFSET,
            (short)(Ipv4Flyweight.MIN_HEADER_LENGTH + UdpFlyweight.HEADER_LENGTH + length), ByteOrder.BIG_ENDIAN);
        buffer.putInt(ip + Ipv4Flyweight.IDENTIFICATION_OFFSET, 0, ByteOrder.BIG_ENDIAN);
        buffer.putByte(ip + Ipv4Flyweight.TTL_OFFSET, (byte)64);
        buffer.putByte(ip + Ipv4Flyweight.PROTOCOL_OFFSET, (byte)Ipv4Flyweight.PROTOCOL_UDP);
        buffer.putInt(ip + Ipv4Flyweight.SOURCE_OFFSET, source, ByteOrder.BIG_ENDIAN);
        buffer.putInt(ip + Ipv4Flyweight.DESTINATION_OFFSET, localAddress, ByteOrder.BIG_ENDIAN);
        // the header checksum from its words, without reading them back: only the length and the source vary
        final int totalLength = Ipv4Flyweight.MIN_HEADER_LENGTH + UdpFlyweight.HEADER_LENGTH + length;
        final int sum = 0x4500 + totalLength + (64 << 8 | Ipv4Flyweight.PROTOCOL_UDP) + (source >>> 16) +
            (source & 0xFFFF) + (localAddress >>> 16) + (localAddress & 0xFFFF);
        buffer.putShort(ip + Ipv4Flyweight.CHECKSUM_OFFSET, (short)Checksums.fold(sum), ByteOrder.BIG_ENDIAN);
        final int udp = ip + Ipv4Flyweight.MIN_HEADER_LENGTH;
        buffer.putShort(udp, (short)sourcePort, ByteOrder.BIG_ENDIAN);
        buffer.putShort(udp + 2, (short)localPort, ByteOrder.BIG_ENDIAN);
        buffer.putShort(udp + 4, (short)(UdpFlyweight.HEADER_LENGTH + length), ByteOrder.BIG_ENDIAN);
        buffer.putShort(udp + 6, (short)0, ByteOrder.BIG_ENDIAN);
    }

    /**
     * Queues the frame's UDP payload for its outer destination; sent at {@link #flush()}.
     *
     * @return false (buffer left with the caller, counted) when the frame is not Ethernet/IPv4/UDP or the queue is
     * full.
     */
    @Override
    public boolean send(final PacketDescriptor packet, final PacketPool pool)
    {
        final UnsafeBuffer buffer = pool.buffer();
        final int frame = packet.offset();
        final int end = frame + packet.length();
        final int ip = frame + EthernetFlyweight.HEADER_LENGTH;
        if (ip + Ipv4Flyweight.MIN_HEADER_LENGTH > end ||
            (buffer.getShort(frame + EthernetFlyweight.ETHERTYPE_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF) !=
                EthernetFlyweight.ETHERTYPE_IPV4 ||
            (buffer.getByte(ip + Ipv4Flyweight.VERSION_IHL_OFFSET) & 0xF0) != 0x40 ||
            (buffer.getByte(ip + Ipv4Flyweight.PROTOCOL_OFFSET) & 0xFF) != Ipv4Flyweight.PROTOCOL_UDP)
        {
            txNotUdp.increment();
            return false;
        }
        final int udp = ip + ((buffer.getByte(ip + Ipv4Flyweight.VERSION_IHL_OFFSET) & 0x0F) << 2);
        final int payload = udp + UdpFlyweight.HEADER_LENGTH;
        if (payload > end)
        {
            txNotUdp.increment();
            return false;
        }
        final int destination = buffer.getInt(ip + Ipv4Flyweight.DESTINATION_OFFSET, ByteOrder.BIG_ENDIAN);
        final int destinationPort = buffer.getShort(udp + 2, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        if (nativeChannel != null)
        {
            // the source port the encap stage drew from the inner flow picks the socket the frame leaves from
            final int queue = nativeChannel.queueFor(buffer.getShort(udp, ByteOrder.BIG_ENDIAN) & 0xFFFF);
            sendNative(packet, pool, payload, end - payload, destination, destinationPort, queue);
            return true;
        }
        if (txQueue.remainingCapacity() == 0)
        {
            txFull.increment();
            return false;
        }
        final InetSocketAddress recipient = recipient(destination, destinationPort);
        final int length = end - payload;
        final ByteBuf content = new PoolSlotByteBuf(txView(pool).slice(payload, length), pool, packet.bufferId());
        content.writerIndex(length);
        final int gsoSize = packet.gsoSize();
        final boolean gsoFrame = (packet.gsoType() & ~Offload.GSO_ECN) == Offload.GSO_UDP_L4 && gsoSize > 0 &&
            length > gsoSize;
        if (!gsoFrame)
        {
            txQueue.offer(new DatagramPacket(content, recipient));
            txPackets.increment();
        }
        else if (gsoOn)
        {
            // one UDP GSO send carries at most 64 KiB of payload (an IPv4 length) and UDP_MAX_SEGMENTS segments:
            // a longer train goes out as several GSO writes, slices of the same slot
            final int perWrite = Math.min(GSO_MAX_SEGMENTS, UnderlayConfig.MAX_UDP_PAYLOAD / gsoSize) * gsoSize;
            if (length <= perWrite)
            {
                txQueue.offer(new SegmentedDatagramPacket(content, gsoSize, recipient));
                txGsoWrites.increment();
            }
            else
            {
                int index = 0;
                while (index < length)
                {
                    final int n = Math.min(perWrite, length - index);
                    if (!txQueue.offer(new SegmentedDatagramPacket(content.retainedSlice(index, n), gsoSize,
                        recipient)))
                    {
                        txFull.increment();
                    }
                    else
                    {
                        txGsoWrites.increment();
                    }
                    index += n;
                }
                content.release();
            }
            txPackets.getAndAdd((length + gsoSize - 1) / gsoSize);
        }
        else
        {
            // no GSO: one datagram per segment, slices of the same slot (released when the last slice is)
            int index = 0;
            while (index < length)
            {
                final int n = Math.min(gsoSize, length - index);
                if (!txQueue.offer(new DatagramPacket(content.retainedSlice(index, n), recipient)))
                {
                    txFull.increment();
                }
                else
                {
                    txPackets.increment();
                }
                index += n;
            }
            content.release();
        }
        txBytes.getAndAdd(length);
        return true;
    }

    private void sendNative(
        final PacketDescriptor packet, final PacketPool pool, final int payload, final int length,
        final int destination, final int destinationPort, final int queue)
    {
        final long base = pool.buffer().addressOffset() + payload;
        final int gsoSize = packet.gsoSize();
        final boolean gsoFrame = (packet.gsoType() & ~Offload.GSO_ECN) == Offload.GSO_UDP_L4 && gsoSize > 0 &&
            length > gsoSize;
        final NativeUdpChannel ch = nativeChannel;
        if (!gsoFrame)
        {
            ch.datagram(queue, destination, destinationPort, base, length, pool, packet.bufferId());
            txPackets.increment();
        }
        else
        {
            // one UDP GSO send carries at most 64 KiB of payload and UDP_MAX_SEGMENTS segments; without GSO one
            // datagram per segment. Every message but the last of the frame leaves the slot to the last one.
            final int perWrite = gsoOn ?
                Math.min(GSO_MAX_SEGMENTS, UnderlayConfig.MAX_UDP_PAYLOAD / gsoSize) * gsoSize : gsoSize;
            int index = 0;
            while (index < length)
            {
                final int n = Math.min(perWrite, length - index);
                final boolean last = index + n >= length;
                if (!last && !ch.hasRoom(queue, 2))
                {
                    ch.flush(); // the slot must outlive every message over it: only the last one releases it
                }
                ch.begin(queue, destination, destinationPort, gsoOn && n > gsoSize ? gsoSize : 0, 1,
                    last ? pool : null, packet.bufferId());
                ch.piece(base + index, n);
                ch.end();
                if (gsoOn)
                {
                    txGsoWrites.increment();
                }
                index += n;
            }
            txPackets.getAndAdd((length + gsoSize - 1) / gsoSize);
        }
        txBytes.getAndAdd(length);
    }

    /**
     * Whether {@link #sendGathered} is available: the native transport with UDP GSO. Netty's transports take a frame
     * as one contiguous buffer only.
     */
    public boolean sendsGathered()
    {
        return nativeChannel != null && gsoOn;
    }

    /**
     * Queues one UDP message gathered from pieces of pool memory (one {@code sendmsg} iovec each, no copy): with
     * {@code gsoSize > 0} a UDP GSO train the kernel cuts every {@code gsoSize} bytes of the concatenated pieces.
     * Sent at {@link #flush()}, on the calling thread (the pipeline's tx). Only when {@link #sendsGathered()}.
     *
     * @param destination outer IPv4 destination.
     * @param port        outer UDP destination port.
     * @param sourcePort  the frame's outer UDP source port: it picks the send socket (see {@link #send}), so that a
     *                    flow's gathered trains leave from the same port as its other frames; -1 sends from the
     *                    bound port.
     * @param gsoSize     datagram size of the train, 0 for one datagram; at most {@value #GSO_MAX_SEGMENTS}
     *                    datagrams and {@link UnderlayConfig#MAX_UDP_PAYLOAD} bytes per message.
     * @param addresses   native addresses of the pieces.
     * @param lengths     their lengths.
     * @param count       pieces, at most {@link #MAX_GATHER}.
     * @param pool        the pool of the slot the pieces lie in.
     * @param bufferId    the slot.
     * @param release     whether the slot goes back to the pool once this message is sent (true on the last message
     *                    over a slot).
     */
    public void sendGathered(
        final int destination,
        final int port,
        final int sourcePort,
        final int gsoSize,
        final long[] addresses,
        final int[] lengths,
        final int count,
        final PacketPool pool,
        final int bufferId,
        final boolean release)
    {
        final NativeUdpChannel ch = nativeChannel;
        // begin flushes the queue when it is full; the slot stays ours until its last message is sent
        ch.begin(ch.queueFor(sourcePort), destination, port, gsoSize, count, release ? pool : null, bufferId);
        long bytes = 0;
        for (int i = 0; i < count; i++)
        {
            ch.piece(addresses[i], lengths[i]);
            bytes += lengths[i];
        }
        ch.end();
        txPackets.getAndAdd(gsoSize > 0 ? (bytes + gsoSize - 1) / gsoSize : 1);
        txBytes.getAndAdd(bytes);
        if (gsoSize > 0)
        {
            txGsoWrites.increment();
        }
    }

    /** A view over the memory of the pool the sending pipeline uses (it need not be the receive pool). */
    private ByteBuffer txView(final PacketPool txPool)
    {
        if (txPool == this.pool)
        {
            return poolView;
        }
        if (txPool != lastTxPool)
        {
            lastTxPoolView = MemorySegment.ofAddress(txPool.buffer().addressOffset())
                .reinterpret(txPool.buffer().capacity()).asByteBuffer();
            lastTxPool = txPool;
        }
        return lastTxPoolView;
    }

    private InetSocketAddress recipient(final int destination, final int port)
    {
        if (destination != lastDestination || port != lastDestinationPort)
        {
            try
            {
                lastRecipient = new InetSocketAddress(InetAddress.getByAddress(new byte[]{
                    (byte)(destination >>> 24), (byte)(destination >>> 16), (byte)(destination >>> 8),
                    (byte)destination}), port);
            }
            catch (final UnknownHostException e)
            {
                throw new IllegalStateException(e); // four bytes are always an address
            }
            lastDestination = destination;
            lastDestinationPort = port;
        }
        return lastRecipient;
    }

    /**
     * Hands the queued datagrams to the event loop, which writes them and flushes once (sendmmsg).
     */
    @Override
    public void flush()
    {
        if (nativeChannel != null)
        {
            final int failed = nativeChannel.flush();
            if (failed != 0)
            {
                txWriteErrors.getAndAdd(failed);
            }
            return;
        }
        if (!txQueue.isEmpty() && drainScheduled.compareAndSet(false, true))
        {
            // one task per flush from the tx thread; the task never re-queues itself (see TOOLCHAIN: io_uring)
            channel.eventLoop().execute(drainTask);
        }
    }

    private void drain()
    {
        drainScheduled.set(false);
        int written = 0;
        DatagramPacket datagram;
        while ((datagram = txQueue.poll()) != null)
        {
            channel.write(datagram).addListener(writeListener);
            written++;
        }
        if (written != 0)
        {
            channel.flush();
        }
    }

    public long rxPackets()
    {
        return rxPackets.get();
    }

    /**
     * Datagrams the native transport gathered into a fresh slot because they did not lie alone in a posted one (0
     * on Netty's transports, which copy every datagram).
     */
    public long rxCopied()
    {
        return rxCopied.get();
    }

    /** recvmmsg calls that returned datagrams (native transport; 0 on Netty's). */
    long rxCalls()
    {
        return nativeChannel == null ? 0 : nativeChannel.receiveCalls();
    }

    public long rxNoBuffer()
    {
        return rxNoBuffer.get();
    }

    public long rxTooBig()
    {
        return rxTooBig.get();
    }

    public long txPackets()
    {
        return txPackets.get();
    }

    public long txGsoWrites()
    {
        return txGsoWrites.get();
    }

    /**
     * Datagrams the native transport sent as a segment of a UDP GSO train that an earlier datagram of the same
     * size and destination started (0 on Netty's transports).
     */
    public long txTrainJoins()
    {
        return nativeChannel == null ? 0 : nativeChannel.joined();
    }

    public long txWriteErrors()
    {
        return txWriteErrors.get();
    }

    @Override
    public void close()
    {
        sink = null;
        if (nativeChannel != null)
        {
            nativeChannel.stopReceiving();
            flush();
            nativeChannel.close();
            closeCounters();
            return;
        }
        try
        {
            channel.eventLoop().submit(this::drain).await(5, TimeUnit.SECONDS);
            channel.close().await(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        DatagramPacket left;
        while ((left = txQueue.poll()) != null)
        {
            left.release();
        }
        closeCounters();
    }

    private void closeCounters()
    {
        rxPackets.close();
        rxBytes.close();
        rxNoBuffer.close();
        rxTooBig.close();
        rxCopied.close();
        rxErrors.close();
        rxTruncated.close();
        txPackets.close();
        txBytes.close();
        txNotUdp.close();
        txFull.close();
        txGsoWrites.close();
        txWriteErrors.close();
    }
}
