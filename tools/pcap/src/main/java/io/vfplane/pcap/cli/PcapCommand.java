package io.vfplane.pcap.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code vfplane pcap}: capture file tools.
 */
@Command(
    name = "pcap",
    mixinStandardHelpOptions = true,
    description = "Capture file tools (pcap and pcapng).",
    subcommands = {InspectCommand.class, ProcessCommand.class, ReplayCommand.class})
public final class PcapCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * Run {@code pcap} on its own (the {@code vfplane} command is the usual entry point).
     *
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new PcapCommand()).execute(args));
    }

    @Override
    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
