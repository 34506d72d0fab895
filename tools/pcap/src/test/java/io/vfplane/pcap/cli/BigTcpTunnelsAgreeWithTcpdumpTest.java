package io.vfplane.pcap.cli;

import io.vfplane.dataplane.testsupport.MiniJson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.vfplane.dataplane.testsupport.Corpus;
import picocli.CommandLine;

/**
 * BIG TCP inside VXLAN and Geneve (outer UDP length 0): tshark 4.0 stops at UDP, so tcpdump's expected output in the
 * corpus ({@code tcpdump/expected/*.out}, tcpdump -v) is the oracle for the tunnel and inner fields.
 */
class BigTcpTunnelsAgreeWithTcpdumpTest
{
    private static final Pattern VNI = Pattern.compile("vni (0x[0-9a-f]+|\\d+)");
    private static final Pattern INNER_TCP = Pattern.compile(
        "([0-9a-f.:]+)\\.(\\d+) > ([0-9a-f.:]+)\\.(\\d+): Flags \\[P\\.\\], cksum \\S+ \\([^)]*\\), " +
        "seq (\\d+):(\\d+), ack (\\d+),.* length (\\d+)");

    @Test
    void shouldAgreeWithTcpdumpOnBigTcpInVxlan() throws Exception
    {
        check("tcpdump/bigtcp-ipv4-vxlan-ipv4.pcap", "tcpdump/expected/bigtcp-ipv4-vxlan-ipv4.out", "vxlan_vni");
    }

    @Test
    void shouldAgreeWithTcpdumpOnBigTcpInGeneve() throws Exception
    {
        check("tcpdump/bigtcp-ipv6-geneve-ipv6.pcap", "tcpdump/expected/bigtcp-ipv6-geneve-ipv6.out", "geneve_vni");
    }

    @SuppressWarnings("unchecked")
    private static void check(final String capture, final String expected, final String vniKey) throws Exception
    {
        final String text = Files.readString(Corpus.file(expected));
        final StringWriter out = new StringWriter();
        final CommandLine cl = new CommandLine(new PcapCommand());
        cl.setOut(new PrintWriter(out));
        assertEquals(0, cl.execute("inspect", "--format", "jsonl", Corpus.file(capture).toString()));
        final Map<String, Object> summary = (Map<String, Object>)MiniJson.object(out.toString().strip())
            .get("summary");

        final Matcher vni = VNI.matcher(text);
        assertTrue(vni.find(), text);
        assertEquals(Long.decode(vni.group(1)), summary.get(vniKey));
        final Matcher tcp = INNER_TCP.matcher(text);
        assertTrue(tcp.find(), text);
        assertEquals(tcp.group(1), summary.get("inner_ip_src"));
        assertEquals(tcp.group(3), summary.get("inner_ip_dst"));
        assertEquals(Long.parseLong(tcp.group(5)), summary.get("tcp_seq"));
        assertEquals(Long.parseLong(tcp.group(6)) - Long.parseLong(tcp.group(5)), summary.get("tcp_len"));
        assertEquals(Long.parseLong(tcp.group(7)), summary.get("tcp_ack"));
        assertEquals(Long.parseLong(tcp.group(8)), summary.get("tcp_len"));
        assertEquals(0x18L, summary.get("tcp_flags"), "[P.] is PSH+ACK");
    }
}
