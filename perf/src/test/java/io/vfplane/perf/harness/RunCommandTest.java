package io.vfplane.perf.harness;

import io.vfplane.dataplane.testsupport.MiniJson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.xml.parsers.DocumentBuilderFactory;

import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import picocli.CommandLine;

class RunCommandTest
{
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int execute(final String... args)
    {
        return new CommandLine(new RunCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
            .execute(args);
    }

    @Test
    void shouldWriteJsonHlogAndPlotThatReadBack() throws Exception
    {
        final Path json = dir.resolve("run.json");
        final Path hlog = dir.resolve("run.hlog");
        final Path svg = dir.resolve("run.svg");

        final int code = execute("vxlan-encap", "--duration", "300ms", "--warmup", "50ms", "--limit-duration", "100ms",
            "--flows", "256", "--json", json.toString(), "--hlog", hlog.toString(), "--plot", svg.toString());

        assertEquals(0, code, err::toString);
        assertTrue(out.toString().contains("ours/limit"), out::toString);

        // JSON: exactly the keys of the spec, in structure
        @SuppressWarnings("unchecked")
        final Map<String, Object> root = (Map<String, Object>)MiniJson.parse(Files.readString(json));
        assertEquals(Set.of("scenario", "packets", "seconds", "pps", "bps", "ns_per_packet", "limit_pps",
            "latency_ns", "threads"), root.keySet());
        assertEquals("vxlan-encap", root.get("scenario"));
        assertTrue(num(root.get("packets")) > 0);
        assertTrue(num(root.get("pps")) > 0);
        assertTrue(num(root.get("bps")) > 0);
        assertTrue(num(root.get("seconds")) > 0);
        assertInstanceOf(Number.class, root.get("ns_per_packet"));
        assertTrue(num(root.get("limit_pps")) > 0);
        @SuppressWarnings("unchecked")
        final Map<String, Object> latency = (Map<String, Object>)root.get("latency_ns");
        assertEquals(Set.of("p50", "p90", "p99", "p999", "max"), latency.keySet());
        assertTrue(num(latency.get("p50")) <= num(latency.get("p99")));
        assertTrue(num(latency.get("p999")) <= num(latency.get("max")));
        @SuppressWarnings("unchecked")
        final List<Map<String, Object>> threads = (List<Map<String, Object>>)root.get("threads");
        assertTrue(threads.size() >= 3, "generator, stage thread, limit thread");
        for (final Map<String, Object> t : threads)
        {
            assertEquals(Set.of("name", "cpu_ns"), t.keySet());
            assertInstanceOf(String.class, t.get("name"));
            assertInstanceOf(Number.class, t.get("cpu_ns"));
        }

        // hlog: HdrHistogram's own reader takes it back, with every recorded latency
        long count = 0;
        int intervals = 0;
        final HistogramLogReader reader = new HistogramLogReader(hlog.toFile());
        for (EncodableHistogram h = reader.nextIntervalHistogram(); h != null; h = reader.nextIntervalHistogram())
        {
            count += ((org.HdrHistogram.Histogram)h).getTotalCount();
            intervals++;
        }
        reader.close();
        assertTrue(intervals >= 1);
        assertTrue(count > 0);

        // SVG: well-formed XML with a plotted line
        final DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        final Document svgDoc = factory.newDocumentBuilder().parse(svg.toFile());
        assertEquals("svg", svgDoc.getDocumentElement().getLocalName());
        assertEquals(1, svgDoc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "polyline").getLength());
    }

    @Test
    void shouldWriteNullLimitForPipelineNoop() throws Exception
    {
        final Path json = dir.resolve("noop.json");

        assertEquals(0, execute("pipeline-noop", "--duration", "200ms", "--json", json.toString()), err::toString);

        @SuppressWarnings("unchecked")
        final Map<String, Object> root = (Map<String, Object>)MiniJson.parse(Files.readString(json));
        assertTrue(root.containsKey("limit_pps"));
        assertEquals(null, root.get("limit_pps"));
    }

    @Test
    void shouldRefuseUnknownScenarioWithOneLineAndExitCode2()
    {
        assertRefused("unknown scenario 'vxlan-encrypt'", "vxlan-encrypt", "--duration", "200ms");
    }

    @Test
    void shouldRefuseBadSizeRateDurationAndPlacementWithExitCode2()
    {
        assertRefused("--size '7'", "vxlan-encap", "--size", "7");
        assertRefused("tso takes one segment size", "tso", "--size", "imix");
        assertRefused("--rate 'fast'", "vxlan-encap", "--rate", "fast");
        assertRefused("duration '10 parsecs'", "vxlan-encap", "--duration", "10 parsecs");
        assertRefused("--placement", "vxlan-encap", "--placement", "3+3");
        assertRefused("unknown idle strategy", "vxlan-encap", "--wait", "nap");
    }

    private void assertRefused(final String message, final String... args)
    {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        final int code = execute(args);
        assertEquals(2, code, () -> String.join(" ", args) + ": " + err);
        final String text = err.toString().strip();
        assertTrue(text.contains(message), () -> "expected '" + message + "' in: " + text);
        assertEquals(1, text.lines().count(), () -> "one line, got: " + text);
    }

    private static double num(final Object value)
    {
        return ((Number)value).doubleValue();
    }
}
