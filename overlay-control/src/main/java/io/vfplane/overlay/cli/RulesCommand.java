package io.vfplane.overlay.cli;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.vfplane.encap.config.RuleFile;
import io.vfplane.encap.config.RuleFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code vfplane rules load FILE}: validates the rule file here first (errors name file, line and field), then sends
 * it to the daemon, which validates it again and swaps it in atomically.
 */
@Command(name = "rules", mixinStandardHelpOptions = true, description = "Change a running daemon's rules.",
    subcommands = {RulesCommand.Load.class})
public final class RulesCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "load", mixinStandardHelpOptions = true,
        description = "Validate FILE and replace the daemon's rule set with it atomically.")
    public static final class Load implements Callable<Integer>
    {
        @Mixin
        ControlClient client;

        @Parameters(index = "0", paramLabel = "FILE", description = "rule file (YAML)")
        Path file;

        @Override
        public Integer call()
        {
            try
            {
                RuleFile.read(file);
            }
            catch (final RuleFileException ex)
            {
                ex.errors().forEach(System.err::println);
                return 2;
            }
            final String text;
            try
            {
                text = Files.readString(file, StandardCharsets.UTF_8);
            }
            catch (final IOException ex)
            {
                System.err.println(file + ": " + ex.getMessage());
                return 2;
            }
            final String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
            return client.call("POST", "/rules/load?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8), text);
        }
    }
}
