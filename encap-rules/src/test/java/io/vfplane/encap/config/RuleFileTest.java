package io.vfplane.encap.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vfplane.encap.format.TunnelFormat;
import io.vfplane.encap.rules.RuleSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RuleFileTest
{
    static String readmeExample() throws IOException
    {
        Path readme = null;
        for (Path p = Path.of(System.getProperty("vfplane.repo.root", ".")).toAbsolutePath().normalize(); p != null;
            p = p.getParent())
        {
            if (Files.isRegularFile(p.resolve("encap-rules/README.md")))
            {
                readme = p.resolve("README.md");
                break;
            }
        }
        if (readme == null)
        {
            throw new IllegalStateException("README.md not found from the repository root");
        }
        // the complete example is the first yaml block of the repository README's "Rule file" section
        final String text = Files.readString(readme);
        final int section = text.indexOf("\n## Rule file\n");
        if (section < 0)
        {
            throw new IllegalStateException("README.md has no '## Rule file' section");
        }
        final int start = text.indexOf("```yaml\n", section) + "```yaml\n".length();
        final int end = text.indexOf("```", start);
        return text.substring(start, end);
    }

    private static List<String> errorsOf(final String yaml)
    {
        final RuleFileException ex = assertThrows(RuleFileException.class,
            () -> RuleFile.parse("rules.yaml", new StringReader(yaml)));
        return ex.errors();
    }

    @Test
    void shouldAcceptTheCompleteExampleInTheReadme() throws Exception
    {
        final RuleSet rules = RuleFile.parse("README.md", new StringReader(readmeExample()));
        assertEquals(6, rules.egressRules().size());
        assertEquals(4, rules.ingressRules().size());
        assertTrue(rules.formatByUdpPort(8472) >= 0);
        assertEquals("acme", rules.format(rules.formatByUdpPort(7777)).name());
        assertEquals(TunnelFormat.Kind.CUSTOM, rules.format(rules.formatByUdpPort(7777)).kind());
        assertTrue(rules.isKnownGeneveOption(0x0102, 0x80));
    }

    @Test
    void shouldNameFileLineAndFieldOfAnOutOfRangeVni()
    {
        final String yaml = String.join("\n",
            "underlay:",                               // 1
            "  local-ipv4: 192.0.2.1",                 // 2
            "egress:",                                 // 3
            "  - match: {vf: 0}",                      // 4
            "    action: drop",                        // 5
            "  - match: {vf: 1}",                      // 6
            "    action: drop",                        // 7
            "  - match: {vf: 2}",                      // 8
            "    action: drop",                        // 9
            "  - match: {vf: 3}",                      // 10
            "    action: encap",                       // 11
            "    format: vxlan",                       // 12
            "    remote: 192.0.2.2",                   // 13
            "    vni: 16777216",                       // 14
            "");
        assertEquals(List.of("rules.yaml:14: egress[3].vni: 16777216 is out of range 0..16777215"), errorsOf(yaml));
    }

    @Test
    void shouldRejectUnknownFieldsWithTheirLine()
    {
        final String yaml = String.join("\n",
            "egress:",
            "  - match: {vf: 0}",
            "    action: drop",
            "    colour: blue",
            "");
        final List<String> errors = errorsOf(yaml);
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).startsWith("rules.yaml:4: egress[0].colour: unknown field"), errors.get(0));
    }

    @Test
    void shouldReportEveryErrorAndApplyNothing()
    {
        final String yaml = String.join("\n",
            "underlay:",
            "  mtu: 20",
            "ingress:",
            "  - match: {format: vxlan, vni: 1, dst-ip: 300.1.1.1}",
            "    action: deliver",
            "  - match: {format: nosuch, vni: 1}",
            "    action: drop",
            "");
        final List<String> errors = errorsOf(yaml);
        assertEquals(List.of(
            "rules.yaml:2: underlay.mtu: 20 is out of range 576..65535",
            "rules.yaml:4: ingress[0].match.dst-ip: \"300.1.1.1\" is not an IP address",
            "rules.yaml:4: ingress[0].vf: is required",
            "rules.yaml:6: ingress[1].match.format: unknown format nosuch (known: vxlan, geneve, nvgre, gre)"),
            errors);
    }

    @Test
    void shouldRejectADuplicateMatchNamingTheLaterRule()
    {
        final String yaml = String.join("\n",
            "egress:",
            "  - match: {vf: 0, dst-ip: 10.0.0.0/8}",
            "    action: drop",
            "  - match: {vf: 0, dst-ip: 10.1.2.3/8}",
            "    action: drop",
            "");
        assertEquals(List.of("rules.yaml:4: egress[1].match: the same match as an earlier rule"), errorsOf(yaml));
    }

    @Test
    void shouldRejectTwoFormatsOnOneIpProtocol()
    {
        final String yaml = String.join("\n",
            "ingress:",
            "  - match: {format: nvgre, vni: 1}",
            "    action: drop",
            "  - match: {format: gre, vni: 1}",
            "    action: drop",
            "");
        final List<String> errors = errorsOf(yaml);
        assertTrue(errors.get(0).contains("both use IP protocol 47"), errors.get(0));
    }

    @Test
    void shouldReportBadYamlWithItsLine()
    {
        final List<String> errors = errorsOf("egress:\n  - match: {vf: 0\n    action: drop\n");
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).matches("rules\\.yaml:\\d+: .+"), errors.get(0));
    }

    @Test
    void shouldValidateCustomFormatFields()
    {
        final String yaml = String.join("\n",
            "formats:",
            "  - name: bad",
            "    udp-port: 9999",
            "    header-length: 8",
            "    vni: {offset: 6, width: 24}",
            "");
        final List<String> errors = errorsOf(yaml);
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).startsWith("rules.yaml:2: formats[0].vni.offset: 6 puts the field outside"),
            errors.get(0));
    }

    @Test
    void shouldReadAFileAndRefuseOneThatCannotBeReadNamingIt(@TempDir final Path dir) throws Exception
    {
        final Path file = Files.writeString(dir.resolve("rules.yaml"), readmeExample());
        assertEquals(6, RuleFile.read(file).egressRules().size());
        final List<String> errors = assertThrows(RuleFileException.class,
            () -> RuleFile.read(dir.resolve("absent.yaml"))).errors();
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("absent.yaml:0: cannot read: "), errors.get(0));
    }

    @Test
    void shouldRefuseForASocketUnderlayWhatItsKernelWritesOrItCannotCarryAtEachLine() throws Exception
    {
        final RuleFile.SocketUnderlay socket = new RuleFile.SocketUnderlay(TunnelFormat.VXLAN);
        final String yaml = String.join("\n",
            "underlay: {local-ipv4: 192.0.2.1, local-ipv6: \"2001:db8::1\", gateway-mac: \"02:00:00:00:00:fe\"}",
            "egress:",
            "  - {match: {vf: 0}, action: encap, format: vxlan, remote: 192.0.2.2, vni: 1}",
            "  - {match: {vf: 1}, action: encap, format: vxlan, remote: 192.0.2.2, vni: 2, ttl: 5, dscp: 10}",
            "  - {match: {vf: 2}, action: encap, format: geneve, remote: 192.0.2.2, vni: 3}",
            "  - {match: {vf: 3}, action: encap, format: vxlan, remote: \"2001:db8::2\", vni: 4}",
            "ingress:",
            "  - {match: {format: gre, vni: 5}, action: deliver, vf: 0}",
            "  - {match: {format: vxlan, vni: 6, dst-ip: \"2001:db8::1\"}, action: deliver, vf: 0}",
            "");
        final List<String> errors = assertThrows(RuleFileException.class,
            () -> RuleFile.parse("rules.yaml", new StringReader(yaml), socket)).errors();
        assertEquals(List.of(
            "rules.yaml:1: underlay.gateway-mac: the kernel writes the outer Ethernet header of a UDP socket " +
                "underlay: this cannot be set per rule",
            "rules.yaml:1: underlay.local-ipv6: the UDP socket underlay is IPv4",
            "rules.yaml:4: egress[1].ttl: the kernel writes the outer IP and UDP headers of a UDP socket " +
                "underlay: this cannot be set per rule",
            "rules.yaml:4: egress[1].dscp: the kernel writes the outer IP and UDP headers of a UDP socket " +
                "underlay: this cannot be set per rule",
            "rules.yaml:5: egress[2].format: geneve: this UDP socket underlay carries vxlan on UDP port 4789 only",
            "rules.yaml:6: egress[3].remote: the UDP socket underlay is IPv4",
            "rules.yaml:8: ingress[0].match.format: gre: this UDP socket underlay carries vxlan on UDP port 4789 only",
            "rules.yaml:9: ingress[1].match.dst-ip: \"2001:db8::1\" is not an IPv4 address"),
            errors);
        // the same file is fine where the outer headers are ours to write (pcap process, AF_PACKET)
        assertEquals(4, RuleFile.parse("rules.yaml", new StringReader(yaml)).egressRules().size());
    }
}
