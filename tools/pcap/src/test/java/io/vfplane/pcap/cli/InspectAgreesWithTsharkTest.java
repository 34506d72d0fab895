package io.vfplane.pcap.cli;

import io.vfplane.dataplane.testsupport.MiniJson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vfplane.dataplane.testsupport.Corpus;
import io.vfplane.pcap.Tshark;
import picocli.CommandLine;

/**
 * THE key check of {@code pcap inspect}: for every frame of every corpus capture, each summary field agrees with what
 * tshark decodes, and a field is present exactly when tshark has the layer it comes from.
 * <p>
 * tshark runs once, over all captures concatenated by mergecap (frames are renumbered; the per-file counts map them
 * back), with IP reassembly off and VXLAN decoding on UDP 8472 and 65530 (our run adds --vxlan-port 65530).
 * Which header a field comes from is taken from tshark's {@code frame.protocols} chain: the first ip/ipv6 in the
 * chain is the outer IP, the last eth and ip/ipv6 after the first vxlan/geneve/gre are the inner ones, the last tcp is
 * the TCP header; its position among the chain entries of its kind is the occurrence of the field to take.
 * <p>
 * Where tshark cannot be the oracle for a field of a file, {@link #EXCLUSIONS} says so with the reason; an exclusion
 * that no longer matches any difference fails the test, so the list cannot go stale.
 */
class InspectAgreesWithTsharkTest
{
    private static final String[] TSHARK_FIELDS =
    {
        "frame.number", "frame.protocols", "frame.cap_len", "frame.len",
        "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "udp.srcport", "udp.dstport",
        "vxlan.vni", "geneve.vni", "geneve.option.class", "geneve.option.type", "geneve.option.length",
        "gre.flags.key", "gre.proto", "gre.key", "eth.src", "eth.dst",
        "tcp.seq_raw", "tcp.ack_raw", "tcp.len", "tcp.flags"
    };

    /**
     * file (relative to the corpus) + " " + field (or "*" for all fields of the file) to the reason tshark is not the
     * oracle there. Each one must match at least one difference.
     */
    private static final Map<String, String> EXCLUSIONS = new LinkedHashMap<>();

    static
    {
        // tshark decodes protocols behind GRE that the parser deliberately leaves as payload (its GRE descends only
        // into Ethernet, IPv4, IPv6 and MPLS): ERSPAN II/III (0x88BE, 0x22EB), Cisco MetaData (0x8909) and the WCCP
        // redirect header (0x883E). The inner layers tshark finds there are not layers of our parse.
        final String erspan = "parser leaves ERSPAN (GRE 0x88BE/0x22EB) as payload; tshark decodes the mirrored frame";
        for (final String field : List.of("inner_eth_src", "inner_eth_dst", "inner_ip_src", "inner_ip_dst"))
        {
            EXCLUSIONS.put("tcpdump/erspan-type-ii-1.pcap " + field, erspan);
            EXCLUSIONS.put("zeek/tunnels_gre-erspan3-dot1q.pcap " + field, erspan);
            EXCLUSIONS.put("packetnet/gre_custom_protocol.pcap " + field, erspan);
        }
        for (final String field : List.of("tcp_seq", "tcp_ack", "tcp_len", "tcp_flags"))
        {
            EXCLUSIONS.put("packetnet/gre_custom_protocol.pcap " + field, erspan);
            EXCLUSIONS.put("tcpdump/wccp_redirect_gre.pcap " + field,
                "parser leaves GRE 0x883E (WCCP redirect) as payload; tshark skips the WCCP header into IPv4/TCP");
        }
        for (final String field : List.of("inner_ip_src", "inner_ip_dst"))
        {
            EXCLUSIONS.put("tcpdump/various_gre.pcap " + field,
                "parser leaves GRE 0x8909 (Cisco MetaData) as payload; tshark decodes the IPv4 after it");
            EXCLUSIONS.put("tcpdump/wccp_redirect_gre.pcap " + field,
                "parser leaves GRE 0x883E (WCCP redirect) as payload; tshark skips the WCCP header into IPv4/TCP");
        }
        // BIG TCP in tunnels: outer UDP length 0, and tshark 4.0 stops at UDP ("Bad length value 0 < 8"). The
        // tcpdump expected output is the oracle for these two files instead (BigTcpTunnelsAgreeWithTcpdumpTest).
        for (final String field : List.of("vxlan_vni", "inner_eth_src", "inner_eth_dst", "inner_ip_src",
            "inner_ip_dst", "tcp_seq", "tcp_ack", "tcp_len", "tcp_flags"))
        {
            EXCLUSIONS.put("tcpdump/bigtcp-ipv4-vxlan-ipv4.pcap " + field, "tshark 4.0 stops at UDP length 0");
        }
        for (final String field : List.of("outer_udp_sport", "outer_udp_dport", "geneve_vni", "geneve_options",
            "inner_eth_src", "inner_eth_dst", "inner_ip_src", "inner_ip_dst", "tcp_seq", "tcp_ack", "tcp_len",
            "tcp_flags"))
        {
            EXCLUSIONS.put("tcpdump/bigtcp-ipv6-geneve-ipv6.pcap " + field,
                "tshark 4.0 stops at UDP length 0 (it even drops the UDP fields under IPv6 payload length 0)");
        }
        // Headers cut by the snaplen: tshark shows the fields of a partial header that lie within the captured
        // bytes; the parser records no layer whose header is cut (drop_reason "truncated"), so the summary leaves
        // that layer's fields out.
        final String cut = "header cut by the snaplen: tshark shows partial header fields, the parser drops the layer";
        EXCLUSIONS.put("tcpdump/udp-length-heapoverflow.pcap outer_udp_sport", cut);
        EXCLUSIONS.put("tcpdump/udp-length-heapoverflow.pcap outer_udp_dport", cut);
        EXCLUSIONS.put("zeek/trunc_ip6-trunc.pcap outer_ip_src", cut);
        EXCLUSIONS.put("zeek/trunc_ipv4-internally-truncated-header.pcap outer_ip_src", cut);
        for (final String field : List.of("tcp_seq", "tcp_ack", "tcp_len", "tcp_flags"))
        {
            EXCLUSIONS.put("zeek/tcp_truncated-header.pcap " + field, cut);
        }
        // A first IPv4 fragment whose 8 data bytes hold only part of the TCP header: tshark (reassembly off) shows
        // seq/ack/flags from the partial header; the parser does not record a TCP header cut by the datagram end.
        for (final String field : List.of("tcp_seq", "tcp_ack", "tcp_flags"))
        {
            EXCLUSIONS.put("zeek/ipv4_fragmented-syn.pcap " + field,
                "TCP header cut by the first fragment's end: tshark shows partial fields, the parser none");
        }
    }

    @TempDir
    Path tmp;

    @Test
    void shouldAgreeWithTsharkOnEveryFieldOfEveryCorpusFrame() throws Exception
    {
        final List<Path> captures = Corpus.allCaptures();
        final Path merged = tmp.resolve("all.pcapng");
        final List<String> mergecap = new ArrayList<>(List.of("mergecap", "-a", "-F", "pcapng", "-w",
            merged.toString()));
        captures.forEach(p -> mergecap.add(p.toString()));
        final Process process = new ProcessBuilder(mergecap).redirectErrorStream(true).start();
        final String mergeOutput = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), mergeOutput);

        final List<String> tsharkArgs = new ArrayList<>(List.of("-r", merged.toString(),
            "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
            "-d", "udp.port==8472,vxlan", "-d", "udp.port==65530,vxlan",
            "-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=;"));
        for (final String field : TSHARK_FIELDS)
        {
            tsharkArgs.add("-e");
            tsharkArgs.add(field);
        }
        final List<String> tsharkRows = Tshark.run(tsharkArgs.toArray(String[]::new));

        final List<String> args = new ArrayList<>(List.of("inspect", "--format", "jsonl", "--vxlan-port", "65530"));
        captures.forEach(p -> args.add(p.toString()));
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine cl = new CommandLine(new PcapCommand());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        assertEquals(0, cl.execute(args.toArray(String[]::new)), err.toString());
        assertEquals("", err.toString());
        final List<String> ours = out.toString().lines().toList();
        assertEquals(tsharkRows.size(), ours.size(), "one line per frame, as many frames as tshark sees");

        final Map<String, Integer> unusedExclusions = new TreeMap<>();
        EXCLUSIONS.keySet().forEach(k -> unusedExclusions.put(k, 0));
        final List<String> differences = new ArrayList<>();
        int compared = 0;
        for (int i = 0; i < ours.size(); i++)
        {
            final Map<String, Object> line = MiniJson.object(ours.get(i));
            final String[] row = tsharkRows.get(i).split("\\|", -1);
            final String file = Corpus.dir().relativize(Path.of((String)line.get("file"))).toString();
            final Map<String, String> theirs = expected(row);
            @SuppressWarnings("unchecked")
            final Map<String, String> mine = actual((Map<String, Object>)line.get("summary"));
            assertEquals(Long.parseLong(row[2]), line.get("caplen"), file + " frame " + line.get("frame"));
            assertEquals(Long.parseLong(row[3]), line.get("len"), file + " frame " + line.get("frame"));
            for (final String field : union(theirs, mine))
            {
                compared++;
                final String t = theirs.get(field);
                final String m = mine.get(field);
                if (!java.util.Objects.equals(t, m))
                {
                    final String difference = file + " frame " + line.get("frame") + " " + field + ": tshark=" + t +
                        " ours=" + m + "   [" + row[1] + "]";
                    if (EXCLUSIONS.containsKey(file + " " + field))
                    {
                        unusedExclusions.remove(file + " " + field);
                    }
                    else if (EXCLUSIONS.containsKey(file + " *"))
                    {
                        unusedExclusions.remove(file + " *");
                    }
                    else
                    {
                        differences.add(difference);
                    }
                }
            }
        }
        assertTrue(compared > 4000, "compared " + compared + " fields");
        assertEquals(List.of(), differences, differences.size() + " differences");
        assertEquals(Map.of(), unusedExclusions, "exclusions that match no difference any more");
    }

    private static List<String> union(final Map<String, String> a, final Map<String, String> b)
    {
        final List<String> keys = new ArrayList<>(a.keySet());
        b.keySet().stream().filter(k -> !a.containsKey(k)).forEach(keys::add);
        return keys;
    }

    /** Our summary as field name to text, the form the tshark side is put in. */
    private static Map<String, String> actual(final Map<String, Object> summary)
    {
        final Map<String, String> fields = new LinkedHashMap<>();
        summary.forEach((key, value) ->
        {
            if (value instanceof List<?> options)
            {
                final StringBuilder sb = new StringBuilder();
                for (final Object option : options)
                {
                    final List<?> o = (List<?>)option;
                    sb.append(sb.isEmpty() ? "" : ";").append(o.get(0)).append(',').append(o.get(1)).append(',')
                        .append(o.get(2));
                }
                fields.put(key, sb.toString());
            }
            else
            {
                fields.put(key, String.valueOf(value));
            }
        });
        return fields;
    }

    /** What tshark says, as the summary's field names to text. */
    private static Map<String, String> expected(final String[] row)
    {
        final Map<String, List<String>> values = new LinkedHashMap<>();
        for (int f = 0; f < TSHARK_FIELDS.length; f++)
        {
            values.put(TSHARK_FIELDS[f], row[f].isEmpty() ? List.of() : Arrays.asList(row[f].split(";", -1)));
        }
        final List<String> chain = new ArrayList<>(Arrays.stream(row[1].split(":"))
            .filter(p -> !p.equals("ethertype")).toList());
        // Our parser treats ICMP as the last layer; tshark goes on into the headers an ICMP error quotes. Those
        // quoted layers are not layers of the frame, so the chain is cut after the first icmp/icmpv6.
        for (int i = 0; i < chain.size(); i++)
        {
            if (chain.get(i).equals("icmp") || chain.get(i).equals("icmpv6"))
            {
                chain.subList(i + 1, chain.size()).clear();
                break;
            }
        }
        final Map<String, String> fields = new LinkedHashMap<>();
        final int outerIp = firstOf(chain, 0, "ip", "ipv6");
        if (outerIp >= 0)
        {
            putIp(fields, "outer_ip", chain, outerIp, values);
        }
        final int udp = chain.indexOf("udp");
        if (udp >= 0)
        {
            put(fields, "outer_udp_sport", values.get("udp.srcport"), 0);
            put(fields, "outer_udp_dport", values.get("udp.dstport"), 0);
        }
        if (chain.contains("vxlan"))
        {
            put(fields, "vxlan_vni", values.get("vxlan.vni"), 0);
        }
        if (chain.contains("geneve"))
        {
            put(fields, "geneve_vni", values.get("geneve.vni"), 0);
            fields.put("geneve_options", geneveOptions(values));
        }
        final int gre = chain.indexOf("gre");
        if (gre >= 0 && !values.get("gre.flags.key").isEmpty() && isTrue(values.get("gre.flags.key").get(0)) &&
            Integer.decode(values.get("gre.proto").get(0)) == 0x6558)
        {
            fields.put("nvgre_vsid", Long.toString(Long.decode(values.get("gre.key").get(0)) >>> 8));
        }
        final int tunnel = firstOf(chain, 0, "vxlan", "geneve", "gre");
        if (tunnel >= 0)
        {
            final int eth = chain.lastIndexOf("eth");
            if (eth > tunnel)
            {
                final int occurrence = count(chain, eth, "eth");
                put(fields, "inner_eth_src", values.get("eth.src"), occurrence);
                put(fields, "inner_eth_dst", values.get("eth.dst"), occurrence);
            }
            final int ip = Math.max(chain.lastIndexOf("ip"), chain.lastIndexOf("ipv6"));
            if (ip > tunnel)
            {
                putIp(fields, "inner_ip", chain, ip, values);
            }
        }
        final int tcp = chain.lastIndexOf("tcp");
        if (tcp >= 0)
        {
            final int occurrence = count(chain, tcp, "tcp");
            put(fields, "tcp_seq", values.get("tcp.seq_raw"), occurrence);
            put(fields, "tcp_ack", values.get("tcp.ack_raw"), occurrence);
            put(fields, "tcp_len", values.get("tcp.len"), occurrence);
            final List<String> flags = values.get("tcp.flags");
            if (occurrence < flags.size())
            {
                fields.put("tcp_flags", Integer.toString(Integer.decode(flags.get(occurrence))));
            }
        }
        return fields;
    }

    private static boolean isTrue(final String value)
    {
        return value.equals("1") || value.equalsIgnoreCase("true");
    }

    /**
     * tshark lists geneve.option.length once for the header's total options length (bytes), then once per option
     * (bytes including the 4-byte option header). The first header's options are those whose lengths add up to its
     * total; the summary gives the length in 4-byte words without the option header.
     */
    private static String geneveOptions(final Map<String, List<String>> values)
    {
        final List<String> lengths = values.get("geneve.option.length");
        final List<String> classes = values.get("geneve.option.class");
        final List<String> types = values.get("geneve.option.type");
        final StringBuilder sb = new StringBuilder();
        if (lengths.isEmpty())
        {
            return sb.toString();
        }
        final int total = Integer.decode(lengths.get(0));
        int sum = 0;
        for (int i = 0; sum < total && i + 1 < lengths.size() && i < classes.size(); i++)
        {
            final int bytes = Integer.decode(lengths.get(i + 1));
            sb.append(sb.isEmpty() ? "" : ";").append(Integer.decode(classes.get(i))).append(',')
                .append(Integer.decode(types.get(i))).append(',').append((bytes - 4) / 4);
            sum += bytes;
        }
        return sb.toString();
    }

    private static void putIp(final Map<String, String> fields, final String prefix, final List<String> chain,
        final int index, final Map<String, List<String>> values)
    {
        final String kind = chain.get(index);
        final int occurrence = count(chain, index, kind);
        put(fields, prefix + "_src", values.get(kind + ".src"), occurrence);
        put(fields, prefix + "_dst", values.get(kind + ".dst"), occurrence);
    }

    private static void put(final Map<String, String> fields, final String key, final List<String> values,
        final int occurrence)
    {
        if (occurrence < values.size())
        {
            final String v = values.get(occurrence);
            fields.put(key, v.startsWith("0x") ? Long.toString(Long.decode(v)) : v);
        }
    }

    private static int count(final List<String> chain, final int before, final String kind)
    {
        int n = 0;
        for (int i = 0; i < before; i++)
        {
            if (chain.get(i).equals(kind))
            {
                n++;
            }
        }
        return n;
    }

    private static int firstOf(final List<String> chain, final int from, final String... kinds)
    {
        for (int i = from; i < chain.size(); i++)
        {
            if (Arrays.asList(kinds).contains(chain.get(i)))
            {
                return i;
            }
        }
        return -1;
    }
}
