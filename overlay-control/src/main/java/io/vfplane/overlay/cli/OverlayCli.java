package io.vfplane.overlay.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * This module's commands on their own, for running a daemon and its CLI without the dist jar (tests, the demo's
 * subprocesses). {@code vfplane} in dist registers the same command classes.
 */
@Command(name = "vfplane-overlay", mixinStandardHelpOptions = true,
    subcommands = {DaemonCommand.class, VfCommand.class, RulesCommand.class, OverlayCli.Show.class})
public final class OverlayCli implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(System.out);
    }

    /** {@code show ...} against a daemon's control API. */
    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a running daemon's state.",
        subcommands = {
            OverlayShowCommand.Vfs.class,
            OverlayShowCommand.Rules.class,
            OverlayShowCommand.Ports.class,
            OverlayShowCommand.PipelineView.class,
            OverlayShowCommand.Counters.class,
            OverlayShowCommand.MetricsView.class})
    public static final class Show implements Runnable
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run()
        {
            spec.commandLine().usage(System.out);
        }
    }

    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new OverlayCli()).execute(args));
    }
}
