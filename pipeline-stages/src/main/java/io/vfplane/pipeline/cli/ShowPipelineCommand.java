package io.vfplane.pipeline.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.agrona.concurrent.status.CountersReader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import io.vfplane.dataplane.counters.Counters;
import io.vfplane.pipeline.ShowPipeline;

/**
 * {@code vfplane show pipeline}: the pipelines of a running vfplane process, read from its counters file, like VPP's
 * {@code show runtime}: the chosen placement and why, per thread the batch size distribution and idle decisions, per
 * stage calls, packets, vectors per call, ns per packet and drops. The watched process does nothing for it.
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
    description = "Placement, batch sizes and per-stage ns/packet of the pipelines, like VPP's `show runtime`.",
    exitCodeOnInvalidInput = 2)
public final class ShowPipelineCommand implements Callable<Integer>
{
    /** Where a vfplane process keeps its counters unless told otherwise. */
    public static final String DEFAULT_COUNTERS_FILE = "/dev/shm/vfplane/counters.dat";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--counters", paramLabel = "FILE",
        description = "counters file (default: the one vfplane process's under the run directory)")
    Path file;

    @Option(names = {"-i", "--instance"}, paramLabel = "NAME", description = "a daemon instance's counters file")
    String instance;

    @Override
    public Integer call()
    {
        if (file == null)
        {
            file = instance != null ? Counters.instanceFile(instance) : Counters.defaultFile();
        }
        if (!Files.isRegularFile(file))
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                file + ": no counters file (is a vfplane process running? use --counters FILE)");
        }
        final CountersReader reader;
        try
        {
            reader = Counters.openReader(file);
        }
        catch (final IllegalStateException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage());
        }
        final String report = ShowPipeline.format(reader);
        spec.commandLine().getOut().print(report.isEmpty() ? "no pipelines in " + file + "\n" : report);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
