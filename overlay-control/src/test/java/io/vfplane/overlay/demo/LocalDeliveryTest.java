package io.vfplane.overlay.demo;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import static io.vfplane.overlay.demo.Topology.guestIp;
import static io.vfplane.overlay.demo.Topology.guestMac;
import static io.vfplane.overlay.demo.Topology.inNs;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two VFs of one daemon in the same VNI (root): frames between them never touch the underlay (egress rule
 * {@code deliver}), and the g2u pipeline writes to the other VF's TAP through its own sender while u2g may write to
 * it too. Ping and a short iperf3 TCP run (64 KiB TSO frames handed from TAP to TAP) must get across, and the
 * receiving VF's own settings (here its link state) apply to what another VF sends it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalDeliveryTest
{
    private static final String LOCAL_IP = "192.168.77.3";
    private static final String LOCAL_MAC = "02:00:00:77:00:03";

    private Topology topology;

    @BeforeAll
    void setUp() throws Exception
    {
        RootSupport.assumeRoot();
        topology = Topology.create("vfplocal", RootSupport.workDir("local"));
        // host 1 with a second VF whose guest lives in what is host 2's guest namespace (no daemon runs there)
        final String config = topology.config(1, null).replace("peers:\n",
            "  - index: 1\n" +
            "    tap: vfplocal-l1\n" +
            "    mac: " + LOCAL_MAC + "\n" +
            "    vni: " + Topology.VNI + "\n" +
            "    ips: [" + LOCAL_IP + "]\n" +
            "    guest: {netns: " + topology.guestNs(2) + ", address: " + LOCAL_IP + "/24, mtu: " +
            Topology.GUEST_MTU + "}\n" +
            "peers:\n");
        final Path file = RootSupport.workDir("local").resolve("host1-local.yaml");
        Files.writeString(file, config);
        assertTrue(topology.startDaemon(1, file).isAlive(), topology.log(1));
        // the daemon writes neighbours only for remote guests: the local pair learns each other here
        assertTrue(inNs(topology.guestNs(1), 10, "ip", "neigh", "replace", LOCAL_IP, "lladdr", LOCAL_MAC, "dev",
            topology.tap(1), "nud", "permanent").ok());
        assertTrue(inNs(topology.guestNs(2), 10, "ip", "neigh", "replace", guestIp(1), "lladdr", guestMac(1),
            "dev", "vfplocal-l1", "nud", "permanent").ok());
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
    @Order(1)
    void shouldDeliverBetweenTwoVfsOfOneHostWithoutTheUnderlay() throws Exception
    {
        final Topology.Result ping = inNs(topology.guestNs(1), 20, "ping", "-c", "3", "-i", "0.2", "-W", "2",
            LOCAL_IP);
        assertTrue(ping.ok(), ping.output() + topology.log(1));
        final Topology.Result server = inNs(topology.guestNs(2), 5, "iperf3", "-s", "-D", "-1", "-p", "5211");
        assertTrue(server.ok(), server.output());
        Thread.sleep(300);
        final Topology.Result tcp = inNs(topology.guestNs(1), 30, "iperf3", "-c", LOCAL_IP, "-p", "5211", "-t",
            "1");
        assertTrue(tcp.ok(), tcp.output() + topology.log(1));
        assertTrue(topology.counter(1, "port.vfplocal-l1.tx_packets") > 100, "the second VF's TAP got the traffic");
        assertTrue(topology.counter(1, "port.vfplocal-t1.tx_packets") > 10, "the first VF's TAP got the answers");
        assertTrue(topology.counter(1, "port.udp-10.99.0.1-4789.tx_packets") == 0, "nothing went to the underlay");
        assertTrue(topology.counter(1, "vf.1.rx_packets") > 100, "received by VF 1, and counted as such");
    }

    @Test
    @Order(2)
    void shouldApplyTheReceivingVfsLinkStateToFramesFromALocalVf() throws Exception
    {
        final String instance = topology.instance(1);
        final long before = topology.counter(1, "vf.1.rx_drop.vf_link_down");
        assertTrue(topology.cli(1, "vf", "set", "1", "state", "disable", "-i", instance).ok());
        final Topology.Result ping = inNs(topology.guestNs(1), 20, "ping", "-c", "2", "-i", "0.2", "-W", "1",
            LOCAL_IP);
        assertFalse(ping.ok(), "VF 1 is down: nothing reaches it, not even from VF 0: " + ping.output());
        assertTrue(topology.counter(1, "vf.1.rx_drop.vf_link_down") >= before + 2, "and the drops are counted");
        assertTrue(topology.cli(1, "vf", "set", "1", "state", "auto", "-i", instance).ok());
        final Topology.Result again = inNs(topology.guestNs(1), 20, "ping", "-c", "2", "-i", "0.2", "-W", "2",
            LOCAL_IP);
        assertTrue(again.ok(), "up again: " + again.output());
    }
}
