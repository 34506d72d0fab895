package io.vfplane.overlay.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code vfplane show vfs|rules|counters|pipeline|ports|metrics} against a running daemon's control API. The lead adds
 * these as subcommands of the existing {@code show} (whose {@code counters} reads a counters file directly).
 */
public final class OverlayShowCommand
{
    private OverlayShowCommand()
    {
    }

    abstract static class Base implements Callable<Integer>
    {
        @Mixin
        ControlClient client;

        abstract String path();

        @Override
        public Integer call()
        {
            return client.call("GET", path(), null);
        }
    }

    @Command(name = "vfs", mixinStandardHelpOptions = true, description = "The daemon's VFs, their config and counters.")
    public static final class Vfs extends Base
    {
        @Override
        String path()
        {
            return "/vfs";
        }
    }

    @Command(name = "rules", mixinStandardHelpOptions = true, description = "The rules in force, with hits.")
    public static final class Rules extends Base
    {
        @Override
        String path()
        {
            return "/rules";
        }
    }

    @Command(name = "ports", mixinStandardHelpOptions = true, description = "The daemon's ports and their counters.")
    public static final class Ports extends Base
    {
        @Override
        String path()
        {
            return "/ports";
        }
    }

    @Command(name = "pipeline", mixinStandardHelpOptions = true, description = "The daemon's pipelines, per stage.")
    public static final class PipelineView extends Base
    {
        @Override
        String path()
        {
            return "/pipeline";
        }
    }

    @Command(name = "daemon-counters", mixinStandardHelpOptions = true,
        description = "Every counter of a running daemon, through its control API.")
    public static final class Counters extends Base
    {
        @Override
        String path()
        {
            return "/counters";
        }
    }

    @Command(name = "metrics", mixinStandardHelpOptions = true, description = "The Prometheus text of a daemon.")
    public static final class MetricsView extends Base
    {
        @Override
        String path()
        {
            return "/metrics";
        }
    }
}
