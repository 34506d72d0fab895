package io.vfplane.perf.compare;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vfplane.pcap.replay.TcpreplayComparison;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The replay comparison's own parts: the capture it generates (read by tshark, the peer that decides what the frames
 * are) and how a result becomes a comparison. The measurement itself is {@code TcpreplayComparisonTest}'s.
 */
class ReplayComparisonTest
{
    @Test
    void shouldGenerateACaptureTsharkReadsAsValid64ByteUdpFrames(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("gen.pcap");
        ReplayComparison.writeCapture(file);
        final Process tshark = new ProcessBuilder("tshark", "-n", "-r", file.toString(), "-o",
            "ip.check_checksum:TRUE", "-T", "fields", "-e", "frame.len", "-e", "udp.srcport", "-e",
            "ip.checksum.status", "-e", "frame.protocols")
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final List<String> lines = new String(tshark.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
            .lines().toList();
        assertTrue(tshark.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, tshark.exitValue(), String.join("\n", lines.subList(0, Math.min(5, lines.size()))));
        assertEquals(ReplayComparison.FRAMES, lines.size());
        final java.util.Set<String> ports = new java.util.HashSet<>();
        for (final String line : lines)
        {
            final String[] f = line.split("\t");
            assertEquals("64", f[0], line);
            assertEquals("1", f[2], "IPv4 header checksum good (tshark: 0 bad, 1 good): " + line);
            assertTrue(f[3].startsWith("eth:ethertype:ip:udp"), line);
            ports.add(f[1]);
        }
        assertEquals(ReplayComparison.FLOWS, ports.size(), "one source port per flow");
    }

    @Test
    void shouldReportBestRoundsWithTheirRatioAndTheMedianRatioBeside()
    {
        final Comparison c = ReplayComparison.comparison(new TcpreplayComparison.Result(
            800_000, 1_000_000, 3_000_000, List.of(700_000.0, 800_000.0, 750_000.0),
            List.of(900_000.0, 1_000_000.0, 800_000.0)));
        assertEquals("replay", c.name());
        assertEquals("packets/s", c.unit());
        assertEquals(1.25, c.ratio(), 1e-12);
        assertEquals(900_000.0 / 750_000.0, ((Number)c.extra().get("median_ratio")).doubleValue(), 1e-12);
        assertTrue(c.toJson().startsWith("{\"name\":\"replay\",\"unit\":\"packets/s\",\"ours\":1000000"), c.toJson());
    }
}
