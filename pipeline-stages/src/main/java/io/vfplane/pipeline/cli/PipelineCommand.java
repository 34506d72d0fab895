package io.vfplane.pipeline.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code vfplane pipeline ...}: tools for the pipeline engine.
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true, description = "Pipeline engine tools.",
    subcommands = {PipelineRunCommand.class})
public final class PipelineCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
