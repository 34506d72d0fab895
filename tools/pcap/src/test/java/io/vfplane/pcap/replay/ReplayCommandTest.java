package io.vfplane.pcap.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vfplane.dataplane.testsupport.Corpus;
import io.vfplane.pcap.cli.PcapCommand;
import picocli.CommandLine;

/**
 * {@code vfplane pcap replay} as a user runs it: the summary, exit codes, and one-line messages naming the bad input.
 */
class ReplayCommandTest
{
    private static VethNamespace ns;

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void createNamespace()
    {
        ns = VethNamespace.create(1500);
    }

    @AfterAll
    static void deleteNamespace()
    {
        if (ns != null)
        {
            ns.close();
        }
    }

    private int run(final String... args)
    {
        final CommandLine cl = new CommandLine(new PcapCommand());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        final String[] full = new String[args.length + 1];
        full[0] = "replay";
        System.arraycopy(args, 0, full, 1, args.length);
        return cl.execute(full);
    }

    @Test
    void shouldPrintATcpreplayStyleSummary()
    {
        final int code = run("--netns", ns.name(), "--iface", ns.sendSide(), "--topspeed",
            Corpus.file("tcpdump/vxlan.pcap").toString());

        assertEquals(0, code, err.toString());
        final String text = out.toString();
        assertTrue(text.contains("Actual: 10 packets (1368 bytes) sent in "), text);
        assertTrue(text.contains("Rated: "), text);
        assertTrue(text.contains("Mbps"), text);
        assertTrue(text.contains("pps"), text);
        assertTrue(text.contains("Statistics for network device: rpa"), text);
        assertTrue(text.contains("Successful packets:        10"), text);
        assertTrue(text.contains("Failed packets:            0"), text);
        assertTrue(text.contains("Truncated packets:         0"), text);
    }

    @Test
    void shouldReportTimingErrorWhenPacedAndReadPcapng()
    {
        final int code = run("--netns", ns.name(), "--iface", ns.sendSide(), "--speed", "x1000", "--loop", "2",
            Corpus.file("zeek/tunnels_geneve-truncated.pcapng").toString());

        assertEquals(0, code, err.toString());
        assertTrue(out.toString().contains("Actual: 2 packets"), out.toString());
        assertTrue(out.toString().contains("Timing error (send start - deadline): p50 "), out.toString());
    }

    @Test
    void shouldExitWithOneWhenTheKernelRefusesFrames()
    {
        // 80 KB frame on a 1500 MTU veth
        final int code = run("--netns", ns.name(), "--iface", ns.sendSide(), "--topspeed",
            Corpus.file("tcpdump/bigtcp-ipv6-hbh.pcap").toString());

        assertEquals(1, code);
        assertTrue(out.toString().contains("Failed packets:            1"), out.toString());
    }

    @Test
    void shouldExitWithTwoNamingAMissingFile()
    {
        final Path missing = dir.resolve("nope.pcap");
        final int code = run("--netns", ns.name(), "--iface", ns.sendSide(), missing.toString());

        assertEquals(2, code);
        assertEquals("file " + missing + ": no such file", err.toString().strip());
    }

    @Test
    void shouldExitWithTwoNamingAFileThatIsNotACapture() throws Exception
    {
        final Path text = Files.writeString(dir.resolve("notes.pcap"), "this is not a capture file\n");
        final int code = run("--netns", ns.name(), "--iface", ns.sendSide(), text.toString());

        assertEquals(2, code);
        assertTrue(err.toString().startsWith("file " + text + ": not a pcap or pcapng file"), err.toString());
        assertFalse(err.toString().contains("\tat "), "no stack trace: " + err);
    }

    @Test
    void shouldExitWithTwoNamingAMissingInterface()
    {
        final int code = run("--netns", ns.name(), "--iface", "nosuch0", Corpus.file("tcpdump/vxlan.pcap").toString());

        assertEquals(2, code);
        assertTrue(err.toString().startsWith("interface nosuch0: no such interface"), err.toString());
    }

    @Test
    void shouldExitWithTwoNamingAMissingNamespace()
    {
        final int code = run("--netns", "vfrp-no-such-ns", "--iface", "rpa",
            Corpus.file("tcpdump/vxlan.pcap").toString());

        assertEquals(2, code);
        assertTrue(err.toString().startsWith("netns vfrp-no-such-ns: "), err.toString());
    }

    @Test
    void shouldExitWithTwoOnUsageErrors()
    {
        final String file = Corpus.file("tcpdump/vxlan.pcap").toString();
        assertEquals(2, run("--iface", "rpa", "--tap", "t0", file), "both targets");
        assertEquals(2, run(file), "no target");
        assertEquals(2, run("--iface", "rpa", "--topspeed", "--pps", "10", file), "two pacings");
        assertEquals(2, run("--iface", "rpa", "--speed", "fast", file), "bad speed");
        assertTrue(err.toString().contains("--speed: 'original' or xN"), err.toString());
        assertEquals(2, run("--iface", "rpa", "--loop", "0", file), "no loops");
        assertEquals(2, run("--iface", "rpa", "--pps", "-5", file), "negative rate");
    }

    @Test
    void shouldValidateOptionsNamingTheSetting()
    {
        final Path file = Path.of("x.pcap");
        final IllegalArgumentException batch = assertThrows(IllegalArgumentException.class,
            () -> ReplayOptions.builder(file).iface("eth0").batchSize(2000).build());
        assertTrue(batch.getMessage().startsWith("--batch"), batch.getMessage());
        final IllegalArgumentException mbps = assertThrows(IllegalArgumentException.class,
            () -> ReplayOptions.builder(file).iface("eth0").mbps(0).build());
        assertTrue(mbps.getMessage().startsWith("--mbps"), mbps.getMessage());
    }
}
