package io.vfplane.vf.port.udp;

import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.vf.Macs;
import io.vfplane.vf.TestFrames;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Underlay ports on loopback for a test: the counters, a receive pool and a small pool to send from, and every port
 * opened; {@link #close()} closes the ports and checks that every slot of both pools came back.
 */
final class LoopbackPorts implements AutoCloseable
{
    final Counters counters = Counters.inMemory(1024);
    final PacketPool pool;
    /** Slots to send from where a test checks that the send released them. */
    final PacketPool sendPool;
    private final List<UdpUnderlayPort> ports = new ArrayList<>();

    LoopbackPorts(final String name)
    {
        pool = new PacketPool(name, 512, 256, 9216, counters);
        sendPool = new PacketPool(name + "-send", 4, 256, 9216, counters);
    }

    /** A port bound to {@code address}, any port, receiving batches of 16 and datagrams up to 2048 bytes. */
    UdpUnderlayPort open(
        final UnderlayTransport transport, final String address, final boolean gro, final boolean perFlowPorts)
    {
        return open(transport, address, gro, true, perFlowPorts);
    }

    UdpUnderlayPort open(final UnderlayTransport transport, final String address, final boolean gro,
        final boolean gso, final boolean perFlowPorts)
    {
        final UnderlayConfig config = new UnderlayConfig(
            transport, new InetSocketAddress(address, 0), 16, 2048, gro, gso, ports.size(), perFlowPorts);
        final UdpUnderlayPort port = new UdpUnderlayPort(config, pool, counters);
        ports.add(port);
        return port;
    }

    /** The payload byte at {@code i} of a test frame. */
    @FunctionalInterface
    interface PayloadByte
    {
        byte at(int i);
    }

    /**
     * Writes an outer Ethernet/IPv4/UDP frame from {@code from}'s address and outer source port {@code sourcePort}
     * to {@code to} into a fresh slot of {@link #pool}, its UDP payload {@code length} bytes of {@code payload}.
     */
    void frame(final PacketDescriptor packet, final InetSocketAddress from, final int sourcePort,
        final InetSocketAddress to, final int length, final PayloadByte payload)
    {
        TestFrames.allocate(pool, packet, 42 + length);
        final UnsafeBuffer b = pool.buffer();
        final int o = packet.offset();
        TestFrames.ethernet(b, o, 0, 0, 0x0800);
        TestFrames.ipv4(b, o + 14, 17, Macs.parseIpv4(from.getAddress().getHostAddress()),
            Macs.parseIpv4(to.getAddress().getHostAddress()), 8 + length);
        b.putShort(o + 34, (short)sourcePort, ByteOrder.BIG_ENDIAN);
        b.putShort(o + 36, (short)to.getPort(), ByteOrder.BIG_ENDIAN);
        b.putShort(o + 38, (short)(8 + length), ByteOrder.BIG_ENDIAN);
        b.putShort(o + 40, (short)0, ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < length; i++)
        {
            b.putByte(o + 42 + i, payload.at(i));
        }
    }

    @Override
    public void close()
    {
        ports.forEach(UdpUnderlayPort::close);
        assertEquals(0, pool.inFlight(), "every pool slot came back (sent ones released by the transport, the " +
            "receive rings' posted ones at close)");
        assertEquals(0, sendPool.inFlight());
        pool.close();
        sendPool.close();
        counters.close();
    }
}
