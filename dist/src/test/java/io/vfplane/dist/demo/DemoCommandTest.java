package io.vfplane.dist.demo;

import io.vfplane.dist.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoCommandTest
{
    @Test
    void shouldShowEveryGeneratedFrameWithTheExpectedTunnelAndDropReason(@TempDir final Path dir)
    {
        final Path capture = dir.resolve("demo.pcap");
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));

        assertEquals(0, cl.execute("demo", "--parser", "--format", "jsonl", "--out", capture.toString()), err.toString());

        final List<String> json = out.toString().lines().filter(l -> l.startsWith("{")).toList();
        assertEquals(7, json.size(), out.toString());
        assertTrue(json.get(1).contains("\"vxlan_vni\":100"), json.get(1));
        assertTrue(json.get(2).contains("\"geneve_vni\":7"), json.get(2));
        assertTrue(json.get(2).contains("\"geneve_options\":[[258,1,1],[65535,128,2]]"), json.get(2));
        assertTrue(json.get(3).contains("\"nvgre_vsid\":1193046"), json.get(3));
        assertTrue(json.get(4).contains("\"outer_ip_src\":\"2001:db8::1\""), json.get(4));
        for (int i = 0; i < 5; i++)
        {
            assertTrue(json.get(i).contains("\"drop_reason\":null"), json.get(i));
        }
        assertTrue(json.get(5).contains("\"drop_reason\":\"truncated\""), json.get(5));
        assertTrue(json.get(6).contains("\"drop_reason\":\"bad_header_length\""), json.get(6));
    }

    /** tshark, not our parser, says the generated frames are what they claim, with good checksums. */
    @Test
    void shouldWriteFramesThatTsharkDecodesWithGoodChecksums(@TempDir final Path dir) throws Exception
    {
        final Path capture = dir.resolve("demo.pcap");
        final CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(new StringWriter()));
        assertEquals(0, cl.execute("demo", "--parser", "--out", capture.toString()));

        final Process tshark = new ProcessBuilder("tshark", "-n", "-r", capture.toString(),
            "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
            "-Y", "frame.number <= 5",
            "-T", "fields", "-E", "separator=|", "-e", "frame.protocols",
            "-e", "ip.checksum.status", "-e", "tcp.checksum.status", "-e", "udp.checksum.status")
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final String text = new String(tshark.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(tshark.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, tshark.exitValue());
        final List<String> rows = text.lines().toList();
        assertEquals(5, rows.size(), text);
        assertTrue(rows.get(0).startsWith("eth:ethertype:ip:tcp"), rows.get(0));
        assertTrue(rows.get(1).startsWith("eth:ethertype:ip:udp:vxlan:eth:ethertype:ip:tcp"), rows.get(1));
        assertTrue(rows.get(2).startsWith("eth:ethertype:ip:udp:geneve:eth:ethertype:ip:tcp"), rows.get(2));
        assertTrue(rows.get(3).startsWith("eth:ethertype:ip:gre:eth:ethertype:ip:tcp"), rows.get(3));
        assertTrue(rows.get(4).startsWith("eth:ethertype:ipv6:udp"), rows.get(4));
        for (final String row : rows)
        {
            // status 1 = Good, 0 = Bad, 2 = Unverified; every checksum present must be Good
            final String[] f = row.split("\\|", -1);
            for (int i = 1; i < f.length; i++)
            {
                for (final String status : f[i].isEmpty() ? new String[0] : f[i].split(","))
                {
                    assertEquals("1", status, "checksum status in " + row + " " + Arrays.toString(f));
                }
            }
        }
    }
}
