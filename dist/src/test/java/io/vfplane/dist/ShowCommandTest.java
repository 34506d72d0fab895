package io.vfplane.dist;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import io.vfplane.dataplane.counters.Counters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code vfplane show counters|pipeline -i NAME} read a daemon instance's counters file under the run directory
 * ({@code vfplane.run.dir} moves it, as it moves the daemon's).
 */
class ShowCommandTest
{
    @AfterEach
    void restore()
    {
        System.clearProperty(Counters.RUN_DIR_PROPERTY);
    }

    @Test
    void shouldReadAnInstancesCountersFileByItsName(@TempDir final Path runDir) throws Exception
    {
        System.setProperty(Counters.RUN_DIR_PROPERTY, runDir.toString());
        java.nio.file.Files.createDirectories(runDir.resolve("h7"));
        try (Counters counters = Counters.mapped(runDir.resolve("h7").resolve("counters.dat"), 16))
        {
            counters.newCounter("vf.0.rx_packets").set(42);

            final StringWriter out = new StringWriter();
            final CommandLine cl = Main.commandLine();
            cl.setOut(new PrintWriter(out));
            cl.setErr(new PrintWriter(new StringWriter()));
            assertEquals(0, cl.execute("show", "counters", "-i", "h7"));
            assertTrue(out.toString().contains("vf.0.rx_packets") && out.toString().contains("42"), out.toString());

            final StringWriter pipeline = new StringWriter();
            final CommandLine show = Main.commandLine();
            show.setOut(new PrintWriter(pipeline));
            assertEquals(0, show.execute("show", "pipeline", "-i", "h7"));
            assertTrue(pipeline.toString().contains("no pipelines in " + runDir.resolve("h7")), pipeline.toString());
        }

        final StringWriter err = new StringWriter();
        final CommandLine missing = Main.commandLine();
        missing.setErr(new PrintWriter(err));
        assertEquals(2, missing.execute("show", "pipeline", "-i", "nosuch"));
        assertTrue(err.toString().contains("nosuch") && err.toString().contains("no counters file"), err.toString());
    }
}
