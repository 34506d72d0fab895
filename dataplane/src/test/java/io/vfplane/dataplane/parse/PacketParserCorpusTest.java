package io.vfplane.dataplane.parse;

import io.vfplane.dataplane.headers.Ipv4Flyweight;
import io.vfplane.dataplane.headers.Ipv6ExtensionFlyweight;
import io.vfplane.dataplane.headers.Ipv6Flyweight;
import io.vfplane.dataplane.headers.Ipv6OptionIterator;
import io.vfplane.dataplane.headers.GreFlyweight;
import io.vfplane.dataplane.headers.GeneveFlyweight;
import io.vfplane.dataplane.headers.VxlanFlyweight;
import io.vfplane.dataplane.testsupport.Corpus;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PacketParserCorpusTest
{
    private final PacketParser parser = new PacketParser();
    private final ParseResult result = new ParseResult();

    /** Files the corpus index lists as "malformed input". */
    private static Set<String> malformedFiles() throws IOException
    {
        final Set<String> files = new HashSet<>();
        for (final String line : Files.readAllLines(Corpus.file("INDEX.md")))
        {
            if (line.startsWith("| ") && line.contains("malformed input"))
            {
                files.add(line.substring(2, line.indexOf(' ', 2)));
            }
        }
        return files;
    }

    private ParseResult parse(final CaptureFrames.Frame frame)
    {
        parser.parse(new UnsafeBuffer(frame.data()), 0, frame.data().length, frame.linkType(), result);
        return result;
    }

    private List<String> describeAll(final String relative) throws IOException
    {
        final List<String> out = new ArrayList<>();
        for (final CaptureFrames.Frame f : CaptureFrames.read(Corpus.file(relative)))
        {
            out.add(parse(f).describe());
        }
        return out;
    }

    private ParseResult first(final String relative) throws IOException
    {
        return parse(CaptureFrames.read(Corpus.file(relative)).get(0));
    }

    @Test
    void shouldParseEveryCaptureCleanlyUnlessIndexSaysMalformed() throws IOException
    {
        final Set<String> malformed = malformedFiles();
        assertTrue(malformed.size() >= 15, "INDEX.md malformed rows: " + malformed);
        final List<Path> captures = Corpus.allCaptures();
        assertTrue(captures.size() >= 80, "corpus captures: " + captures.size());
        int frames = 0;
        final List<String> problems = new ArrayList<>();
        for (final Path capture : captures)
        {
            final String name = Corpus.dir().relativize(capture).toString().replace('\\', '/');
            int drops = 0;
            final List<CaptureFrames.Frame> list = CaptureFrames.read(capture);
            for (final CaptureFrames.Frame f : list)
            {
                frames++;
                if (!parse(f).ok())
                {
                    drops++;
                    if (!malformed.contains(name))
                    {
                        problems.add(name + "#" + f.index() + " " + result.describe());
                    }
                }
            }
            if (malformed.contains(name) && drops == 0)
            {
                problems.add(name + ": malformed input parsed without a drop reason");
            }
        }
        assertEquals(768, frames);
        assertEquals(List.of(), problems);
    }

    @Test
    void shouldDecodeVxlanWithInnerArpAndIcmp() throws IOException
    {
        final List<String> all = describeAll("tcpdump/vxlan.pcap");
        assertEquals(10, all.size());
        assertEquals(8, all.stream().filter("ETHERNET:IPV4:UDP:VXLAN:ETHERNET:IPV4:ICMP:PAYLOAD"::equals).count());
        assertEquals(2, all.stream().filter("ETHERNET:IPV4:UDP:VXLAN:ETHERNET:ARP"::equals).count());
        final ParseResult r = first("tcpdump/vxlan.pcap");
        final int vxlan = r.firstIndexOf(LayerType.VXLAN);
        assertEquals(3, r.firstTunnelIndex());
        assertEquals(vxlan, r.firstTunnelIndex());
        assertEquals(100, new VxlanFlyweight().wrap(
            new UnsafeBuffer(CaptureFrames.read(Corpus.file("tcpdump/vxlan.pcap")).get(0).data()),
            r.layerOffset(vxlan)).vni());
    }

    @Test
    void shouldDecodeVxlanOnLinuxPortAndOnlyConfiguredCustomPorts() throws IOException
    {
        assertEquals(describeAll("tcpdump/vxlan.pcap"), describeAll("tcpdump/vxlan_port_8472.pcap"));
        assertEquals("ETHERNET:IPV4:UDP:PAYLOAD", first("packetnet/vxlan_custom_port.pcap").describe());

        final PacketParser custom = new PacketParser(new ParserConfig().addVxlanPort(65530));
        final CaptureFrames.Frame f = CaptureFrames.read(Corpus.file("packetnet/vxlan_custom_port.pcap")).get(0);
        custom.parse(new UnsafeBuffer(f.data()), 0, f.data().length, f.linkType(), result);
        assertEquals("ETHERNET:IPV4:UDP:VXLAN:ETHERNET:IPV4:TCP:PAYLOAD", result.describe());
    }

    @Test
    void shouldDecodeTripleNestedVxlan() throws IOException
    {
        final ParseResult r = first("zeek/tunnels_vxlan-triple-v2.pcap");
        assertEquals("ETHERNET:IPV4:UDP:VXLAN:ETHERNET:IPV4:UDP:VXLAN:ETHERNET:IPV4:UDP:VXLAN:ETHERNET:IPV4:UDP:PAYLOAD",
            r.describe());
        final byte[] data = CaptureFrames.read(Corpus.file("zeek/tunnels_vxlan-triple-v2.pcap")).get(0).data();
        final VxlanFlyweight vxlan = new VxlanFlyweight();
        int index = -1;
        for (int expectedVni = 1; expectedVni <= 3; expectedVni++)
        {
            index = r.firstIndexOf(LayerType.VXLAN, index + 1);
            assertEquals(expectedVni, vxlan.wrap(new UnsafeBuffer(data), r.layerOffset(index)).vni());
        }
        assertEquals(r.firstIndexOf(LayerType.VXLAN, index + 1), -1);
        assertEquals(12, r.lastIndexOf(LayerType.ETHERNET));
    }

    @Test
    void shouldStopWithTooManyLayersBeyondConfiguredMaximum() throws IOException
    {
        final PacketParser shallow = new PacketParser(new ParserConfig().maxLayers(8));
        final CaptureFrames.Frame f = CaptureFrames.read(Corpus.file("zeek/tunnels_vxlan-triple-v2.pcap")).get(0);
        assertEquals(DropReason.TOO_MANY_LAYERS,
            shallow.parse(new UnsafeBuffer(f.data()), 0, f.data().length, f.linkType(), result));
        assertEquals(8, result.layerCount());
        assertEquals("ETHERNET:IPV4:UDP:VXLAN:ETHERNET:IPV4:UDP:VXLAN!too_many_layers", result.describe());
    }

    @Test
    void shouldRecordTunnelButNotDescendWhenConfiguredSo() throws IOException
    {
        final PacketParser outerOnly = new PacketParser(new ParserConfig().descendIntoTunnels(false));
        final CaptureFrames.Frame f = CaptureFrames.read(Corpus.file("zeek/tunnels_vxlan-triple-v2.pcap")).get(0);
        outerOnly.parse(new UnsafeBuffer(f.data()), 0, f.data().length, f.linkType(), result);
        assertEquals("ETHERNET:IPV4:UDP:VXLAN:PAYLOAD", result.describe());
    }

    @Test
    void shouldDecodeGeneveWithEthernetArpIpv4AndIpv6Payloads() throws IOException
    {
        final List<String> geneve = describeAll("tcpdump/geneve.pcap");
        assertEquals(39, geneve.size());
        assertTrue(geneve.contains("ETHERNET:IPV4:UDP:GENEVE:ETHERNET:IPV4:TCP:PAYLOAD"), geneve.toString());
        assertTrue(geneve.contains("ETHERNET:IPV4:UDP:GENEVE:ETHERNET:IPV4:ICMP:PAYLOAD"), geneve.toString());
        assertEquals("ETHERNET:IPV4:UDP:GENEVE:ARP", first("zeek/tunnels_geneve-arp.pcap").describe());
        assertEquals("ETHERNET:IPV4:UDP:GENEVE:IPV6:UDP:PAYLOAD", first("zeek/tunnels_geneve-ipv6.pcap").describe());
        assertEquals("ETHERNET:IPV4:UDP:GENEVE:IPV4:TCP", first("tcpdump/geneve-gcp.pcap").describe());
        assertEquals("ETHERNET:IPV4:UDP:GENEVE:IPV4:UDP:VXLAN:ETHERNET:IPV4:UDP:PAYLOAD",
            first("zeek/tunnels_geneve-vxlan-dns-truncated.pcap").describe());

        final ParseResult r = first("zeek/tunnels_geneve-many-options.pcap");
        final int g = r.firstIndexOf(LayerType.GENEVE);
        assertEquals(8 + 76, r.layerHeaderLength(g));
    }

    @Test
    void shouldDecodeGreVariants() throws IOException
    {
        final ParseResult nvgre = first("packetnet/gre_nvgre.pcap");
        assertEquals("ETHERNET:IPV4:GRE:ETHERNET:IPV4:TCP:PAYLOAD", nvgre.describe());
        final byte[] data = CaptureFrames.read(Corpus.file("packetnet/gre_nvgre.pcap")).get(0).data();
        final GreFlyweight gre = new GreFlyweight().wrap(new UnsafeBuffer(data), nvgre.layerOffset(2));
        assertEquals(0x123456, gre.vsid());
        assertEquals(2, gre.flowId());
        assertEquals(8, nvgre.layerHeaderLength(2));

        assertEquals("ETHERNET:IPV4:GRE:IPV4:ICMP:PAYLOAD", first("packetnet/gre_all_options.pcap").describe());
        assertEquals(16, first("packetnet/gre_all_options.pcap").layerHeaderLength(2));
        assertEquals("ETHERNET:IPV4:GRE:IPV6:UDP:PAYLOAD", first("packetnet/gre_ipv6.pcap").describe());
        final List<String> greUdp = describeAll("zeek/tunnels_gre-over-udp-4754.pcap");
        assertTrue(greUdp.contains("ETHERNET:IPV4:UDP:GRE:IPV4:TCP:PAYLOAD"), greUdp.toString());
        assertTrue(greUdp.contains("ETHERNET:IPV4:UDP:GRE:IPV4:UDP:PAYLOAD"), greUdp.toString());
        // ERSPAN (0x88BE) is not decoded: the GRE payload stays PAYLOAD.
        assertEquals("ETHERNET:IPV4:GRE:PAYLOAD", first("packetnet/gre_custom_protocol.pcap").describe());
    }

    @Test
    void shouldDecodeVlanStacksAndMpls() throws IOException
    {
        assertEquals(List.of("ETHERNET:QINQ:VLAN:ARP", "ETHERNET:QINQ:VLAN:ARP"),
            describeAll("tcpdump/802.1ad_QinQ.pcap"));
        assertEquals("ETHERNET:QINQ:VLAN:IPV4:PAYLOAD", first("packetnet/802.1ad_vlan_ipv4.pcap").describe());
        assertEquals("ETHERNET:VLAN:VLAN:IPV4:TCP", first("zeek/http-qinq-0.pcap").describe());
        assertEquals(List.of(
            "ETHERNET:VLAN:IPV4:TCP:PAYLOAD", "ETHERNET:VLAN:MPLS:IPV4:TCP:PAYLOAD", "ETHERNET:VLAN:MPLS:IPV4:TCP:PAYLOAD"),
            describeAll("zeek/mpls-in-vlan.pcap"));
        assertEquals("ETHERNET:IPV4:UDP:MPLS:IPV4:ICMP:PAYLOAD", first("tcpdump/mpls-over-udp.pcap").describe());
    }

    @Test
    void shouldTrimEthernetTrailerToIpTotalLength() throws IOException
    {
        final CaptureFrames.Frame f = CaptureFrames.read(Corpus.file("packetnet/tcp_with_extra_bytes.pcap")).get(0);
        final ParseResult r = parse(f);
        assertTrue(r.ok());
        final int ip = r.firstIndexOf(LayerType.IPV4);
        final int totalLength = new Ipv4Flyweight().wrap(new UnsafeBuffer(f.data()), r.layerOffset(ip)).totalLength();
        assertEquals(r.layerOffset(ip) + totalLength, r.layerLimit(ip));
        assertTrue(r.layerLimit(ip) < r.capturedEnd(), "trailer present");
        final int tcp = r.firstIndexOf(LayerType.TCP);
        assertEquals(r.layerLimit(ip), r.layerLimit(tcp));
    }

    @Test
    void shouldExtendTsoDatagramWithTotalLengthZeroToCapturedEnd() throws IOException
    {
        final ParseResult r = first("tcpdump/ipv4_tcp_http_xml_tso.pcap");
        assertEquals("ETHERNET:IPV4:TCP:PAYLOAD", r.describe());
        assertEquals(r.capturedEnd(), r.layerLimit(1));
        final int payload = r.firstIndexOf(LayerType.PAYLOAD);
        assertEquals(1976, r.layerHeaderLength(payload));
        assertEquals(r.payloadOffset(), r.layerOffset(payload));

        assertEquals("ETHERNET:IPV4:TCP:PAYLOAD", first("tcpdump/bigtcp-ipv4.pcap").describe());
        assertEquals("ETHERNET:IPV4:UDP:VXLAN:ETHERNET:IPV4:TCP:PAYLOAD",
            first("tcpdump/bigtcp-ipv4-vxlan-ipv4.pcap").describe());
        assertEquals("ETHERNET:IPV6:UDP:GENEVE:ETHERNET:IPV6:TCP:PAYLOAD",
            first("tcpdump/bigtcp-ipv6-geneve-ipv6.pcap").describe());
    }

    @Test
    void shouldResolveJumbogramLengthFromHopByHopOption() throws IOException
    {
        final CaptureFrames.Frame f = CaptureFrames.read(Corpus.file("tcpdump/bigtcp-ipv6-hbh.pcap")).get(0);
        final ParseResult r = parse(f);
        assertEquals("ETHERNET:IPV6:IPV6_HOPOPT:TCP:PAYLOAD", r.describe());
        final UnsafeBuffer buffer = new UnsafeBuffer(f.data());
        assertEquals(0, new Ipv6Flyweight().wrap(buffer, r.layerOffset(1)).payloadLength());
        final long jumbo = new Ipv6ExtensionFlyweight().wrap(buffer, r.layerOffset(2))
            .jumboPayloadLength(new Ipv6OptionIterator(), r.capturedEnd());
        assertEquals(80040, jumbo);
        assertEquals(r.layerOffset(1) + 40 + jumbo, r.layerLimit(1));
        assertEquals(r.layerLimit(1), r.layerLimit(3));
    }

    @Test
    void shouldParseLinuxCookedAndRawLinkTypes() throws IOException
    {
        assertEquals(List.of("SLL:IPV4:TCP", "SLL:IPV4:TCP", "SLL:IPV4:TCP"),
            describeAll("tcpdump/tcp-handshake-nano.pcap"));
        assertEquals("IPV6:UDP:PAYLOAD", first("tcpdump/LINKTYPE_IPV6.pcap").describe());
        assertEquals("IPV6:UDP:PAYLOAD", first("tcpdump/LINKTYPE_RAW_ipv6.pcap").describe());
    }

    @Test
    void shouldDecodeIpInIpAndIpv6ExtensionHeaders() throws IOException
    {
        assertEquals("ETHERNET:IPV4:IPV4:UDP:PAYLOAD", first("zeek/tunnels_4in4.pcap").describe());
        assertEquals("ETHERNET:IPV6:IPV4:TCP", first("zeek/tunnels_4in6.pcap").describe());
        assertEquals("ETHERNET:IPV4:IPV6:UDP:PAYLOAD", first("zeek/tunnels_6in4.pcap").describe());
        assertEquals("ETHERNET:IPV6:IPV6_ROUTING:IPV6:ICMPV6:PAYLOAD",
            first("tcpdump/ipv6-srh-ext-header.pcap").describe());
        final List<String> frag = describeAll("zeek/ipv6-fragmented-dns.pcap");
        assertTrue(frag.contains("ETHERNET:IPV6:IPV6_FRAGMENT:UDP:PAYLOAD"), frag.toString());
        assertTrue(frag.contains("ETHERNET:IPV6:IPV6_FRAGMENT:PAYLOAD"), frag.toString());
    }

    @Test
    void shouldStopAtIpForNonFirstIpv4Fragment() throws IOException
    {
        final List<String> all = describeAll("zeek/ipv4_fragmented-2.pcap");
        assertTrue(all.contains("ETHERNET:IPV4:PAYLOAD"), all.toString());
        assertTrue(all.contains("ETHERNET:IPV4:UDP:PAYLOAD"), all.toString());
        // A first fragment too short for the whole TCP header is payload of the fragment, not a truncated capture.
        assertEquals("ETHERNET:IPV4:PAYLOAD", first("zeek/ipv4_fragmented-syn.pcap").describe());
    }

    @Test
    void shouldNameDropReasonsOfMalformedCaptures() throws IOException
    {
        assertEquals("ETHERNET!bad_total_length", first("zeek/trunc_ipv4-truncated-broken-header.pcap").describe());
        assertEquals("ETHERNET!truncated", first("zeek/trunc_ip4-trunc.pcap").describe());
        assertEquals("ETHERNET:IPV4!truncated", first("tcpdump/udp-length-heapoverflow.pcap").describe());
        assertEquals("ETHERNET:IPV4!truncated", first("tcpdump/tcp_header_heapoverflow.pcap").describe());
        assertEquals("ETHERNET:IPV4:UDP:GENEVE!truncated", first("zeek/tunnels_geneve-truncated.pcapng").describe());
        assertEquals("ETHERNET!truncated", first("tcpdump/mpls-label-heapoverflow.pcap").describe()
            .replace(":MPLS", ""));
        final List<String> badVersion = describeAll("tcpdump/ipv6-bad-version.pcap");
        assertEquals(2, badVersion.stream().filter("ETHERNET!bad_version"::equals).count(), badVersion.toString());
        assertFalse(first("zeek/trunc_trunc-hdr.pcap").ok());
        assertEquals(0, result.layerCount());
    }

    @Test
    void shouldRejectUnsupportedLinkType()
    {
        final ParseResult r = new ParseResult();
        assertEquals(DropReason.UNSUPPORTED_LINK_TYPE,
            parser.parse(new UnsafeBuffer(new byte[64]), 0, 64, 147, r));
        assertFalse(LinkType.isSupported(147));
        assertTrue(LinkType.isSupported(LinkType.RAW_BSD));
        assertEquals("RAW", LinkType.name(14));
    }

    @Test
    void shouldReadGeneveOptionsOfCorpusFrame() throws IOException
    {
        final CaptureFrames.Frame f = CaptureFrames.read(Corpus.file("tcpdump/geneve.pcap")).get(0);
        final ParseResult r = parse(f);
        final GeneveFlyweight geneve = new GeneveFlyweight().wrap(new UnsafeBuffer(f.data()),
            r.layerOffset(r.firstIndexOf(LayerType.GENEVE)));
        final var it = geneve.options(new io.vfplane.dataplane.headers.GeneveOptionIterator(), r.capturedEnd());
        assertTrue(it.next());
        assertEquals(0, it.optionClass());
        assertEquals(0x80, it.type());
        assertTrue(it.critical());
        assertEquals(1, it.lengthWords());
        assertFalse(it.next());
        assertFalse(it.malformed());
    }
}
