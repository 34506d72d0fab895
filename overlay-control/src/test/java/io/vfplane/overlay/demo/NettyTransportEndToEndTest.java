package io.vfplane.overlay.demo;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.vfplane.overlay.demo.Topology.guestIp;
import static io.vfplane.overlay.demo.Topology.inNs;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two-daemon topology over each of Netty's transports (root): ping both ways and a short TCP run. The other
 * end-to-end tests run over the native transport the demo uses; these keep Netty's covered: epoll (the daemon's
 * default: UDP GSO out, GRO trains read one per recvmsg) and io_uring (no UDP GSO in Netty: trains go out as single
 * datagrams).
 */
class NettyTransportEndToEndTest
{
    @ParameterizedTest(name = "{0}")
    @CsvSource({"epoll, vfpepl, 5222", "io_uring, vfpiou, 5221"})
    void shouldPingAndCarryTcpAcrossTwoDaemons(final String transport, final String prefix, final String iperfPort)
        throws Exception
    {
        RootSupport.assumeRoot();
        final Topology topology = Topology.create(prefix, RootSupport.workDir(prefix)).transport(transport);
        try
        {
            assertTrue(topology.startDaemon(1, topology.writeConfig(1, null)).isAlive(), topology.log(1));
            assertTrue(topology.startDaemon(2, topology.writeConfig(2, null)).isAlive(), topology.log(2));
            assertTrue(topology.log(1).contains("underlay transport: " + transport), topology.log(1));
            final Topology.Result ping = inNs(topology.guestNs(1), 20, "ping", "-c", "3", "-i", "0.2", "-W", "2",
                guestIp(2));
            assertTrue(ping.ok(), ping.output() + topology.log(1) + topology.log(2));
            final Topology.Result back = inNs(topology.guestNs(2), 20, "ping", "-c", "2", "-i", "0.2", "-W", "2",
                guestIp(1));
            assertTrue(back.ok(), back.output());
            final Topology.Result server = inNs(topology.guestNs(2), 5, "iperf3", "-s", "-D", "-1", "-p", iperfPort);
            assertTrue(server.ok(), server.output());
            Thread.sleep(300);
            final Topology.Result tcp = inNs(topology.guestNs(1), 30, "iperf3", "-c", guestIp(2), "-p", iperfPort,
                "-t", "1");
            assertTrue(tcp.ok(), tcp.output() + topology.log(1) + topology.log(2));
        }
        finally
        {
            topology.close();
        }
        for (final String ns : topology.namespaces())
        {
            assertFalse(Files.exists(Path.of("/var/run/netns", ns)), ns + " left behind");
        }
    }
}
