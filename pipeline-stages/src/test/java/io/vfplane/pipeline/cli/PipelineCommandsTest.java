package io.vfplane.pipeline.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code vfplane pipeline run} and {@code vfplane show pipeline}, in process: the run writes its counters to a
 * file and prints the report; the show command reads the same file as another terminal would.
 */
class PipelineCommandsTest
{
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final Object command, final String... args)
    {
        final CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void shouldRunASplitPipelineAtAFixedRateAndShowItFromTheCountersFile()
    {
        final Path file = dir.resolve("run.dat");
        final int code = run(new PipelineCommand(), "run", "--stages", "0,0", "--placement", "split",
            "--strategy", "blocking", "--duration", "300ms", "--rate", "100000", "--backpressure", "BLOCK",
            "--counters", file.toString());
        assertEquals(0, code, err.toString());
        final String report = out.toString();
        assertTrue(report.startsWith("running 1 shard(s) x split, 2 stage(s) 0,0 ns/packet, idle blocking, " +
            "100000 pps for 300ms"), report);
        assertTrue(report.contains("pipeline run0: placement split on 2 thread(s), entry_full 0"), report);
        final long entered = Long.parseLong(report.lines().filter(l -> l.startsWith("offered ")).findFirst()
            .orElseThrow().replaceAll(".* entered (\\d+) .*", "$1"));
        assertTrue(entered > 0, report);
        final String s1 = report.lines().filter(l -> l.startsWith("  s1 ")).findFirst().orElseThrow();
        assertEquals(entered, Long.parseLong(s1.trim().split(" +")[3]), "the last stage saw every packet: " + s1);

        out.getBuffer().setLength(0);
        assertEquals(0, run(new ShowPipelineCommand(), "--counters", file.toString()), err.toString());
        assertTrue(out.toString().startsWith("pipeline run0: placement split on 2 thread(s)"), out.toString());
        assertTrue(out.toString().contains(s1), "show pipeline reads what the run wrote:\n" + out);
    }

    @Test
    void shouldPlaceAutomaticallyAndPrintTheChoiceAndItsReason()
    {
        final Path file = dir.resolve("auto.dat");
        final int code = run(new PipelineCommand(), "run", "--stages", "1000,1000,0", "--placement", "auto",
            "--cores", "2", "--shards", "1", "--rate", "500000", "--duration", "300ms", "--advise", "100",
            "--counters", file.toString());
        assertEquals(0, code, err.toString());
        final String report = out.toString();
        assertTrue(report.startsWith("running 1 shard(s) x 1+2"), report);
        assertTrue(report.contains("plan run chosen: 1 shard(s) x 1+2 | why: chain "), report);
        assertTrue(report.contains("plan run calibrated: ns/packet s0="), report);
        assertTrue(report.contains("plan run advice: "), report);
        assertTrue(report.contains("pipeline run0: placement 1+2 on 2 thread(s)"), report);
    }

    @Test
    void shouldExplainAMissingCountersFileWithExitCodeTwo()
    {
        final Path missing = dir.resolve("none.dat");
        assertEquals(2, run(new ShowPipelineCommand(), "--counters", missing.toString()));
        assertTrue(err.toString().contains(missing + ": no counters file"), err.toString());
    }

    @Test
    void shouldRefuseAnUnknownIdleStrategyNamingIt()
    {
        assertEquals(2, run(new PipelineCommand(), "run", "--strategy", "lazy", "--counters",
            dir.resolve("x.dat").toString()));
        assertTrue(err.toString().contains("unknown idle strategy 'lazy'"), err.toString());
    }
}
