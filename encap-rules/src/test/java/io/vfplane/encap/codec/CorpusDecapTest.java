package io.vfplane.encap.codec;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.vfplane.dataplane.testsupport.Corpus;
import io.vfplane.encap.config.RuleFile;
import io.vfplane.encap.rules.RuleSet;
import io.vfplane.encap.testsupport.CodecHarness;
import io.vfplane.encap.testsupport.TestPcap;
import io.vfplane.encap.testsupport.Tshark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decapsulates the corpus captures and compares the inner frames with what tshark shows inside the tunnel.
 */
class CorpusDecapTest
{
    private static CodecHarness harness;

    @BeforeAll
    static void open()
    {
        harness = new CodecHarness();
    }

    @AfterAll
    static void close()
    {
        harness.close();
    }

    private static RuleSet rules(final String yaml) throws Exception
    {
        return RuleFile.parse("corpus.yaml", new StringReader(yaml));
    }

    /**
     * Each frame decapsulates, and its inner destination MAC, source MAC and ether type equal tshark's second Ethernet
     * layer; where the inner frame is IP its length equals the inner IP length plus 14.
     */
    private static int assertInnerFramesMatchTshark(final String capture, final RuleSet rules, final List<String> extra,
        final int vf) throws Exception
    {
        final Path file = Corpus.file(capture);
        final List<byte[]> frames = TestPcap.read(file);
        final List<String> lines = Tshark.fields(file, extra, "eth.dst", "eth.src", "eth.type", "ip.len",
            "ipv6.plen");
        assertEquals(frames.size(), lines.size());
        int decapsulated = 0;
        for (int i = 0; i < frames.size(); i++)
        {
            final CodecHarness.Result r = harness.ingress(rules, frames.get(i));
            assertEquals(TunnelDrop.NONE, r.drop(), capture + " frame " + (i + 1));
            assertEquals(vf, r.d().vf());
            final byte[] inner = r.frame();
            final String[] f = lines.get(i).split("\\|", -1);
            assertEquals(f[0].split(",")[1], mac(inner, 0), capture + " frame " + (i + 1) + " inner dst");
            assertEquals(f[1].split(",")[1], mac(inner, 6), capture + " frame " + (i + 1) + " inner src");
            final int type = (inner[12] & 0xFF) << 8 | (inner[13] & 0xFF);
            assertEquals(Integer.decode(f[2].split(",")[1]).intValue(), type);
            final String[] ipLengths = f[3].split(",");
            if (type == 0x0800 && ipLengths.length > 1)
            {
                assertEquals(Integer.parseInt(ipLengths[1]) + 14, inner.length, capture + " frame " + (i + 1));
            }
            decapsulated++;
        }
        return decapsulated;
    }

    private static String mac(final byte[] b, final int at)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 6; i++)
        {
            sb.append(i == 0 ? "" : ":").append(String.format("%02x", b[at + i] & 0xFF));
        }
        return sb.toString();
    }

    @Test
    void shouldDecapsulateTheVxlanCaptureToTheInnerFramesTsharkShows() throws Exception
    {
        final RuleSet rules = rules("ingress: [{match: {format: vxlan, vni: 100}, action: deliver, vf: 3}]");
        assertEquals(10, assertInnerFramesMatchTshark("tcpdump/vxlan.pcap", rules, List.of(), 3));
        assertEquals(10, rules.ingressHits(0));
    }

    @Test
    void shouldDecapsulateVxlanOnTheLinuxPortWhenDeclared() throws Exception
    {
        final RuleSet rules = rules(String.join("\n",
            "formats: [{name: vxlan-linux, base: vxlan, udp-port: 8472}]",
            "ingress: [{match: {format: vxlan-linux, vni: 100}, action: deliver, vf: 4}]"));
        assertEquals(10, assertInnerFramesMatchTshark("tcpdump/vxlan_port_8472.pcap", rules,
            List.of("-d", "udp.port==8472,vxlan"), 4));
    }

    @Test
    void shouldDecapsulateTheGeneveCaptureWhenItsCriticalOptionIsKnown() throws Exception
    {
        final RuleSet rules = rules(String.join("\n",
            "geneve-known-options: [{class: 0, type: 0x80}]",
            "ingress:",
            "  - {match: {format: geneve, vni: 10}, action: deliver, vf: 1}",
            "  - {match: {format: geneve, vni: 11}, action: deliver, vf: 1}"));
        assertEquals(39, assertInnerFramesMatchTshark("tcpdump/geneve.pcap", rules, List.of(), 1));
    }

    @Test
    void shouldDropEveryGeneveFrameWithAnUnknownCriticalOption() throws Exception
    {
        final RuleSet rules = rules(String.join("\n",
            "ingress:",
            "  - {match: {format: geneve, vni: 10}, action: deliver, vf: 1}",
            "  - {match: {format: geneve, vni: 11}, action: deliver, vf: 1}"));
        final Path file = Corpus.file("tcpdump/geneve.pcap");
        final List<byte[]> frames = TestPcap.read(file);
        final List<String> optionTypes = Tshark.fields(file, List.of(), "frame.number", "geneve.option.type");
        int dropped = 0;
        for (int i = 0; i < frames.size(); i++)
        {
            final boolean critical = optionTypes.get(i).endsWith("|0x80");
            final TunnelDrop drop = harness.ingress(rules, frames.get(i)).drop();
            assertEquals(critical ? TunnelDrop.UNKNOWN_CRITICAL_OPTION : TunnelDrop.NONE, drop, "frame " + (i + 1));
            dropped += critical ? 1 : 0;
        }
        assertEquals(19, dropped);
    }

    @Test
    void shouldDecapsulateGeneveWithNonCriticalOptionsUnknown() throws Exception
    {
        // class 0x0100 options without the critical bit: skipped, the frame is delivered
        final RuleSet rules = rules("ingress: [{match: {format: geneve, vni: 0x000001}, action: deliver, vf: 2}]");
        final List<byte[]> frames = TestPcap.read(Corpus.file("zeek/tunnels_geneve-many-options.pcap"));
        final List<String> vnis = Tshark.fields(Corpus.file("zeek/tunnels_geneve-many-options.pcap"), List.of(),
            "geneve.vni");
        final RuleSet exact = rules("ingress: [{match: {format: geneve, vni: " + vnis.get(0) +
            "}, action: deliver, vf: 2}]");
        assertEquals(frames.size(), assertInnerFramesMatchTshark("zeek/tunnels_geneve-many-options.pcap", exact,
            List.of(), 2));
        assertTrue(rules.ingressRules().size() == 1);
    }

    @Test
    void shouldDecapsulateTheNvgreCaptureWithTheVsidFromTheKey() throws Exception
    {
        final RuleSet rules = rules("ingress: [{match: {format: nvgre, vni: 0x123456}, action: deliver, vf: 5}]");
        assertEquals(1, assertInnerFramesMatchTshark("packetnet/gre_nvgre.pcap", rules, List.of(), 5));
    }

    @Test
    void shouldDecapsulateTheNvgreCaptureAsGreTebWithTheWholeKey() throws Exception
    {
        final RuleSet rules = rules("ingress: [{match: {format: gre, vni: 0x12345602}, action: deliver, vf: 6}]");
        assertEquals(1, assertInnerFramesMatchTshark("packetnet/gre_nvgre.pcap", rules, List.of(), 6));
    }

    @Test
    void shouldNotDeliverAnotherNetworksTrafficAndCountNoRule() throws Exception
    {
        final RuleSet rules = rules("ingress: [{match: {format: vxlan, vni: 101}, action: deliver, vf: 3}]");
        for (final byte[] frame : TestPcap.read(Corpus.file("tcpdump/vxlan.pcap")))
        {
            assertEquals(TunnelDrop.NO_RULE, harness.ingress(rules, frame).drop());
        }
        assertEquals(0, rules.ingressHits(0));
    }

    @Test
    void shouldRefuseGreThatCarriesNoEthernetFrame() throws Exception
    {
        final RuleSet rules = rules("ingress: [{match: {format: gre, vni: 1}, action: deliver, vf: 3}]");
        for (final byte[] frame : TestPcap.read(Corpus.file("zeek/tunnels_gre-sample.pcap")))
        {
            final TunnelDrop drop = harness.ingress(rules, frame).drop();
            assertTrue(drop == TunnelDrop.BAD_TUNNEL_HEADER || drop == TunnelDrop.UNSUPPORTED_PAYLOAD ||
                drop == TunnelDrop.NOT_A_TUNNEL, drop.toString());
        }
    }

    @Test
    void shouldReadEveryCorpusCaptureWithoutThrowing() throws Exception
    {
        final RuleSet rules = rules(String.join("\n",
            "ingress:",
            "  - {match: {format: vxlan, vni: 100}, action: deliver, vf: 1}",
            "  - {match: {format: geneve, vni: 10}, action: deliver, vf: 1}",
            "  - {match: {format: nvgre, vni: 1}, action: deliver, vf: 1}"));
        int frames = 0;
        for (final Path capture : Corpus.allCaptures())
        {
            if (!capture.toString().endsWith(".pcap"))
            {
                continue;
            }
            for (final byte[] frame : TestPcap.read(capture))
            {
                harness.ingress(rules, frame);
                frames++;
            }
        }
        assertTrue(frames > 400, "frames " + frames);
    }
}
