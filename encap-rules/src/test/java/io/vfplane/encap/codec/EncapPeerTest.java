package io.vfplane.encap.codec;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vfplane.encap.config.RuleFile;
import io.vfplane.encap.rules.RuleSet;
import io.vfplane.encap.testsupport.CodecHarness;
import io.vfplane.encap.testsupport.Frames;
import io.vfplane.encap.testsupport.TestPcap;
import io.vfplane.encap.testsupport.Tshark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Encapsulates frames in every format and has tshark (checksum validation on) decode them; then decapsulates the
 * same bytes and gets the inner frame back.
 */
class EncapPeerTest
{
    private static final String RULES = String.join("\n",
        "underlay:",
        "  local-ipv4: 192.0.2.1",
        "  local-ipv6: 2001:db8::1",
        "  local-mac: 02:00:00:00:00:01",
        "  gateway-mac: 02:00:00:00:00:fe",
        "formats:",
        "  - name: acme",
        "    udp-port: 7777",
        "    header-length: 12",
        "    vni: {offset: 4, width: 24}",
        "    flow-id: {offset: 8, width: 16}",
        "    fixed: [{offset: 0, bytes: \"a1 b2 00 01\"}]",
        "geneve-known-options: [{class: 0x0102, type: 0x80}]",
        "egress:",
        "  - {match: {vf: 0}, action: encap, format: vxlan, remote: 192.0.2.2, vni: 42, udp-checksum: compute}",
        "  - match: {vf: 1}",
        "    action: encap",
        "    format: geneve",
        "    remote: 192.0.2.3",
        "    vni: 43",
        "    udp-checksum: compute",
        "    geneve-options: [{class: 0x0102, type: 0x80, data: \"00 00 00 2a\"}, {class: 0x0103, type: 1}]",
        "  - {match: {vf: 2}, action: encap, format: nvgre, remote: 192.0.2.4, vni: 5000}",
        "  - {match: {vf: 3}, action: encap, format: geneve, remote: \"2001:db8::2\", vni: 44, ttl: inherit}",
        "  - {match: {vf: 4}, action: encap, format: vxlan, remote: 192.0.2.5, vni: 45, dscp: 10, df: set}",
        "  - {match: {vf: 5}, action: encap, format: acme, remote: 192.0.2.6, vni: 46, udp-checksum: compute}",
        "  - {match: {vf: 6}, action: encap, format: vxlan, remote: \"2001:db8::7\", vni: 47, dscp: inherit}",
        "ingress:",
        "  - {match: {dst-ip: 192.0.2.2, format: vxlan, vni: 42}, action: deliver, vf: 10}",
        "  - {match: {dst-ip: 192.0.2.3, format: geneve, vni: 43}, action: deliver, vf: 11}",
        "  - {match: {format: nvgre, vni: 5000}, action: deliver, vf: 12}",
        "  - {match: {dst-ip: \"2001:db8::2\", format: geneve, vni: 44}, action: deliver, vf: 13}",
        "  - {match: {format: vxlan, vni: 45, src-ip: 192.0.2.1}, action: deliver, vf: 14}",
        "  - {match: {format: acme, vni: 46}, action: deliver, vf: 15}",
        "  - {match: {format: vxlan, vni: 47}, action: deliver, vf: 16}",
        "");

    private static final String GRE_RULES = String.join("\n",
        "underlay: {local-ipv4: 192.0.2.1, local-ipv6: \"2001:db8::1\"}",
        "egress:",
        "  - {match: {vf: 0}, action: encap, format: gre, remote: 192.0.2.8, vni: 0xDEADBEEF}",
        "  - {match: {vf: 1}, action: encap, format: gre, remote: \"2001:db8::8\", vni: 77}",
        "ingress:",
        "  - {match: {format: gre, vni: 0xDEADBEEF}, action: deliver, vf: 20}",
        "  - {match: {format: gre, vni: 77}, action: deliver, vf: 21}",
        "");

    private static CodecHarness harness;
    private static RuleSet rules;
    private static RuleSet greRules;
    private static final List<byte[]> inner = new ArrayList<>();
    private static final List<byte[]> outer = new ArrayList<>();
    private static final List<Integer> expectedVf = new ArrayList<>();

    @TempDir
    static Path dir;

    @BeforeAll
    static void encapsulateEverything() throws Exception
    {
        harness = new CodecHarness();
        rules = RuleFile.parse("peer.yaml", new StringReader(RULES));
        greRules = RuleFile.parse("gre.yaml", new StringReader(GRE_RULES));
        for (int vf = 0; vf <= 6; vf++)
        {
            final byte[] frame = vf == 6 ?
                Frames.udp6(0x0200_0000_0B02L, 0x0200_0000_0B01L, Frames.ip6("fd00::1"), Frames.ip6("fd00::2"), 33,
                    40 + vf) :
                Frames.icmpEcho(0x0200_0000_0A02L, 0x0200_0000_0A01L, Frames.ip("10.0.0.1"), Frames.ip("10.0.0.2"),
                    17, 0x2B, true, 32 + vf);
            encap(rules, frame, vf, 10 + vf);
        }
        for (int vf = 0; vf <= 1; vf++)
        {
            encap(greRules, Frames.icmpEcho(0x0200_0000_0A02L, 0x0200_0000_0A01L, Frames.ip("10.0.0.1"),
                Frames.ip("10.0.0.2"), 64, 0, false, 20), vf, 20 + vf);
        }
        TestPcap.write(dir.resolve("encap.pcap"), outer);
    }

    private static void encap(final RuleSet set, final byte[] frame, final int vf, final int deliverVf)
    {
        final CodecHarness.Result r = harness.egress(set, frame, vf);
        assertEquals(TunnelDrop.NONE, r.drop(), "vf " + vf);
        inner.add(frame);
        outer.add(r.frame());
        expectedVf.add(deliverVf);
    }

    @AfterAll
    static void close()
    {
        harness.close();
    }

    @Test
    void shouldBeDecodedByTsharkAsTheIntendedTunnelWithGoodChecksums() throws Exception
    {
        final List<String> lines = Tshark.fields(dir.resolve("encap.pcap"), List.of(),
            "frame.protocols", "ip.checksum.status", "udp.checksum.status", "vxlan.vni", "geneve.vni",
            "geneve.option.class", "geneve.option.type", "gre.key", "gre.proto", "ip.ttl", "ipv6.hlim",
            "ip.dsfield.dscp", "ip.flags.df", "icmp.checksum.status");
        assertEquals(9, lines.size(), String.join("\n", lines));
        final String[][] f = new String[lines.size()][];
        for (int i = 0; i < lines.size(); i++)
        {
            f[i] = lines.get(i).split("\\|", -1);
        }
        // 0: VXLAN over IPv4, UDP checksum computed
        assertEquals("eth:ethertype:ip:udp:vxlan:eth:ethertype:ip:icmp:data", f[0][0]);
        assertEquals("1,1", f[0][1]);
        assertEquals("1", f[0][2]);
        assertEquals("42", f[0][3]);
        assertEquals("1", f[0][13]);
        // 1: Geneve with two options, one critical
        assertEquals("eth:ethertype:ip:udp:geneve:eth:ethertype:ip:icmp:data", f[1][0]);
        assertEquals("1,1", f[1][1]);
        assertEquals("1", f[1][2]);
        assertEquals(43L, Long.decode(f[1][4]));
        assertEquals("0x0102,0x0103", f[1][5]);
        assertEquals("0x80,0x01", f[1][6]);
        // 2: NVGRE: VSID 5000 in the top 24 bits of the key
        assertEquals("eth:ethertype:ip:gre:eth:ethertype:ip:icmp:data", f[2][0]);
        assertEquals("1,1", f[2][1]);
        assertEquals(5000L, Long.decode(f[2][7]) >>> 8);
        assertEquals("0x6558", f[2][8]);
        // 3: Geneve over IPv6 (UDP checksum computed by default), hop limit inherited from the inner TTL
        assertEquals("eth:ethertype:ipv6:udp:geneve:eth:ethertype:ip:icmp:data", f[3][0]);
        assertEquals("1", f[3][2]);
        assertEquals("17", f[3][10]);
        // 4: VXLAN, DSCP 10 set, DF set, UDP checksum zero (absent over IPv4)
        assertEquals("eth:ethertype:ip:udp:vxlan:eth:ethertype:ip:icmp:data", f[4][0]);
        assertEquals("1,1", f[4][1]);
        assertEquals("3", f[4][2]);
        assertEquals("10,10", f[4][11]);
        assertEquals("1,1", f[4][12]);
        // 5: the custom format is UDP payload to tshark; the UDP checksum covers it
        assertEquals("eth:ethertype:ip:udp:data", f[5][0]);
        assertEquals("1", f[5][1]);
        assertEquals("1", f[5][2]);
        // 6: VXLAN over IPv6 with an inner IPv6 UDP frame: both UDP checksums good
        assertEquals("eth:ethertype:ipv6:udp:vxlan:eth:ethertype:ipv6:udp:data", f[6][0]);
        assertEquals("1,1", f[6][2]);
        // 7, 8: GRE TEB with a 32-bit key, over IPv4 and IPv6
        assertEquals("eth:ethertype:ip:gre:eth:ethertype:ip:icmp:data", f[7][0]);
        assertEquals("1,1", f[7][1]);
        assertEquals("0xdeadbeef", f[7][7]);
        assertEquals("eth:ethertype:ipv6:gre:eth:ethertype:ip:icmp:data", f[8][0]);
        assertEquals("0x0000004d", f[8][7]);
    }

    @Test
    void shouldHaveNoMalformedOrExpertChecksumWarningsInTheVerboseDecode() throws Exception
    {
        final String verbose = Tshark.verbose(dir.resolve("encap.pcap"), List.of());
        assertEquals(-1, verbose.indexOf("Malformed"), "malformed frame in tshark -V output");
        for (final String bad : new String[]{"[Bad]", "incorrect", "Bad checksum"})
        {
            final int at = verbose.indexOf(bad);
            assertEquals(-1, at, () -> verbose.substring(Math.max(0, at - 600), Math.min(verbose.length(), at + 200)));
        }
    }

    @Test
    void shouldDecapsulateWhatItEncapsulatedBackToTheSameInnerFrame()
    {
        for (int i = 0; i < outer.size(); i++)
        {
            final RuleSet set = i < 7 ? rules : greRules;
            final CodecHarness.Result r = harness.ingress(set, outer.get(i));
            assertEquals(TunnelDrop.NONE, r.drop(), "frame " + i);
            assertNotNull(r.frame());
            assertArrayEquals(inner.get(i), r.frame(), "frame " + i);
            assertEquals(expectedVf.get(i), r.d().vf(), "frame " + i);
        }
    }

    @Test
    void shouldWriteTheSameOuterUdpSourcePortForOneFlowFromTheEphemeralRange()
    {
        final byte[] frame = inner.get(0);
        final byte[] a = harness.egress(rules, frame, 0).frame();
        final byte[] b = harness.egress(rules, frame, 0).frame();
        final int portA = (a[34] & 0xFF) << 8 | (a[35] & 0xFF);
        final int portB = (b[34] & 0xFF) << 8 | (b[35] & 0xFF);
        assertEquals(portA, portB);
        assertEquals(true, portA >= 49152, "source port " + portA);
    }

    @Test
    void shouldKeepFilesForInspection() throws Exception
    {
        assertEquals(true, Files.size(dir.resolve("encap.pcap")) > 24);
    }
}
