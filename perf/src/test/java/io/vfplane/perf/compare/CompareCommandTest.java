package io.vfplane.perf.compare;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command's refusals and its output formats (the measurements themselves are tested beside their classes).
 */
class CompareCommandTest
{
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final CompareCommand command, final String... args)
    {
        final CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void shouldFailWithAClearMessageWhenOverlayIsAskedWithoutRoot(@TempDir final Path root) throws Exception
    {
        OverlayComparisonTest.script(root);
        final CompareCommand command = new CompareCommand();
        command.host = OverlayComparisonTest.host(false, Optional.of(root));
        assertEquals(1, run(command, "overlay-tcp"));
        assertTrue(err.toString().contains("needs root"), err.toString());
    }

    @Test
    void shouldFailWithAClearMessageWhenTheScriptIsNotFound()
    {
        final CompareCommand command = new CompareCommand();
        command.host = OverlayComparisonTest.host(true, Optional.empty());
        assertEquals(1, run(command, "overlay-udp64"));
        assertTrue(err.toString().contains("cannot find " + OverlayComparison.SCRIPT), err.toString());
    }

    @Test
    void shouldFailWithAClearMessageWhenReplayIsAskedWithoutRoot()
    {
        final CompareCommand command = new CompareCommand();
        command.host = OverlayComparisonTest.host(false, Optional.empty());
        assertEquals(1, run(command, "replay"));
        assertTrue(err.toString().contains("replay needs root"), err.toString());
    }

    @Test
    void shouldRefuseUnknownBenchesAndBadDurations()
    {
        assertEquals(2, run(new CompareCommand(), "nosuch"));
        assertTrue(err.toString().contains("unknown bench 'nosuch'"), err.toString());
        assertEquals(2, run(new CompareCommand(), "--duration", "soon", "idle"));
        assertTrue(err.toString().contains("bad --duration"), err.toString());
    }

    @Test
    void shouldReadDurations()
    {
        assertEquals(0.5, CompareCommand.seconds("500ms"));
        assertEquals(5, CompareCommand.seconds("5s"));
        assertEquals(120, CompareCommand.seconds("2m"));
        assertEquals(3, CompareCommand.seconds("3"));
        assertThrows(IllegalArgumentException.class, () -> CompareCommand.seconds("-1s"));
    }

    @Test
    void shouldWriteAJsonArrayAndATableWithTheRatio()
    {
        final Map<String, Object> idleExtra = new LinkedHashMap<>();
        idleExtra.put("p99_ratio", 1.5);
        idleExtra.put("cpu_ratio", 0.01);
        final List<Comparison> results = List.of(
            new Comparison("overlay-tcp", "bit/s", 9e8, 1.8e10, "kernel-vxlan", Map.of()),
            new Comparison("idle", "p99 us", 9, 6, "busy-spin", idleExtra));
        assertEquals("[\n" +
            "  {\"name\":\"overlay-tcp\",\"unit\":\"bit/s\",\"ours\":900000000,\"peer\":18000000000," +
            "\"peer_name\":\"kernel-vxlan\",\"ratio\":0.05},\n" +
            "  {\"name\":\"idle\",\"unit\":\"p99 us\",\"ours\":9,\"peer\":6,\"peer_name\":\"busy-spin\"," +
            "\"ratio\":1.5,\"p99_ratio\":1.5,\"cpu_ratio\":0.01}\n" +
            "]", CompareCommand.toJson(results));
        final String table = CompareCommand.table(results);
        assertTrue(table.contains("overlay-tcp") && table.contains("0.050"), table);
        assertTrue(table.contains("idle") && table.contains("1.500") && table.contains("idle cpu ratio 0.0100"), table);
    }

    @Test
    void shouldWriteNullForARatioThatCannotBeComputed()
    {
        assertEquals("{\"name\":\"x\",\"unit\":\"bit/s\",\"ours\":1,\"peer\":0,\"peer_name\":\"p\",\"ratio\":null}",
            new Comparison("x", "bit/s", 1, 0, "p", Map.of()).toJson());
    }
}
