package io.vfplane.pcap.cli;

import io.vfplane.dataplane.testsupport.MiniJson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vfplane.dataplane.testsupport.Corpus;
import io.vfplane.pcap.TestCaptures;
import picocli.CommandLine;

class InspectCommandTest
{
    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final String... args)
    {
        final CommandLine cl = new CommandLine(new PcapCommand());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void shouldReportEachBadFileOnOneLineAndStillProcessTheOthers() throws Exception
    {
        final Path wifi = tmp.resolve("wifi.pcap");
        Files.write(wifi, TestCaptures.pcapHeader(false, 105, 65535));
        final byte[] vxlan = Files.readAllBytes(Corpus.file("tcpdump/vxlan.pcap"));
        final Path cut = tmp.resolve("cut.pcap");
        Files.write(cut, Arrays.copyOf(vxlan, vxlan.length - 10));
        final Path missing = tmp.resolve("missing.pcap");
        final String good = Corpus.file("tcpdump/vxlan.pcap").toString();

        final int code = run("inspect", "--format", "jsonl", missing.toString(), wifi.toString(), good,
            cut.toString());

        assertEquals(1, code);
        final List<String> errors = err.toString().lines().toList();
        assertEquals(List.of(
            "file " + missing + ": no such file",
            "file " + wifi + ": link type 105 (IEEE802_11) is not supported",
            "file " + cut + ": truncated record data: record 10 at byte " + (vxlan.length - 148 - 16) +
                " needs 148 data bytes, 138 remain (9 records read)"), errors);
        assertFalse(err.toString().contains("Exception"), "no stack trace");
        final List<String> lines = out.toString().lines().toList();
        assertEquals(10 + 9, lines.size(), "all frames of the good file and the 9 whole ones of the cut file");
        final Map<String, Object> first = MiniJson.object(lines.get(0));
        assertEquals(good, first.get("file"));
        assertEquals(1L, first.get("frame"));
        assertEquals(cut.toString(), MiniJson.object(lines.get(18)).get("file"));
        assertEquals(9L, MiniJson.object(lines.get(18)).get("frame"));
    }

    @Test
    void shouldExitZeroAndPrintJsonForGoodFiles()
    {
        final int code = run("inspect", "--format", "jsonl", Corpus.file("packetnet/gre_nvgre.pcap").toString(),
            Corpus.file("tcpdump/geneve-gcp.pcap").toString());
        assertEquals(0, code, err.toString());
        assertEquals("", err.toString());
        final List<String> lines = out.toString().lines().toList();
        assertEquals(2, lines.size());
        final Map<String, Object> nvgre = MiniJson.object(lines.get(0));
        assertEquals(98L, nvgre.get("caplen"));
        assertEquals(null, nvgre.get("drop_reason"));
        assertTrue(nvgre.containsKey("drop_reason"));
        @SuppressWarnings("unchecked")
        final Map<String, Object> summary = (Map<String, Object>)nvgre.get("summary");
        assertEquals(0x123456L, summary.get("nvgre_vsid"));
        assertEquals("aa:bb:00:00:10:01", summary.get("inner_eth_src"));
        assertFalse(summary.containsKey("vxlan_vni"));
        @SuppressWarnings("unchecked")
        final Map<String, Object> geneve = (Map<String, Object>)MiniJson.object(lines.get(1)).get("summary");
        assertEquals(List.of(List.of(306L, 1L, 1L), List.of(306L, 2L, 4L), List.of(306L, 3L, 2L)),
            geneve.get("geneve_options"));
        assertFalse(geneve.containsKey("inner_eth_src"), "Geneve carrying IPv4 directly: no inner Ethernet");
    }

    @Test
    void shouldGiveDropReasonLabelOfTheParser()
    {
        assertEquals(0, run("inspect", "--format", "jsonl", Corpus.file("zeek/trunc_trunc-hdr.pcap").toString()));
        assertEquals("truncated", MiniJson.object(out.toString().strip()).get("drop_reason"));
    }

    @Test
    void shouldDecodeExtraVxlanPortOnlyWhenAsked()
    {
        final String file = Corpus.file("packetnet/vxlan_custom_port.pcap").toString();
        assertEquals(0, run("inspect", "--format", "jsonl", file));
        assertFalse(out.toString().contains("vxlan_vni"));
        out.getBuffer().setLength(0);
        assertEquals(0, run("inspect", "--format", "jsonl", "--vxlan-port", "65530", file));
        assertTrue(out.toString().contains("\"vxlan_vni\":"), out.toString());
    }

    @Test
    void shouldPrintAlignedTableWithLayerChain()
    {
        assertEquals(0, run("inspect", Corpus.file("tcpdump/vxlan.pcap").toString()));
        final List<String> lines = out.toString().lines().toList();
        assertEquals(12, lines.size());
        assertTrue(lines.get(1).trim().startsWith("frame"));
        assertTrue(lines.get(2).contains("eth:ip:udp:vxlan:eth:ip:icmp"), lines.get(2));
        assertTrue(lines.get(2).contains("vni=100"), lines.get(2));
        assertEquals(lines.get(1).indexOf("layers"), lines.get(2).indexOf("eth:"), "columns aligned");
    }

    @Test
    void shouldFilterWithBpfCompiledByLibpcap()
    {
        final String file = Corpus.file("tcpdump/vxlan.pcap").toString();
        assertEquals(0, run("inspect", "--format", "jsonl", "--filter", "src host 192.168.203.1", file),
            err.toString());
        final List<String> lines = out.toString().lines().toList();
        assertEquals(5, lines.size(), "the 5 frames from 192.168.203.1");
        for (final String line : lines)
        {
            assertTrue(line.contains("\"outer_ip_src\":\"192.168.203.1\""), line);
        }
        // Frame numbers stay those of the file.
        assertEquals(1L, MiniJson.object(lines.get(0)).get("frame"));
        assertEquals(3L, MiniJson.object(lines.get(1)).get("frame"));
    }

    @Test
    void shouldFilterRawIpAndLinuxCookedCaptures()
    {
        assertEquals(0, run("inspect", "--format", "jsonl", "--filter", "ip6 and udp port 53",
            Corpus.file("tcpdump/LINKTYPE_RAW_ipv6.pcap").toString(), Corpus.file("tcpdump/LINKTYPE_IPV6.pcap")
                .toString(), Corpus.file("tcpdump/tcp-handshake-nano.pcap").toString()), err.toString());
        assertEquals(2, out.toString().lines().count(), out.toString());
        out.getBuffer().setLength(0);
        assertEquals(0, run("inspect", "--format", "jsonl", "--filter", "tcp[tcpflags] & tcp-syn != 0",
            Corpus.file("tcpdump/tcp-handshake-nano.pcap").toString()), err.toString());
        assertEquals(2, out.toString().lines().count(), "SYN and SYN-ACK");
    }

    @Test
    void shouldRefuseInvalidFilterAsUsageError()
    {
        assertEquals(2, run("inspect", "--filter", "no such ((( syntax",
            Corpus.file("tcpdump/vxlan.pcap").toString()));
        assertTrue(err.toString().startsWith("--filter: invalid filter"), err.toString());
        assertFalse(err.toString().contains("Exception"), err.toString());
    }

    @Test
    void shouldExitTwoOnUsageErrors()
    {
        assertEquals(2, run("inspect"));
        assertEquals(2, run("inspect", "--format", "xml", "x.pcap"));
        assertEquals(2, run("inspect", "--vxlan-port", "70000", Corpus.file("tcpdump/vxlan.pcap").toString()));
    }
}
