package io.vfplane.encap.codec;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vfplane.encap.config.RuleFile;
import io.vfplane.encap.rules.RuleSet;
import io.vfplane.encap.testsupport.CodecHarness;
import io.vfplane.encap.testsupport.Frames;
import io.vfplane.encap.testsupport.TestPcap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Scapy as a second, independent decoder for the formats the kernel cannot terminate here (no Geneve or GRE devices
 * in this kernel): we encapsulate, write a pcap, and Debian's python3 with scapy decodes it
 * ({@code scapy_decode.py} beside this class prints one {@code index key=value} line per field).
 */
class ScapyPeerTest
{
    /** Debian's interpreter, which has scapy (another python3 may come first on PATH without it). */
    private static final String PYTHON = "/usr/bin/python3";

    private static final String UNDERLAY = "underlay: {local-ipv4: 192.0.2.1, local-ipv6: \"2001:db8::1\"," +
        " local-mac: 02:00:00:00:00:01, gateway-mac: 02:00:00:00:00:fe}\n";
    private static final String GENEVE_AND_NVGRE = UNDERLAY + String.join("\n",
        "egress:",
        "  - match: {vf: 0}",
        "    action: encap",
        "    format: geneve",
        "    remote: 192.0.2.3",
        "    vni: 43",
        "    udp-checksum: compute",
        "    geneve-options: [{class: 0x0102, type: 0x80, data: \"00 00 00 2a\"}, {class: 0x0103, type: 1}]",
        "  - {match: {vf: 1}, action: encap, format: geneve, remote: \"2001:db8::2\", vni: 44, ttl: 9}",
        "  - {match: {vf: 2}, action: encap, format: nvgre, remote: 192.0.2.4, vni: 5000}",
        "");
    private static final String GRE = UNDERLAY + String.join("\n",
        "egress:",
        "  - {match: {vf: 3}, action: encap, format: gre, remote: \"2001:db8::5\", vni: 0xdeadbeef}",
        "");

    @TempDir
    Path dir;

    @Test
    void shouldBeDecodedByScapyAsGeneveWithOptionsAndGreWithKeyWithGoodChecksums() throws Exception
    {
        final RuleSet tunnels = RuleFile.parse("scapy.yaml", new StringReader(GENEVE_AND_NVGRE));
        final RuleSet gre = RuleFile.parse("gre.yaml", new StringReader(GRE));
        final List<byte[]> frames = new ArrayList<>();
        try (CodecHarness h = new CodecHarness())
        {
            for (int vf = 0; vf < 4; vf++)
            {
                final byte[] inner = Frames.icmp(0x0200_0000_0102L, 0x0200_0000_0101L, Frames.ip("10.0.0.1"),
                    Frames.ip("10.0.0.2"), 8, 77, vf + 1, 24);
                final CodecHarness.Result r = h.egress(vf == 3 ? gre : tunnels, inner, vf);
                assertEquals(TunnelDrop.NONE, r.drop());
                frames.add(r.frame());
            }
        }
        final Path pcap = dir.resolve("tunnels.pcap");
        TestPcap.write(pcap, frames);

        final List<Map<String, String>> p = scapy(pcap);
        assertEquals(4, p.size());

        // Geneve over IPv4: two options (the first critical), UDP checksum computed
        assertEquals("Ether:IP:UDP:GENEVE:Ether:IP:ICMP", p.get(0).get("layers"));
        assertEquals("192.0.2.1", p.get(0).get("outer.src"));
        assertEquals("192.0.2.3", p.get(0).get("outer.dst"));
        assertEquals("true", p.get(0).get("outer.ip_checksum_ok"));
        assertEquals("true", p.get(0).get("outer.len_ok"));
        assertEquals("6081", p.get(0).get("udp.dport"));
        assertEquals("true", p.get(0).get("udp.sport_ephemeral"));
        assertEquals("true", p.get(0).get("udp.checksum"));
        assertEquals("true", p.get(0).get("udp.len_ok"));
        assertEquals("0", p.get(0).get("geneve.version"));
        assertEquals("3", p.get(0).get("geneve.optionlen"), "8 + 4 option bytes = 3 words");
        assertEquals("0", p.get(0).get("geneve.oam"));
        assertEquals("1", p.get(0).get("geneve.critical"), "C bit: an option is critical (RFC 8926 3.4)");
        assertEquals("0x6558", p.get(0).get("geneve.proto"));
        assertEquals("43", p.get(0).get("geneve.vni"));
        assertEquals("0x0102/0x80/1/0000002a", p.get(0).get("geneve.option0"));
        assertEquals("0x0103/0x01/0/", p.get(0).get("geneve.option1"));
        assertEquals("02:00:00:00:01:02", p.get(0).get("inner.dst"));
        assertEquals("10.0.0.1>10.0.0.2", p.get(0).get("inner.ip"));
        assertEquals("8/77/1", p.get(0).get("inner.icmp"));
        assertEquals("true", p.get(0).get("inner.icmp_checksum_ok"));

        // Geneve over IPv6: the UDP checksum is mandatory there by default, TTL 9
        assertEquals("Ether:IPv6:UDP:GENEVE:Ether:IP:ICMP", p.get(1).get("layers"));
        assertEquals("2001:db8::2", p.get(1).get("outer.dst"));
        assertEquals("9", p.get(1).get("outer.ttl"));
        assertEquals("true", p.get(1).get("outer.len_ok"));
        assertEquals("true", p.get(1).get("udp.checksum"));
        assertEquals("0", p.get(1).get("geneve.optionlen"));
        assertEquals("0", p.get(1).get("geneve.critical"));
        assertEquals("44", p.get(1).get("geneve.vni"));
        assertEquals("8/77/2", p.get(1).get("inner.icmp"));

        // NVGRE: K bit only, TEB, VSID 5000 in the top 24 bits of the key, FlowID in the low 8 (RFC 7637)
        assertEquals("Ether:IP:GRE:Ether:IP:ICMP", p.get(2).get("layers"));
        assertEquals("47", p.get(2).get("outer.proto"));
        assertEquals("true", p.get(2).get("outer.ip_checksum_ok"));
        assertEquals("1", p.get(2).get("gre.key_present"));
        assertEquals("0", p.get(2).get("gre.chksum_present"));
        assertEquals("0", p.get(2).get("gre.seqnum_present"));
        assertEquals("0", p.get(2).get("gre.version"));
        assertEquals("0x6558", p.get(2).get("gre.proto"));
        assertEquals(5000L, Long.parseLong(p.get(2).get("gre.key")) >>> 8);
        assertEquals("8/77/3", p.get(2).get("inner.icmp"));

        // GRE (TEB) with a 32-bit key, over IPv6
        assertEquals("Ether:IPv6:GRE:Ether:IP:ICMP", p.get(3).get("layers"));
        assertEquals("47", p.get(3).get("outer.proto"));
        assertEquals("true", p.get(3).get("outer.len_ok"));
        assertEquals("1", p.get(3).get("gre.key_present"));
        assertEquals("0x6558", p.get(3).get("gre.proto"));
        assertEquals(0xDEADBEEFL, Long.parseLong(p.get(3).get("gre.key")));
        assertEquals("8/77/4", p.get(3).get("inner.icmp"));
        assertEquals("true", p.get(3).get("inner.icmp_checksum_ok"));
    }

    private List<Map<String, String>> scapy(final Path pcap) throws IOException, InterruptedException
    {
        final Path script = dir.resolve("scapy_decode.py");
        try (InputStream in = ScapyPeerTest.class.getResourceAsStream("scapy_decode.py"))
        {
            Files.write(script, in.readAllBytes());
        }
        final Process p = new ProcessBuilder(PYTHON, script.toString(), pcap.toString()).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        final String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS))
        {
            p.destroyForcibly();
            throw new IOException("scapy timed out");
        }
        assertEquals(0, p.exitValue(), "scapy failed: " + err);
        final List<Map<String, String>> packets = new ArrayList<>();
        for (final String line : out.split("\n"))
        {
            if (line.isEmpty())
            {
                continue;
            }
            final int space = line.indexOf(' ');
            final int eq = line.indexOf('=');
            final int index = Integer.parseInt(line.substring(0, space));
            while (packets.size() <= index)
            {
                packets.add(new HashMap<>());
            }
            packets.get(index).put(line.substring(space + 1, eq), line.substring(eq + 1));
        }
        return packets;
    }
}
