package io.vfplane.vf.port.udp;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;

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
