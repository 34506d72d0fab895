package io.vfplane.overlay.config;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vfplane.encap.rules.EgressRule;
import io.vfplane.encap.rules.RuleSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

final class HostConfigFileTest
{
    private static final String GOOD = """
        instance: h1
        pf: pf0
        underlay:
          bind: 10.99.0.1
          port: 4789
          transport: epoll
          mtu: 1500
        vfs:
          - index: 0
            tap: vfp0
            mac: 02:00:00:77:00:01
            vni: 77
            ips: [192.168.77.1]
            spoofchk: on
            trust: off
            state: auto
            max_tx_rate: 100
            guest: {netns: g1, address: 192.168.77.1/24}
          - index: 1
            tap: vfp1
            mac: 02:00:00:77:00:03
            vni: 77
        peers:
          - name: h2
            endpoint: 10.99.0.2
            vnis: [77]
            hosts:
              - {vni: 77, mac: 02:00:00:77:00:02, ip: 192.168.77.2}
        """;

    private static HostConfig parse(final String text) throws HostConfigException
    {
        return HostConfigFile.parse("host.yaml", new StringReader(text));
    }

    private static List<String> errors(final String text)
    {
        return assertThrows(HostConfigException.class, () -> parse(text)).errors();
    }

    @Test
    void shouldReadEveryFieldOfAGoodConfig() throws Exception
    {
        final HostConfig c = parse(GOOD);
        assertEquals("h1", c.instance());
        assertEquals("10.99.0.1", c.underlay().bind().getHostAddress());
        assertEquals(HostConfig.Transport.EPOLL, c.underlay().transport());
        assertEquals(2, c.vfs().size());
        final HostConfig.Vf vf = c.vf(0);
        assertEquals(0x02_00_00_77_00_01L, vf.mac());
        assertEquals(77, vf.vni());
        assertEquals(100, vf.maxTxRate());
        assertEquals("g1", vf.guest().netns());
        assertEquals(1450, vf.guest().mtu(), "1500 minus VXLAN's 50");
        assertNull(c.vf(1).guest());
        assertEquals(List.of(77), c.peers().get(0).vnis());
        assertEquals("192.168.77.2", c.peers().get(0).hosts().get(0).ip().getHostAddress());
    }

    @Test
    void shouldLeaveRoomForAPortVlansTagAndRefuseAGuestMtuTheUnderlayCannotCarry() throws Exception
    {
        final HostConfig tagged = parse(GOOD.replace("    spoofchk: on\n", "    spoofchk: on\n    vlan: 100\n"));
        assertEquals(1446, tagged.vf(0).guest().mtu(), "1500 minus VXLAN's 50 minus the 4-byte tag");
        final List<String> errors = errors(GOOD.replace("{netns: g1, address: 192.168.77.1/24}",
            "{netns: g1, address: 192.168.77.1/24, mtu: 9000}"));
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).contains("vfs[0].guest.mtu") && errors.get(0).contains("1450"), errors.get(0));
    }

    @Test
    void shouldReadGuestAndPeerIpv6AddressesAndRefuseMalformedOnes() throws Exception
    {
        final HostConfig c = parse(GOOD
            .replace("ips: [192.168.77.1]", "ips: [192.168.77.1, \"fd77::1\"]")
            .replace("{netns: g1, address: 192.168.77.1/24}", "{netns: g1, address: 192.168.77.1/24, " +
                "address6: \"fd77::1/64\"}")
            .replace("ip: 192.168.77.2}", "ip: 192.168.77.2, ip6: \"fd77::2\"}"));
        assertEquals("fd77::1/64", c.vf(0).guest().address6());
        assertEquals("fd77:0:0:0:0:0:0:2", c.peers().get(0).hosts().get(0).ip6().getHostAddress());
        final List<String> errors = errors(GOOD
            .replace("{netns: g1, address: 192.168.77.1/24}", "{netns: g1, address: 192.168.77.1/24, " +
                "address6: \"fd77::1\"}")
            .replace("ip: 192.168.77.2}", "ip: 192.168.77.2, ip6: 192.168.77.2}"));
        assertEquals(2, errors.size(), errors.toString());
        assertTrue(errors.get(0).contains("vfs[0].guest.address6") && errors.get(0).contains("prefix length"),
            errors.get(0));
        assertTrue(errors.get(1).contains("peers[0].hosts[0].ip6") && errors.get(1).contains("not an IPv6"),
            errors.get(1));
        // a guest address the spoof check would refuse, and IPv6 on a link too small for it
        final List<String> refused = errors(GOOD
            .replace("{netns: g1, address: 192.168.77.1/24}", "{netns: g1, address: 192.168.77.1/24, " +
                "address6: \"fd77::1/64\", mtu: 1200}"));
        assertEquals(2, refused.size(), refused.toString());
        assertTrue(refused.get(0).contains("vfs[0].guest.address6") && refused.get(0).contains("at least 1280"),
            refused.get(0));
        assertTrue(refused.get(1).contains("vfs[0].guest.address6") && refused.get(1).contains("is not in vfs[0].ips"),
            refused.get(1));
    }

    @Test
    void shouldDefaultToNettyEpollAndReadPipelineCpus() throws Exception
    {
        final HostConfig plain = parse(GOOD.replace("  transport: epoll\n", ""));
        assertEquals(HostConfig.Transport.EPOLL, plain.underlay().transport(), "Netty epoll when none is named");
        assertEquals(List.of(), plain.pipelines().cpus(), "unpinned unless asked");
        final HostConfig pinned = parse(GOOD.replace("vfs:\n", "pipelines: {idle: blocking, cpus: [1, 0]}\nvfs:\n"));
        assertEquals(List.of(1, 0), pinned.pipelines().cpus());
        final List<String> errors = errors(GOOD.replace("vfs:\n", "pipelines: {cpus: [x]}\nvfs:\n"));
        assertTrue(errors.stream().anyMatch(e -> e.contains("pipelines.cpus[0]")), errors.toString());
    }

    @Test
    void shouldTakeIpv4AndIpv6AddressesForTheSpoofCheck() throws Exception
    {
        final HostConfig c = parse(GOOD.replace("ips: [192.168.77.1]", "ips: [192.168.77.1, \"2001:db8::1\"]"));
        assertEquals(List.of("192.168.77.1", "2001:db8:0:0:0:0:0:1"),
            c.vf(0).ips().stream().map(java.net.InetAddress::getHostAddress).toList());
        final List<String> errors = errors(GOOD.replace("ips: [192.168.77.1]", "ips: [192.168.77.1, nowhere]"));
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).endsWith("vfs[0].ips[1]: \"nowhere\" is not an IP address"), errors.toString());
    }

    @Test
    void shouldNameFileLineAndFieldOfABadValue()
    {
        final List<String> errors = errors(GOOD.replace("mac: 02:00:00:77:00:01", "mac: 02:00:zz:77:00:01"));
        assertEquals(List.of("host.yaml:11: vfs[0].mac: \"02:00:zz:77:00:01\" is not a MAC address"), errors);
    }

    @Test
    void shouldRefuseAnOutOfRangeVniAndAnUnknownField()
    {
        final List<String> errors = errors(GOOD.replace("vni: 77\n    ips", "vni: 16777216\n    colour: red\n    ips"));
        assertEquals(2, errors.size(), errors.toString());
        assertTrue(errors.contains("host.yaml:12: vfs[0].vni: 16777216 is out of range 0..16777215"),
            errors.toString());
        assertTrue(errors.stream().anyMatch(e -> e.startsWith("host.yaml:13: vfs[0].colour: unknown field")),
            errors.toString());
    }

    @Test
    void shouldRefuseDuplicateTapsAndMissingRequiredFields()
    {
        final List<String> errors = errors(GOOD.replace("tap: vfp1", "tap: vfp0").replace("    endpoint: 10.99.0.2\n",
            ""));
        assertTrue(errors.contains("host.yaml:20: vfs[1].tap: vfp0 is used by another VF"), errors.toString());
        assertTrue(errors.stream().anyMatch(e -> e.matches("host\\.yaml:\\d+: peers\\[0\\]\\.endpoint: is required")),
            errors.toString());
    }

    @Test
    void shouldRefuseAHostMappingOutsideThePeersVnis()
    {
        final List<String> errors = errors(GOOD.replace("{vni: 77, mac: 02:00:00:77:00:02", "{vni: 78, mac: " +
            "02:00:00:77:00:02"));
        assertEquals(List.of("host.yaml:28: peers[0].hosts[0].vni: 78 is not in peers[0].vnis [77]"), errors);
    }

    @Test
    void shouldRefuseAWrongTypeAndABadChoiceInOnePassNamingTheirLines()
    {
        final List<String> errors = errors(GOOD.replace("transport: epoll", "transport: dpdk")
            .replace("vnis: [77]", "vnis: 77"));
        assertEquals(List.of(
            "host.yaml:6: underlay.transport: \"dpdk\" is not one of epoll, io_uring, native",
            "host.yaml:26: peers[0].vnis: expected a list"), errors);
    }

    @Test
    void shouldRefuseAFileThatCannotBeReadNamingIt(@TempDir final Path dir)
    {
        final List<String> errors = assertThrows(HostConfigException.class,
            () -> HostConfigFile.read(dir.resolve("host.yaml"))).errors();
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("host.yaml:0: cannot read: "), errors.get(0));
    }

    @Test
    void shouldReadAGoodConfigFromAFile(@TempDir final Path dir) throws Exception
    {
        final Path file = Files.writeString(dir.resolve("h1.yaml"), GOOD);
        assertEquals(HostConfigFile.parse("h1.yaml", new StringReader(GOOD)).vfs(), HostConfigFile.read(file).vfs());
    }

    @Test
    void shouldRefuseBrokenYamlWithItsLine()
    {
        final List<String> errors = errors("pf: pf0\nunderlay: {bind: 10.0.0.1\nvfs: []\n");
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).startsWith("host.yaml:"), errors.get(0));
    }

    @Test
    void shouldCompileVfsAndPeersIntoRulesThatKeepVnisApart() throws Exception
    {
        final HostConfig c = parse(GOOD);
        final RuleSet rules = RuleCompiler.compile(c, c.peers());
        // vf0 -> vf1 deliver, vf0 -> peer guest encap, vf0 broadcast; the same for vf1
        assertEquals(6, rules.egressRules().size());
        assertTrue(rules.egressRules().stream().anyMatch(r -> r.sourceVf() == 0 &&
            r.action() == EgressRule.Action.DELIVER && r.deliverVf() == 1));
        assertTrue(rules.egressRules().stream().filter(r -> r.action() == EgressRule.Action.ENCAP)
            .allMatch(r -> r.tunnel().vni() == 77));
        // per VF its MAC from the peer; plus broadcast for the first VF of the VNI
        assertEquals(3, rules.ingressRules().size());
        assertTrue(rules.ingressRules().stream().allMatch(r -> r.srcIp() != null && r.vni() == 77));
    }
}
