package io.vfplane.overlay.demo;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static io.vfplane.overlay.demo.Topology.guestIp;
import static io.vfplane.overlay.demo.Topology.inNs;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two-daemon topology over Netty's epoll transport ({@code underlay.transport: epoll}; root): ping both ways, and
 * a short TCP run (UDP GSO out, GRO trains read one per recvmsg by Netty).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EpollEndToEndTest
{
    private Topology topology;

    @BeforeAll
    void setUp() throws Exception
    {
        RootSupport.assumeRoot();
        topology = Topology.create("vfpepl", RootSupport.workDir("epoll")).transport("epoll");
        assertTrue(topology.startDaemon(1, topology.writeConfig(1, null)).isAlive(), topology.log(1));
        assertTrue(topology.startDaemon(2, topology.writeConfig(2, null)).isAlive(), topology.log(2));
    }

    @AfterAll
    void tearDown()
    {
        if (topology != null)
        {
            topology.close();
            for (final String ns : topology.namespaces())
            {
                assertFalse(Files.exists(Path.of("/var/run/netns", ns)), ns + " left behind");
            }
        }
    }

    @Test
    void shouldPingAndCarryTcpAcrossTwoDaemonsOverNettyEpoll() throws Exception
    {
        assertTrue(topology.log(1).contains("underlay transport: epoll"), topology.log(1));
        final Topology.Result ping = inNs(topology.guestNs(1), 20, "ping", "-c", "3", "-i", "0.2", "-W", "2",
            guestIp(2));
        assertTrue(ping.ok(), ping.output() + topology.log(1) + topology.log(2));
        final Topology.Result back = inNs(topology.guestNs(2), 20, "ping", "-c", "2", "-i", "0.2", "-W", "2",
            guestIp(1));
        assertTrue(back.ok(), back.output());
        final Topology.Result server = inNs(topology.guestNs(2), 5, "iperf3", "-s", "-D", "-1", "-p", "5222");
        assertTrue(server.ok(), server.output());
        Thread.sleep(300);
        final Topology.Result tcp = inNs(topology.guestNs(1), 30, "iperf3", "-c", guestIp(2), "-p", "5222", "-t",
            "1");
        assertTrue(tcp.ok(), tcp.output() + topology.log(1) + topology.log(2));
    }
}
