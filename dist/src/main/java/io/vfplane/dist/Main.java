package io.vfplane.dist;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The one {@code vfplane} command. Each area contributes its subcommands; this class only assembles them.
 * The {@code ./vfplane} launcher also takes {@code test} and {@code build}, which run before any JVM starts.
 */
@Command(
    name = "vfplane",
    mixinStandardHelpOptions = true,
    version = "vfplane 0.1.0-SNAPSHOT",
    description = "A userspace packet dataplane with SR-IOV NIC emulation.",
    footer = {
        "",
        "Launcher commands (./vfplane only): test  run the whole test suite;  build  rebuild the runnable jar."
    },
    subcommands = {
        CommandLine.HelpCommand.class,
        io.vfplane.dist.demo.DemoCommand.class,
        io.vfplane.overlay.cli.DaemonCommand.class,
        io.vfplane.overlay.cli.VfCommand.class,
        io.vfplane.overlay.cli.RulesCommand.class,
        io.vfplane.pcap.cli.PcapCommand.class,
        io.vfplane.pipeline.cli.PipelineCommand.class,
        io.vfplane.perf.cli.PerfCommand.class,
        ShowCommand.class
    })
public final class Main implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(final String[] args)
    {
        System.exit(commandLine().execute(args));
    }

    /** The assembled command tree; tests use it to run commands in-process. */
    public static CommandLine commandLine()
    {
        final CommandLine cl = new CommandLine(new Main());
        return cl;
    }

    @Override
    public void run()
    {
        spec.commandLine().usage(System.out);
    }
}
