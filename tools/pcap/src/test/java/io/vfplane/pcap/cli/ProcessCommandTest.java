package io.vfplane.pcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vfplane.dataplane.testsupport.Corpus;
import io.vfplane.pcap.TestCaptures;
import io.vfplane.pcap.Tshark;
import picocli.CommandLine;

/**
 * {@code vfplane pcap process} in process: real pipeline in, tshark (checksum validation on) on what comes out.
 */
class ProcessCommandTest
{
    private static final String EGRESS_RULES = String.join("\n",
        "underlay: {local-ipv4: 192.0.2.1, local-mac: 02:00:00:00:00:01, gateway-mac: 02:00:00:00:00:fe}",
        "egress:",
        "  - {match: {vf: 1, dst-ip: 10.1.0.0/16}, action: encap, format: vxlan, remote: 192.0.2.2, vni: 42,",
        "     udp-checksum: compute}",
        "  - {match: {vf: 1, dst-ip: 10.9.0.0/16}, action: drop}",
        "");

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
    void shouldEncapsulatePcapngFramesThatTsharkDecodesAsVxlanWithGoodChecksums() throws Exception
    {
        final Path rules = tmp.resolve("rules.yaml");
        Files.writeString(rules, EGRESS_RULES);
        final TestCaptures.Pcapng pcapng = new TestCaptures.Pcapng().section(false).iface(1, 9);
        for (int i = 0; i < 30; i++)
        {
            // 20 to 10.1.0.0/16 (encap), 6 to 10.9.0.0/16 (rule drop), 4 to 172.16.0.1 (no rule)
            final byte[] dst = i < 20 ? new byte[]{10, 1, 0, (byte)i} : i < 26 ? new byte[]{10, 9, 0, 1} :
                new byte[]{(byte)172, 16, 0, 1};
            final byte[] frame = icmpEcho(dst, i);
            pcapng.epb(0, 1_700_000_000_000_000_000L + i * 1000L, frame, frame.length);
        }
        final Path in = tmp.resolve("in.pcapng");
        Files.write(in, pcapng.bytes());
        final Path encapsulated = tmp.resolve("out.pcap");

        final int code = run("process", "--rules", rules.toString(), "--in", in.toString(), "--out",
            encapsulated.toString(), "--direction", "egress", "--vf", "1");

        assertEquals(0, code, err.toString());
        assertEquals("", err.toString());
        final String report = out.toString();
        assertTrue(report.contains("egress: 30 frames read from " + in + ", 20 written to " + encapsulated), report);
        assertTrue(report.matches("(?s).*\\n\\s+20  encap\\s+encapsulated\\n.*"), report);
        assertTrue(report.matches("(?s).*\\n\\s+6  encap\\s+rule_drop\\n.*"), report);
        assertTrue(report.matches("(?s).*\\n\\s+4  encap\\s+no_rule\\n.*"), report);
        assertTrue(report.matches("(?s).*\\n\\s+20  egress\\[0] encap vxlan vni 42\\n.*"), report);
        assertTrue(report.matches("(?s).*\\n\\s+6  egress\\[1] drop\\n.*"), report);

        final List<String> lines = Tshark.run("-n", "-r", encapsulated.toString(), "-o", "ip.check_checksum:TRUE",
            "-o", "udp.check_checksum:TRUE", "-T", "fields", "-E", "separator=|", "-E", "occurrence=a",
            "-E", "aggregator=,", "-e", "frame.protocols", "-e", "ip.checksum.status", "-e", "udp.checksum.status",
            "-e", "vxlan.vni", "-e", "ip.dst", "-e", "icmp.seq", "-e", "frame.time_epoch");
        assertEquals(20, lines.size(), String.join("\n", lines));
        for (int i = 0; i < 20; i++)
        {
            final String[] f = lines.get(i).split("\\|", -1);
            assertEquals("eth:ethertype:ip:udp:vxlan:eth:ethertype:ip:icmp:data", f[0]);
            assertEquals("1,1", f[1], "outer and inner IPv4 header checksums good");
            assertEquals("1", f[2], "outer UDP checksum good");
            assertEquals("42", f[3]);
            assertEquals("192.0.2.2,10.1.0." + i, f[4]);
            assertEquals(String.valueOf(i), f[5], "input order kept");
            assertEquals(1_700_000_000_000_000_000L + i * 1000L, Tshark.epochNanos(f[6]), "timestamp kept");
        }
    }

    @Test
    void shouldDecapsulateTheCorpusVxlanCaptureToItsInnerFrames() throws Exception
    {
        final Path rules = tmp.resolve("ingress.yaml");
        Files.writeString(rules, String.join("\n",
            "ingress:",
            "  - {match: {format: vxlan, vni: 100}, action: deliver, vf: 3}",
            ""));
        final Path vxlan = Corpus.file("tcpdump/vxlan.pcap");
        final Path inner = tmp.resolve("inner.pcap");

        final int code = run("process", "--rules", rules.toString(), "--in", vxlan.toString(), "--out",
            inner.toString(), "--direction", "ingress");

        assertEquals(0, code, err.toString());
        assertTrue(out.toString().matches("(?s).*\\n\\s+10  decap\\s+decapsulated\\n.*"), out.toString());
        assertTrue(out.toString().matches("(?s).*\\n\\s+10  ingress\\[0] vxlan vni 100 -> deliver vf 3\\n.*"),
            out.toString());
        // what tshark sees inside the tunnels of the input is exactly what we wrote out
        final List<String> expected = Tshark.run("-n", "-r", vxlan.toString(), "-T", "fields", "-e", "eth.src",
            "-e", "eth.dst", "-e", "frame.protocols");
        final List<String> actual = Tshark.run("-n", "-r", inner.toString(), "-o", "ip.check_checksum:TRUE",
            "-T", "fields", "-e", "eth.src", "-e", "eth.dst", "-e", "frame.protocols", "-e", "ip.checksum.status");
        assertEquals(10, actual.size());
        for (int i = 0; i < 10; i++)
        {
            final String[] e = expected.get(i).split("\t", -1);
            final String[] a = actual.get(i).split("\t", -1);
            assertEquals(e[0].split(",")[1], a[0], "inner source MAC");
            assertEquals(e[1].split(",")[1], a[1], "inner destination MAC");
            assertEquals(e[2].substring(e[2].indexOf(":vxlan:") + ":vxlan:".length()), a[2]);
            assertTrue(a[3].isEmpty() || a[3].equals("1"), "inner IPv4 checksum good: " + a[3]);
        }
    }

    @Test
    void shouldPrintEveryRuleErrorWithFileLineAndFieldAndLeaveNoOutput() throws Exception
    {
        final Path rules = tmp.resolve("bad.yaml");
        Files.writeString(rules, String.join("\n",
            "underlay: {local-ipv4: 192.0.2.1}",
            "egress:",
            "  - {match: {vf: 1}, action: encap, format: vxlan, remote: 192.0.2.2, vni: 16777216}",
            "  - {match: {vf: 2}, action: teleport}",
            ""));
        final Path target = tmp.resolve("never.pcap");

        final int code = run("process", "--rules", rules.toString(), "--in",
            Corpus.file("tcpdump/vxlan.pcap").toString(), "--out", target.toString());

        assertEquals(2, code);
        final List<String> errors = err.toString().lines().toList();
        assertEquals(2, errors.size(), err.toString());
        assertTrue(errors.get(0).startsWith("bad.yaml:3: egress[0].vni: 16777216 is out of range"), errors.get(0));
        assertTrue(errors.get(1).startsWith("bad.yaml:4: egress[1].action:"), errors.get(1));
        assertFalse(Files.exists(target));
        assertEquals(List.of(rules), listDir());
    }

    @Test
    void shouldCountATruncatedInputNameTheFileAndKeepTheFramesBeforeIt() throws Exception
    {
        final Path rules = tmp.resolve("ingress.yaml");
        Files.writeString(rules, "ingress: [{match: {format: vxlan, vni: 100}, action: deliver, vf: 3}]\n");
        final byte[] vxlan = Files.readAllBytes(Corpus.file("tcpdump/vxlan.pcap"));
        final Path cut = tmp.resolve("cut.pcap");
        Files.write(cut, Arrays.copyOf(vxlan, vxlan.length - 10));
        final Path inner = tmp.resolve("inner.pcap");

        final int code = run("process", "--rules", rules.toString(), "--in", cut.toString(), "--out",
            inner.toString(), "--direction", "ingress");

        assertEquals(1, code);
        final List<String> errors = err.toString().lines().toList();
        assertEquals(1, errors.size(), err.toString());
        assertTrue(errors.get(0).startsWith("file " + cut + ": truncated record data"), errors.get(0));
        assertFalse(err.toString().contains("Exception"), "no stack trace");
        assertTrue(out.toString().matches("(?s).*\\n\\s+1  input\\s+capture_truncated_data\\n.*"), out.toString());
        assertTrue(out.toString().matches("(?s).*\\n\\s+9  decap\\s+decapsulated\\n.*"), out.toString());
        assertEquals(9, Tshark.run("-n", "-r", inner.toString()).size());
    }

    @Test
    void shouldRejectInputThatIsNotACaptureWithoutAStackTraceOrOutput() throws Exception
    {
        final Path rules = tmp.resolve("ingress.yaml");
        Files.writeString(rules, "ingress: [{match: {format: vxlan, vni: 100}, action: deliver, vf: 3}]\n");
        final Path junk = tmp.resolve("junk.pcap");
        Files.writeString(junk, "this is not a capture file at all");
        final Path target = tmp.resolve("out.pcap");

        assertEquals(1, run("process", "--rules", rules.toString(), "--in", junk.toString(), "--out",
            target.toString(), "--direction", "ingress"));
        assertEquals("file " + junk + ": not a pcap or pcapng file (magic 0x74686973)", err.toString().trim());
        assertFalse(Files.exists(target));

        assertEquals(1, run("process", "--rules", rules.toString(), "--in", tmp.resolve("missing.pcap").toString(),
            "--out", target.toString(), "--direction", "ingress"));
        assertTrue(err.toString().contains("missing.pcap: no such file"), err.toString());
        assertFalse(Files.exists(target));
        assertFalse(err.toString().contains("Exception"));
    }

    private List<Path> listDir() throws IOException
    {
        try (Stream<Path> files = Files.list(tmp))
        {
            return files.toList();
        }
    }

    /** Ethernet + IPv4 + ICMP echo request from 10.0.0.1, id 7, sequence {@code seq}, valid checksums. */
    static byte[] icmpEcho(final byte[] dst, final int seq)
    {
        final int payload = 18;
        final int ipLength = 20 + 8 + payload;
        final ByteBuffer b = ByteBuffer.allocate(14 + ipLength);
        b.put(new byte[]{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short)0x0800);
        b.put((byte)0x45).put((byte)0).putShort((short)ipLength).putShort((short)seq).putShort((short)0x4000)
            .put((byte)64).put((byte)1).putShort((short)0).put(new byte[]{10, 0, 0, 1}).put(dst);
        b.putShort(24, (short)checksum(b.array(), 14, 20));
        b.put((byte)8).put((byte)0).putShort((short)0).putShort((short)7).putShort((short)seq);
        for (int i = 0; i < payload; i++)
        {
            b.put((byte)i);
        }
        b.putShort(36, (short)checksum(b.array(), 34, 8 + payload));
        return b.array();
    }

    private static int checksum(final byte[] a, final int off, final int len)
    {
        long sum = 0;
        for (int i = 0; i < len; i += 2)
        {
            sum += (a[off + i] & 0xFF) << 8 | (i + 1 < len ? a[off + i + 1] & 0xFF : 0);
        }
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)(~sum & 0xFFFF);
    }
}
