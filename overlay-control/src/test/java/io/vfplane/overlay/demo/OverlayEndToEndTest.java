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
import static io.vfplane.overlay.demo.Topology.underlayIp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two daemons in two host namespaces, a guest namespace on each VF, real traffic across (ping, iperf3), spoofing and
 * isolation, a refused second daemon, SIGTERM and restart. Everything created is removed in {@link #tearDown()}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class OverlayEndToEndTest
{
    /** A guest behind host 2 in another virtual network: host 1's guest must never reach it. */
    private static final String OTHER_VNI_MAC = "02:00:00:88:00:02";
    private static final String EXTRA = "  - name: h2-vni88\n    endpoint: 10.99.0.2\n    hosts:\n" +
        "      - {vni: 88, mac: " + OTHER_VNI_MAC + ", ip: 192.168.88.2}\n";

    private Topology topology;
    private Path config1;
    private Path config2;

    @BeforeAll
    void setUp() throws Exception
    {
        RootSupport.assumeRoot();
        topology = Topology.create("vfpe2e", RootSupport.workDir("e2e"));
        config1 = topology.writeConfig(1, EXTRA);
        // host 1's TAP is multi-queue: the guest's flows spread over two queues, a receive thread each
        // and its config turns the Prometheus endpoint off
        Files.writeString(config1, Files.readString(config1).replace("    ips: [", "    queues: 2\n    ips: [")
            .replace("vfs:\n", "control: {metrics: off}\nvfs:\n"));
        config2 = topology.writeConfig(2, null);
        assertTrue(topology.startDaemon(1, config1).isAlive(), topology.log(1));
        assertTrue(topology.startDaemon(2, config2).isAlive(), topology.log(2));
    }

    @AfterAll
    void tearDown()
    {
        if (topology != null)
        {
            topology.close();
            for (final String ns : topology.namespaces())
            {
                assertFalse(java.nio.file.Files.exists(Path.of("/var/run/netns", ns)), ns + " left behind");
            }
        }
    }

    @Test
    @Order(1)
    void shouldPingAcrossTwoDaemons() throws Exception
    {
        final Topology.Result ping = inNs(topology.guestNs(1), 20, "ping", "-c", "3", "-i", "0.2", "-W", "2",
            guestIp(2));
        assertTrue(ping.ok(), ping.output() + topology.log(1) + topology.log(2));
        assertTrue(ping.output().contains("3 received"), ping.output());
        assertTrue(topology.counter(1, "stage.encap.encapsulated") >= 3);
        assertTrue(topology.counter(2, "stage.decap.decapsulated") >= 3);
        // IPv6 too: the guests' addresses from host.yaml, their neighbours written by the daemons (no multicast
        // neighbour discovery crosses the overlay), the spoof check letting each guest's configured address out
        final Topology.Result ping6 = inNs(topology.guestNs(1), 20, "ping", "-6", "-c", "3", "-i", "0.2", "-W", "2",
            Topology.guestIp6(2));
        assertTrue(ping6.ok() && ping6.output().contains("3 received"), ping6.output() + topology.log(1));
    }

    @Test
    @Order(2)
    void shouldCarryIperf3TcpAndUdpAcross() throws Exception
    {
        // one-off servers (-1): each exits after its client, so nothing has to be killed afterwards
        final Topology.Result server = inNs(topology.guestNs(2), 5, "iperf3", "-s", "-D", "-1", "-p", "5201");
        assertTrue(server.ok(), server.output());
        assertTrue(inNs(topology.guestNs(2), 5, "iperf3", "-s", "-D", "-1", "-p", "5202").ok());
        Thread.sleep(300);
        // sixteen streams from guest 1: its multi-queue TAP spreads them over both queues (the kernel picks a queue
        // by a random per-flow hash, so all seventeen flows, with iperf3's control connection, land on one queue
        // only once in 2^16 runs)
        final Topology.Result tcp = inNs(topology.guestNs(1), 30, "iperf3", "-c", guestIp(2), "-p", "5201", "-t",
            "2", "-P", "16", "-J");
        assertTrue(tcp.ok(), tcp.output());
        assertTrue(bitsPerSecond(tcp.output(), "sum_received") > 1e6, tcp.output());
        final Topology.Result queues = inNs(topology.guestNs(1), 5, "tc", "-s", "qdisc", "show", "dev",
            topology.tap(1));
        assertEquals(2, queuesThatSent(queues.output()), "both TAP queues carried guest 1's traffic: " +
            queues.output());
        final Topology.Result udp = inNs(topology.guestNs(1), 30, "iperf3", "-c", guestIp(2), "-p", "5202", "-u",
            "-b", "20M", "-t", "2", "-J");
        assertTrue(udp.ok(), udp.output());
        assertTrue(udp.output().contains("\"packets\""), udp.output());
        assertTrue(bitsPerSecond(udp.output(), "sum") > 1e6, udp.output());
    }

    /** Child qdiscs of a multi-queue device's {@code mq} root (one per TX queue) that sent packets. */
    private static int queuesThatSent(final String tcStatistics)
    {
        int sent = 0;
        boolean child = false;
        for (final String line : tcStatistics.split("\n"))
        {
            final String t = line.trim();
            if (t.startsWith("qdisc "))
            {
                child = t.contains(" parent ");
            }
            else if (child && t.startsWith("Sent ") && !t.startsWith("Sent 0 bytes"))
            {
                sent++;
            }
        }
        return sent;
    }

    @Test
    @Order(3)
    void shouldDropGuestFramesWithForeignSourceMacOrIpAndCountThem() throws Exception
    {
        final long macBefore = topology.counter(1, "vf.0.tx_drop.spoofed_source_mac");
        final long ipBefore = topology.counter(1, "vf.0.tx_drop.spoofed_source_ip");
        // the spoofed frames must not reach guest 2: watched there (the VF's rx counter would also count whatever
        // else guest 1 sends meanwhile, e.g. late datagrams of the UDP test or IPv6 neighbour discovery)
        final Process watch = new ProcessBuilder("ip", "netns", "exec", topology.guestNs(2), "timeout", "20",
            "tcpdump", "-i", topology.tap(2), "-n", "-l", "(icmp and (ether src 02:00:00:66:66:66 or src host " +
            "192.168.77.99)) or (ip6 and src host 2001:db8::66)").redirectOutput(RootSupport.workDir("e2e").resolve("spoof-watch.txt").toFile()).start();
        final java.io.BufferedReader watchErr = new java.io.BufferedReader(
            new java.io.InputStreamReader(watch.getErrorStream()));
        String line = watchErr.readLine();
        while (line != null && !line.contains("listening on")) // said once its filter is in place
        {
            line = watchErr.readLine();
        }
        assertTrue(line != null, "tcpdump did not start in guest 2's namespace");
        final String scapy = "from scapy.all import Ether, IP, IPv6, ICMP, UDP, sendp\n" +
            "sendp(Ether(src='02:00:00:66:66:66', dst='" + guestMac(2) + "')/IP(src='" + guestIp(1) + "', dst='" +
            guestIp(2) + "')/ICMP(), iface='" + topology.tap(1) + "', count=4, verbose=0)\n" +
            "sendp(Ether(src='" + guestMac(1) + "', dst='" + guestMac(2) + "')/IP(src='192.168.77.99', dst='" +
            guestIp(2) + "')/ICMP(), iface='" + topology.tap(1) + "', count=3, verbose=0)\n" +
            // IPv6 from an address the VF does not have (it has IPv4 addresses, so IPv6 is checked too)
            "sendp(Ether(src='" + guestMac(1) + "', dst='" + guestMac(2) + "')/IPv6(src='2001:db8::66', " +
            "dst='2001:db8::2')/UDP(dport=9)/b'x', iface='" + topology.tap(1) + "', count=2, verbose=0)\n";
        final Topology.Result sent = inNs(topology.guestNs(1), 30, RootSupport.SYSTEM_PYTHON, "-c", scapy);
        assertTrue(sent.ok(), sent.output());
        Thread.sleep(500);
        watch.destroy();
        watch.waitFor();
        final String seen = java.nio.file.Files.readString(RootSupport.workDir("e2e").resolve("spoof-watch.txt")).trim();
        assertEquals(4, topology.counter(1, "vf.0.tx_drop.spoofed_source_mac") - macBefore);
        assertEquals(3 + 2, topology.counter(1, "vf.0.tx_drop.spoofed_source_ip") - ipBefore, "IPv4 and IPv6");
        assertEquals("", seen, "a spoofed frame reached guest 2");
    }

    @Test
    @Order(4)
    void shouldDropFramesIntoAnotherVirtualNetworkAndCountThem() throws Exception
    {
        // out of guest 1 toward a guest that host 2 has in VNI 88: guest 1's VF is in VNI 77, so no egress rule
        final long egressBefore = topology.counter(1, "stage.encap.drop.no_rule");
        final String scapy = "from scapy.all import Ether, IP, ICMP, sendp\n" +
            "sendp(Ether(src='" + guestMac(1) + "', dst='" + OTHER_VNI_MAC + "')/IP(src='" + guestIp(1) +
            "', dst='192.168.88.2')/ICMP(), iface='" + topology.tap(1) + "', count=5, verbose=0)\n";
        assertTrue(inNs(topology.guestNs(1), 30, RootSupport.SYSTEM_PYTHON, "-c", scapy).ok());
        // into host 1 from host 2's underlay address, VNI 88 for guest 1's MAC: no ingress rule
        final long ingressBefore = topology.counter(1, "stage.decap.drop.no_rule");
        final long deliveredBefore = topology.counter(1, "vf.0.rx_packets");
        final Topology.Result forged = inNs(topology.hostNs(2), 30, RootSupport.SYSTEM_PYTHON, "-c",
            RootSupport.forgedVxlan(underlayIp(2), underlayIp(1), 88, guestMac(1)));
        assertTrue(forged.ok(), forged.output());
        Thread.sleep(500);
        assertTrue(topology.counter(1, "stage.encap.drop.no_rule") - egressBefore >= 5);
        assertEquals(5, topology.counter(1, "stage.decap.drop.no_rule") - ingressBefore);
        assertEquals(deliveredBefore, topology.counter(1, "vf.0.rx_packets"), "a frame crossed VNIs");
    }

    @Test
    @Order(5)
    void shouldRefuseASecondDaemonOnTheSameTapAndPortAndLeaveTheFirstWorking() throws Exception
    {
        final Topology.Result second = topology.tryDaemon(1, config1);
        assertEquals(1, second.exitCode(), second.output());
        assertTrue(second.output().contains("in use by another vfplane daemon"), second.output());
        final Topology.Result ping = inNs(topology.guestNs(1), 20, "ping", "-c", "2", "-i", "0.2", "-W", "2",
            guestIp(2));
        assertTrue(ping.ok(), ping.output());
    }

    @Test
    @Order(6)
    void shouldExitZeroOnSigtermRemoveItsTapAndComeBackOnRestart() throws Exception
    {
        assertEquals(0, topology.stopDaemon(1), topology.log(1));
        final Topology.Result links = inNs(topology.guestNs(1), 10, "ip", "link");
        assertFalse(links.output().contains(topology.tap(1)), links.output());
        // drained: every buffer back in its pool, the underlay's posted receive slots included
        assertTrue(topology.log(1).contains("stopped (0 buffers in flight at the end)"), topology.log(1));
        assertTrue(topology.startDaemon(1, config1).isAlive(), topology.log(1));
        final Topology.Result ping = inNs(topology.guestNs(1), 20, "ping", "-c", "2", "-i", "0.2", "-W", "2",
            guestIp(2));
        assertTrue(ping.ok(), ping.output() + topology.log(1));
    }

    @Test
    @Order(7)
    void shouldServeShowVfSetRulesLoadAndMetricsThroughTheControlApi() throws Exception
    {
        final String instance = topology.instance(2);
        final Topology.Result vfs = topology.cli(2, "show", "vfs", "-i", instance);
        assertTrue(vfs.ok() && vfs.output().contains("spoof checking on"), vfs.output());
        final Topology.Result rules = topology.cli(2, "show", "rules", "-i", instance);
        assertTrue(rules.output().contains("encap vxlan remote 10.99.0.1 vni 77"), rules.output());
        final Topology.Result set = topology.cli(2, "vf", "set", "0", "spoofchk", "off", "max_tx_rate", "500",
            "-i", instance);
        assertTrue(set.ok(), set.output());
        assertTrue(topology.cli(2, "show", "vfs", "-i", instance).output().contains("spoof checking off"));
        final Topology.Result badVf = topology.cli(2, "vf", "set", "0", "vlan", "5000", "-i", instance);
        assertEquals(1, badVf.exitCode(), badVf.output());
        assertTrue(badVf.output().contains("vlan"), badVf.output());
        final Topology.Result newMac = topology.cli(2, "vf", "set", "0", "mac", "02:00:00:77:00:99", "-i", instance);
        assertEquals(1, newMac.exitCode(), newMac.output());
        assertTrue(newMac.output().contains("mac cannot change while the daemon runs"), newMac.output());
        final Topology.Result noVf = topology.cli(2, "vf", "set", "3", "spoofchk", "off", "-i", instance);
        assertEquals(1, noVf.exitCode(), noVf.output());
        assertTrue(noVf.output().contains("vf 3: no such VF"), noVf.output());
        final Path bad = RootSupport.workDir("e2e").resolve("rules.yaml");
        java.nio.file.Files.writeString(bad, "ingress:\n  - match: {format: vxlan, vni: 16777216}\n" +
            "    action: deliver\n    vf: 0\n");
        final Topology.Result load = topology.cli(2, "rules", "load", bad.toString(), "-i", instance);
        assertEquals(2, load.exitCode(), load.output());
        assertTrue(load.output().contains("rules.yaml:2: ingress[0]"), load.output());
        // valid rules, but one asks for an outer TTL the daemon's UDP socket cannot set per rule: refused at its line
        java.nio.file.Files.writeString(bad, "underlay: {local-ipv4: 10.99.0.2}\negress:\n" +
            "  - {match: {vf: 0}, action: encap, format: vxlan, remote: 10.99.0.1, vni: 77, ttl: 5}\n");
        final Topology.Result ttl = topology.cli(2, "rules", "load", bad.toString(), "-i", instance);
        assertEquals(1, ttl.exitCode(), "refused by the daemon, which knows its underlay: " + ttl.output());
        assertTrue(ttl.output().contains("rules.yaml:3: egress[0].ttl: the kernel writes"), ttl.output());
        final Topology.Result metrics = topology.cli(2, "show", "metrics", "-i", instance);
        assertTrue(metrics.output().contains("vfplane_vf_0_rx_packets{counter=\"vf.0.rx_packets\"}"),
            metrics.output());
        final Topology.Result noMetrics = topology.cli(1, "show", "metrics", "-i", topology.instance(1));
        assertTrue(!noMetrics.ok() && noMetrics.output().contains("control.metrics"),
            "host 1 has metrics off: " + noMetrics.output());
        final Topology.Result ping = inNs(topology.guestNs(1), 20, "ping", "-c", "2", "-i", "0.2", "-W", "2",
            guestIp(2));
        assertTrue(ping.ok(), "rules untouched by the refused load: " + ping.output());
    }

    static double bitsPerSecond(final String iperfJson, final String section)
    {
        final int at = iperfJson.lastIndexOf("\"" + section + "\"");
        final int bps = iperfJson.indexOf("\"bits_per_second\"", at);
        final int colon = iperfJson.indexOf(':', bps);
        int end = colon + 1;
        while (end < iperfJson.length() && "0123456789.eE+- \t".indexOf(iperfJson.charAt(end)) >= 0)
        {
            end++;
        }
        return Double.parseDouble(iperfJson.substring(colon + 1, end).trim());
    }
}
