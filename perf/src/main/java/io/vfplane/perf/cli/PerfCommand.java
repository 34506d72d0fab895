package io.vfplane.perf.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code vfplane perf}: the perf harness. {@code run} measures one in-process scenario against its limit loop;
 * {@code compare} measures vfplane and a peer (the kernel, tcpreplay, busy-spin) on the same work in the same run.
 */
@Command(
    name = "perf",
    mixinStandardHelpOptions = true,
    description = "Performance harness: in-process scenarios and side-by-side comparisons with peers.",
    subcommands = {io.vfplane.perf.harness.RunCommand.class, io.vfplane.perf.compare.CompareCommand.class})
public final class PerfCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
