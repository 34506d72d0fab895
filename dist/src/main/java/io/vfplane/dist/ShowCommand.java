package io.vfplane.dist;

import io.vfplane.dataplane.counters.Counters;
import org.agrona.concurrent.status.CountersReader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code vfplane show ...}: read-only views of a running vfplane process, read from its counters file (Agrona's
 * counters layout, so the process being watched does nothing for it).
 */
@Command(name = "show", mixinStandardHelpOptions = true, description = {
        "Show a running vfplane process: counters and pipeline from its counters file,",
        "vfs, rules, ports and metrics from a daemon's control API."},
    subcommands = {
        ShowCommand.CountersCommand.class,
        io.vfplane.pipeline.cli.ShowPipelineCommand.class,
        io.vfplane.overlay.cli.OverlayShowCommand.Vfs.class,
        io.vfplane.overlay.cli.OverlayShowCommand.Rules.class,
        io.vfplane.overlay.cli.OverlayShowCommand.Ports.class,
        io.vfplane.overlay.cli.OverlayShowCommand.MetricsView.class
    })
public final class ShowCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(System.out);
    }

    static CountersReader open(final Path file, final CommandLine.Model.CommandSpec spec)
    {
        if (!Files.isRegularFile(file))
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                file + ": no counters file (is a vfplane process running? use --counters FILE)");
        }
        try
        {
            return Counters.openReader(file);
        }
        catch (final IllegalStateException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage());
        }
    }

    @Command(name = "counters", description = "Every named counter and its value, like VPP's `show errors`.")
    static final class CountersCommand implements Callable<Integer>
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--counters", paramLabel = "FILE",
            description = "counters file (default: the one vfplane process's under the run directory)")
        Path file;

        @Option(names = {"-i", "--instance"}, paramLabel = "NAME", description = "a daemon instance's counters file")
        String instance;

        @Option(names = "--prefix", paramLabel = "PREFIX", description = "only counters whose label starts with this")
        String prefix = "";

        @Option(names = "--nonzero", description = "hide counters that are zero")
        boolean nonZero;

        @Override
        public Integer call()
        {
            final CountersReader reader = open(file != null ? file :
                instance != null ? Counters.instanceFile(instance) : Counters.defaultFile(), spec);
            final StringBuilder out = new StringBuilder();
            reader.forEach((value, id, label) ->
            {
                if (label.startsWith(prefix) && (!nonZero || value != 0))
                {
                    out.append(String.format("%20d  %s%n", value, label));
                }
            });
            spec.commandLine().getOut().print(out);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
