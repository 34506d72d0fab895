package io.vfplane.overlay.io;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.atomic.AtomicBoolean;

import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.vf.port.PacketPort;
import io.vfplane.vf.port.PacketSink;

/**
 * The underlay as a kernel UDP socket (JDK NIO), bridging the socket's payload-only view and the full-frame view the
 * encap and decap stages work on.
 *
 * <pre>
 *  rx: datagram payload (tunnel header + inner frame) is received at data offset + 42; the 42 bytes in front get a
 *      synthesized outer header so the decap stage decodes it like any underlay frame:
 *      +----------------+----------------------------------+--------------------------+-------------
 *      | Ethernet (14)  | IPv4 (20) src = sender           | UDP (8) src = sender port| VXLAN ...
 *      | type 0x0800    |           dst = bound address    |         dst = bound port |
 *      +----------------+----------------------------------+--------------------------+-------------
 *  tx: the encap stage wrote a full frame; the outer IPv4 destination and UDP destination port say where the
 *      datagram goes, and only the bytes after the outer UDP header are sent.
 * </pre>
 *
 * Outer IPv4 without options and without VLAN tags only: what the rule compiler builds. This is the portable
 * fallback transport (one datagram per system call); the Netty epoll / io_uring underlay with GSO and GRO is the
 * fast one.
 */
public final class SocketUnderlayPort implements PacketPort
{
    /** Outer Ethernet + IPv4 + UDP in front of the tunnel header. */
    public static final int OUTER_LENGTH = 14 + 20 + 8;
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    private static final int ETH_TYPE_OFFSET = 12;
    private static final int IP_OFFSET = 14;
    private static final int UDP_OFFSET = 34;
    private static final int SELECT_TIMEOUT_MS = 100;

    private final String name;
    private final PacketPool pool;
    private final int portId;
    private final InetSocketAddress local;
    private final DatagramChannel rxChannel;
    private final DatagramChannel txChannel;
    private final Selector selector;
    private final ByteBuffer rxView;
    private final ByteBuffer txView;
    private final int localIp;
    private final Long2ObjectHashMap<InetSocketAddress> remotes = new Long2ObjectHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicCounter rxPackets;
    private final AtomicCounter rxBytes;
    private final AtomicCounter rxNoBuffer;
    private final AtomicCounter rxTooBig;
    private final AtomicCounter txPackets;
    private final AtomicCounter txBytes;
    private final AtomicCounter txErrors;
    private final AtomicCounter txMalformed;
    private Thread rxThread;

    /**
     * Binds the socket: fails here (address in use) before anything else is made.
     *
     * @param portId the port number set as in-port of received packets.
     */
    public SocketUnderlayPort(
        final String name, final Inet4Address bind, final int port, final int portId, final PacketPool pool,
        final Counters counters) throws IOException
    {
        this.name = name;
        this.pool = pool;
        this.portId = portId;
        this.local = new InetSocketAddress(bind, port);
        this.localIp = ipv4(bind);
        DatagramChannel rx = null;
        DatagramChannel tx = null;
        Selector sel = null;
        try
        {
            rx = DatagramChannel.open(StandardProtocolFamily.INET);
            rx.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            rx.bind(local);
            rx.configureBlocking(false);
            sel = Selector.open();
            rx.register(sel, SelectionKey.OP_READ);
            // a separate blocking socket for sending: the tx thread waits for room instead of dropping, and the
            // receive side can be stopped on its own. Peers do not care which source port a tunnel packet has.
            tx = DatagramChannel.open(StandardProtocolFamily.INET);
            tx.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
            tx.bind(new InetSocketAddress(bind, 0));
        }
        catch (final IOException | RuntimeException ex)
        {
            closeQuietly(rx);
            closeQuietly(tx);
            closeQuietly(sel);
            throw ex;
        }
        this.rxChannel = rx;
        this.txChannel = tx;
        this.selector = sel;
        final UnsafeBuffer memory = pool.buffer();
        this.rxView = MemorySegment.ofAddress(memory.addressOffset()).reinterpret(memory.capacity()).asByteBuffer();
        this.txView = rxView.duplicate();
        final String prefix = "port." + name + ".";
        rxPackets = counters.newCounter(prefix + "rx_packets");
        rxBytes = counters.newCounter(prefix + "rx_bytes");
        rxNoBuffer = counters.newCounter(prefix + "rx_no_buffer");
        rxTooBig = counters.newCounter(prefix + "rx_too_big");
        txPackets = counters.newCounter(prefix + "tx_packets");
        txBytes = counters.newCounter(prefix + "tx_bytes");
        txErrors = counters.newCounter(prefix + "tx_errors");
        txMalformed = counters.newCounter(prefix + "tx_malformed");
    }

    @Override
    public String name()
    {
        return name;
    }

    /** @return the bound address. */
    public InetSocketAddress localAddress()
    {
        return local;
    }

    @Override
    public void start(final PacketSink sink)
    {
        if (!running.compareAndSet(false, true))
        {
            throw new IllegalStateException(name + ": already started");
        }
        rxThread = new Thread(() -> receiveLoop(sink), "vfplane-rx-" + name);
        rxThread.setDaemon(true);
        rxThread.start();
    }

    private void receiveLoop(final PacketSink sink)
    {
        final PacketDescriptor d = new PacketDescriptor();
        final UnsafeBuffer memory = pool.buffer();
        SocketAddress lastSender = null;
        int lastIp = 0;
        int lastPort = 0;
        int id = PacketPool.NO_BUFFER;
        long packets = 0;
        long bytes = 0;
        try
        {
            while (running.get())
            {
                if (id == PacketPool.NO_BUFFER)
                {
                    id = pool.allocate();
                    if (id == PacketPool.NO_BUFFER)
                    {
                        rxNoBuffer.increment();
                        Thread.onSpinWait();
                        continue;
                    }
                }
                final int frame = pool.dataOffset(id);
                final int payload = frame + OUTER_LENGTH;
                final int limit = frame + pool.dataCapacity();
                rxView.limit(limit).position(payload);
                final SocketAddress sender = rxChannel.receive(rxView);
                if (sender == null)
                {
                    publish(packets, bytes);
                    packets = 0;
                    bytes = 0;
                    selector.select(SELECT_TIMEOUT_MS);
                    selector.selectedKeys().clear();
                    continue;
                }
                final int n = rxView.position() - payload;
                if (rxView.position() == limit)
                {
                    rxTooBig.increment(); // possibly truncated: never decapsulate half a frame
                    continue;
                }
                if (sender != lastSender)
                {
                    // the JDK hands back the same address object while the sender does not change
                    final InetSocketAddress isa = (InetSocketAddress)sender;
                    lastSender = sender;
                    lastIp = isa.getAddress() instanceof Inet4Address a ? ipv4(a) : 0;
                    lastPort = isa.getPort();
                }
                writeOuter(memory, frame, lastIp, lastPort, n);
                d.resetMetadata().bind(id, frame, OUTER_LENGTH + n).inPort(portId);
                id = PacketPool.NO_BUFFER;
                packets++;
                bytes += n;
                sink.accept(d);
                if (packets == 64)
                {
                    publish(packets, bytes);
                    packets = 0;
                    bytes = 0;
                }
            }
        }
        catch (final IOException ex)
        {
            if (running.get())
            {
                System.err.println("vfplane: " + name + ": receive failed: " + ex);
            }
        }
        finally
        {
            publish(packets, bytes);
            if (id != PacketPool.NO_BUFFER)
            {
                pool.release(id);
            }
        }
    }

    private void publish(final long packets, final long bytes)
    {
        if (packets != 0)
        {
            rxPackets.getAndAddRelease(packets);
            rxBytes.getAndAddRelease(bytes);
        }
    }

    private void writeOuter(final UnsafeBuffer b, final int frame, final int srcIp, final int srcPort, final int n)
    {
        b.putLong(frame, 0L); // destination and half the source MAC: never looked at
        b.putInt(frame + 8, 0);
        b.putShort(frame + ETH_TYPE_OFFSET, (short)0x0800, BE);
        final int ip = frame + IP_OFFSET;
        b.putByte(ip, (byte)0x45);
        b.putByte(ip + 1, (byte)0);
        b.putShort(ip + 2, (short)(20 + 8 + n), BE);
        b.putInt(ip + 4, 0, BE); // id, flags, fragment offset: the kernel reassembled, this is one datagram
        b.putByte(ip + 8, (byte)64);
        b.putByte(ip + 9, (byte)17);
        b.putShort(ip + 10, (short)0, BE);
        b.putInt(ip + 12, srcIp, BE);
        b.putInt(ip + 16, localIp, BE);
        final int udp = frame + UDP_OFFSET;
        b.putShort(udp, (short)srcPort, BE);
        b.putShort(udp + 2, (short)local.getPort(), BE);
        b.putShort(udp + 4, (short)(8 + n), BE);
        b.putShort(udp + 6, (short)0, BE);
    }

    @Override
    public boolean send(final PacketDescriptor packet, final PacketPool from)
    {
        final UnsafeBuffer b = from.buffer();
        final int frame = packet.offset();
        if (packet.length() <= OUTER_LENGTH || b.getShort(frame + ETH_TYPE_OFFSET, BE) != 0x0800 ||
            (b.getByte(frame + IP_OFFSET) & 0xFF) != 0x45)
        {
            txMalformed.increment();
            return false;
        }
        final int dstIp = b.getInt(frame + IP_OFFSET + 16, BE);
        final int dstPort = b.getShort(frame + UDP_OFFSET + 2, BE) & 0xFFFF;
        final long key = (dstIp & 0xFFFF_FFFFL) << 16 | dstPort;
        InetSocketAddress remote = remotes.get(key);
        if (remote == null)
        {
            remote = new InetSocketAddress(address(dstIp), dstPort); // once per remote endpoint
            remotes.put(key, remote);
        }
        final int n = packet.length() - OUTER_LENGTH;
        txView.limit(frame + packet.length()).position(frame + OUTER_LENGTH);
        try
        {
            txChannel.send(txView, remote);
            txPackets.incrementRelease();
            txBytes.getAndAddRelease(n);
        }
        catch (final IOException ex)
        {
            txErrors.increment(); // e.g. no route, or the peer's ICMP unreachable reported on this socket
        }
        from.release(packet.bufferId());
        return true;
    }

    @Override
    public void flush()
    {
    }

    /** Stops receiving (the thread ends within the select timeout); the send side stays usable until close. */
    public void stopReceiving()
    {
        if (running.compareAndSet(true, false) && rxThread != null)
        {
            selector.wakeup();
            try
            {
                rxThread.join(2_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close()
    {
        stopReceiving();
        closeQuietly(rxChannel);
        closeQuietly(txChannel);
        closeQuietly(selector);
    }

    private static int ipv4(final Inet4Address a)
    {
        final byte[] b = a.getAddress();
        return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
    }

    private static InetAddress address(final int ip)
    {
        try
        {
            return InetAddress.getByAddress(new byte[]{(byte)(ip >>> 24), (byte)(ip >>> 16), (byte)(ip >>> 8),
                (byte)ip});
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static void closeQuietly(final AutoCloseable c)
    {
        if (c != null)
        {
            try
            {
                c.close();
            }
            catch (final Exception ignored)
            {
                // closing on a failure path or at shutdown: nothing more to do
            }
        }
    }
}
