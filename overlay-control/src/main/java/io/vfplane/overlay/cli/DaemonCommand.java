package io.vfplane.overlay.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import io.vfplane.dataplane.counters.Counters;
import io.vfplane.overlay.config.HostConfig;
import io.vfplane.overlay.config.HostConfigException;
import io.vfplane.overlay.config.HostConfigFile;
import io.vfplane.overlay.config.StaticPeers;
import io.vfplane.overlay.daemon.Daemon;
import io.vfplane.overlay.daemon.DaemonException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vfplane daemon --config host.yaml}: runs one host's daemon until SIGTERM or SIGINT, then stops receiving,
 * drains, closes the TAPs and exits 0.
 */
@Command(name = "daemon", mixinStandardHelpOptions = true,
    description = "Run the host daemon: the PF, its VFs (TAPs) and the pipelines to and from the UDP underlay.")
public final class DaemonCommand implements Callable<Integer>
{
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "host config (YAML)")
    Path config;

    @Option(names = "--check", description = "validate the config and exit")
    boolean check;

    @Override
    public Integer call()
    {
        final HostConfig host;
        try
        {
            host = HostConfigFile.read(config);
        }
        catch (final HostConfigException ex)
        {
            ex.errors().forEach(System.err::println);
            return 2;
        }
        if (check)
        {
            System.out.println(config + ": ok (" + host.vfs().size() + " VF(s), " + host.peers().size() +
                " peer(s))");
            return 0;
        }
        final Daemon daemon;
        try
        {
            daemon = Daemon.start(host, new StaticPeers(host.peers()), Counters.runDir());
        }
        catch (final DaemonException ex)
        {
            System.err.println("vfplane daemon: " + ex.getMessage());
            return 1;
        }
        final CountDownLatch stop = new CountDownLatch(1);
        // SIGTERM and SIGINT: handled rather than left to the JVM, whose default is to run the hooks and exit 143;
        // the issue asks for exit 0 after a clean drain. The hook stays for any other way the JVM goes down.
        for (final String name : new String[]{"TERM", "INT"})
        {
            sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> stop.countDown());
        }
        final Thread hook = new Thread(daemon::close, "vfplane-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try
        {
            stop.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        daemon.close();
        return 0;
    }

    /** Runs the daemon as its own program (how tests and the demo start one inside a namespace). */
    public static void main(final String[] args)
    {
        System.exit(new picocli.CommandLine(new DaemonCommand()).execute(args));
    }
}
