package io.vfplane.overlay.demo;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.vfplane.dataplane.counters.Counters;
import io.vfplane.overlay.cli.DaemonCommand;
import org.agrona.concurrent.status.CountersReader;

/**
 * Two hosts as network namespaces joined by a veth underlay, a guest namespace per host, and on each host either a
 * vfplane daemon (its VF's TAP moved into the guest) or the kernel's vxlan device (moved into the guest; its socket
 * stays in the host). Used by {@code vfplane demo}, the end-to-end tests and the comparison script's Java side.
 *
 * <pre>
 *   [P-g1] eth = TAP or vxlan              [P-g2] eth = TAP or vxlan
 *     192.168.77.1/24 02:00:00:77:00:01      192.168.77.2/24 02:00:00:77:00:02
 *        |                                       |
 *   [P-h1] daemon h1 / kernel vxlan        [P-h2] daemon h2 / kernel vxlan
 *     P-u1 10.99.0.1/24  <------ veth ------>  P-u2 10.99.0.2/24          VNI 77, UDP 4789
 * </pre>
 *
 * Everything is named from one prefix; {@link #close()} removes all of it (also what a crashed earlier run left, at
 * {@link #create}).
 */
public final class Topology implements AutoCloseable
{
    /** The virtual network of the guests. */
    public static final int VNI = 77;
    /** The guests' MTU: 1500 on the underlay minus VXLAN's 50. */
    public static final int GUEST_MTU = 1450;

    private final String prefix;
    private final Path workDir;
    private final Path runDir;
    private final Process[] daemons = new Process[2];
    private final boolean[] kernel = new boolean[2];
    private String transport = "native";
    private boolean closed;

    private Topology(final String prefix, final Path workDir)
    {
        this.prefix = prefix;
        this.workDir = workDir;
        this.runDir = workDir.resolve("run");
    }

    /**
     * Creates the four namespaces and the underlay (after removing leftovers of the same prefix).
     *
     * @param prefix at most 9 characters: interface names are {@code prefix-u1}, {@code prefix-t1}.
     */
    public static Topology create(final String prefix, final Path workDir) throws IOException
    {
        if (prefix.length() > 9)
        {
            throw new IllegalArgumentException("prefix: at most 9 characters: " + prefix);
        }
        removeNamespaces(prefix);
        Files.createDirectories(workDir);
        final Topology t = new Topology(prefix, workDir);
        try
        {
            for (final String ns : t.namespaces())
            {
                sh("ip", "netns", "add", ns);
                sh("ip", "-n", ns, "link", "set", "lo", "up");
            }
            sh("ip", "link", "add", t.underlayIf(1), "netns", t.hostNs(1), "type", "veth", "peer", "name",
                t.underlayIf(2), "netns", t.hostNs(2));
            for (int h = 1; h <= 2; h++)
            {
                sh("ip", "-n", t.hostNs(h), "addr", "add", t.underlayIp(h) + "/24", "dev", t.underlayIf(h));
                sh("ip", "-n", t.hostNs(h), "link", "set", t.underlayIf(h), "up");
            }
            return t;
        }
        catch (final IOException | RuntimeException ex)
        {
            t.close();
            throw ex;
        }
    }

    public List<String> namespaces()
    {
        return List.of(hostNs(1), hostNs(2), guestNs(1), guestNs(2));
    }

    public String hostNs(final int h)
    {
        return prefix + "-h" + h;
    }

    public String guestNs(final int h)
    {
        return prefix + "-g" + h;
    }

    public String underlayIf(final int h)
    {
        return prefix + "-u" + h;
    }

    public String tap(final int h)
    {
        return prefix + "-t" + h;
    }

    public static String underlayIp(final int h)
    {
        return "10.99.0." + h;
    }

    public static String guestIp(final int h)
    {
        return "192.168.77." + h;
    }

    /** Guest {@code h}'s IPv6 address (a /64 the two guests share). */
    public static String guestIp6(final int h)
    {
        return "fd77::" + h;
    }

    public static String guestMac(final int h)
    {
        return "02:00:00:77:00:0" + h;
    }

    public String instance(final int h)
    {
        return prefix + "-h" + h;
    }

    public Path runDir()
    {
        return runDir;
    }

    /**
     * The underlay transport the generated host configs ask for.
     *
     * @param transport {@code native} (the default), {@code epoll} or {@code io_uring}.
     * @return this.
     */
    public Topology transport(final String transport)
    {
        this.transport = transport;
        return this;
    }

    /** The host config of host {@code h} (1 or 2) with its peer the other host. */
    public String config(final int h, final String extraPeerHosts)
    {
        final int o = 3 - h;
        return "# host " + h + " of the " + prefix + " topology\n" +
            "instance: " + instance(h) + "\n" +
            "pf: " + prefix + "-pf" + h + "\n" +
            "underlay:\n" +
            "  bind: " + underlayIp(h) + "\n" +
            "  port: 4789\n" +
            "  transport: " + transport + "\n" +
            "vfs:\n" +
            "  - index: 0\n" +
            "    tap: " + tap(h) + "\n" +
            "    mac: " + guestMac(h) + "\n" +
            "    vni: " + VNI + "\n" +
            "    ips: [" + guestIp(h) + ", \"" + guestIp6(h) + "\"]\n" +
            "    guest: {netns: " + guestNs(h) + ", address: " + guestIp(h) + "/24, address6: \"" + guestIp6(h) +
            "/64\", mtu: " + GUEST_MTU + "}\n" +
            "peers:\n" +
            "  - name: h" + o + "\n" +
            "    endpoint: " + underlayIp(o) + "\n" +
            "    hosts:\n" +
            "      - {vni: " + VNI + ", mac: " + guestMac(o) + ", ip: " + guestIp(o) + ", ip6: \"" + guestIp6(o) +
            "\"}\n" +
            (extraPeerHosts == null ? "" : extraPeerHosts);
    }

    /** Writes host {@code h}'s config and returns its path. */
    public Path writeConfig(final int h, final String extraPeerHosts) throws IOException
    {
        final Path file = workDir.resolve("host" + h + ".yaml");
        Files.writeString(file, config(h, extraPeerHosts));
        return file;
    }

    /**
     * Starts a daemon for host {@code h} inside its namespace and waits until its control API is up.
     *
     * @return the process (exited already when it refused to start: see {@link #log(int)}).
     */
    public Process startDaemon(final int h, final Path config) throws IOException, InterruptedException
    {
        final Path log = workDir.resolve("daemon" + h + ".log");
        final Process p = new ProcessBuilder(daemonCommand(hostNs(h), config))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
        p.getOutputStream().close();
        daemons[h - 1] = p;
        final Path control = runDir.resolve(instance(h)).resolve("control");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (p.isAlive() && !Files.exists(control) && System.nanoTime() < deadline)
        {
            Thread.sleep(50);
        }
        return p;
    }

    /**
     * Runs a daemon for host {@code h} that is expected to refuse to start, and waits for it to exit.
     */
    public Result tryDaemon(final int h, final Path config) throws IOException, InterruptedException
    {
        return run(daemonCommand(hostNs(h), config), 30);
    }

    /** The command that runs a daemon in {@code ns}: this JVM's java, its JDK flags and its class path. */
    public List<String> daemonCommand(final String ns, final Path config)
    {
        final List<String> cmd = javaCommand(ns, DaemonCommand.class.getName());
        cmd.add("--config");
        cmd.add(config.toString());
        return cmd;
    }

    /**
     * Runs the overlay CLI ({@code OverlayCli}) inside host {@code h}'s namespace, where its daemon's loopback
     * control API is, e.g. {@code cli(1, "show", "vfs", "-i", instance(1))}.
     */
    public Result cli(final int h, final String... args) throws IOException, InterruptedException
    {
        final List<String> cmd = javaCommand(hostNs(h), io.vfplane.overlay.cli.OverlayCli.class.getName());
        cmd.addAll(List.of(args));
        return run(cmd, 30);
    }

    private List<String> javaCommand(final String ns, final String mainClass)
    {
        final List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (arg.startsWith("--add-exports") || arg.startsWith("--add-opens") ||
                arg.startsWith("--enable-native-access") || arg.startsWith("--sun-misc-unsafe-memory-access"))
            {
                cmd.add(arg);
            }
        }
        cmd.add("-Xmx256m");
        cmd.add("-Dvfplane.run.dir=" + runDir);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        return cmd;
    }

    public String log(final int h)
    {
        try
        {
            return Files.readString(workDir.resolve("daemon" + h + ".log"));
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    /**
     * Stops host {@code h}'s daemon with SIGTERM.
     *
     * @return its exit code, or -1 when it had to be killed.
     */
    public int stopDaemon(final int h) throws InterruptedException
    {
        final Process p = daemons[h - 1];
        daemons[h - 1] = null;
        if (p == null)
        {
            return 0;
        }
        p.destroy(); // SIGTERM
        if (p.waitFor(15, TimeUnit.SECONDS))
        {
            return p.exitValue();
        }
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        return -1;
    }

    /**
     * Puts the kernel's vxlan device on host {@code h} instead of a daemon: created in the host (its UDP socket
     * stays there), then moved into the guest namespace as the guest's interface.
     */
    public void kernelVxlan(final int h) throws IOException
    {
        final int o = 3 - h;
        final String dev = prefix + "-x" + h;
        sh("ip", "-n", hostNs(h), "link", "add", dev, "type", "vxlan", "id", Integer.toString(VNI), "local",
            underlayIp(h), "remote", underlayIp(o), "dstport", "4789", "dev", underlayIf(h));
        sh("ip", "-n", hostNs(h), "link", "set", dev, "netns", guestNs(h));
        sh("ip", "-n", guestNs(h), "link", "set", dev, "address", guestMac(h), "mtu", Integer.toString(GUEST_MTU));
        sh("ip", "-n", guestNs(h), "addr", "add", guestIp(h) + "/24", "dev", dev);
        sh("ip", "-n", guestNs(h), "link", "set", dev, "up");
        // A veth hands the other namespace the kernel's checksum-partial packets as they are: the inner TCP checksum
        // of what vxlan sends is never filled in, and a daemon's socket passes it on to its guest unfinished. A real
        // wire (a NIC) finishes it; turning tx checksum offload off on this end of the veth does the same.
        sh("ip", "netns", "exec", hostNs(h), "ethtool", "-K", underlayIf(h), "tx", "off");
        kernel[h - 1] = true;
    }

    /** The counters of host {@code h}'s daemon (they outlive it), or null. */
    public CountersReader counters(final int h)
    {
        final Path file = runDir.resolve(instance(h)).resolve("counters.dat");
        return Files.exists(file) ? Counters.openReader(file) : null;
    }

    /** The sum of every counter of host {@code h} whose label ends with {@code suffix}. */
    public long counter(final int h, final String suffix)
    {
        return counter(h, "", suffix);
    }

    /**
     * @return the sum over host {@code h}'s counters whose label starts with {@code prefix} and ends with
     * {@code suffix} (0 when its counters file is gone).
     */
    public long counter(final int h, final String prefix, final String suffix)
    {
        final CountersReader reader = counters(h);
        if (reader == null)
        {
            return 0;
        }
        final long[] sum = {0};
        reader.forEach((value, id, label) ->
        {
            if (label.startsWith(prefix) && label.endsWith(suffix))
            {
                sum[0] += value;
            }
        });
        return sum[0];
    }

    /** Runs a command in a namespace. */
    public static Result inNs(final String ns, final long timeoutSeconds, final String... command)
        throws IOException, InterruptedException
    {
        final List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(command));
        return run(full, timeoutSeconds);
    }

    /** A finished command: exit code (-1 on timeout) and its merged output. */
    public record Result(int exitCode, String output)
    {
        public boolean ok()
        {
            return exitCode == 0;
        }
    }

    public static Result run(final List<String> command, final long timeoutSeconds)
        throws IOException, InterruptedException
    {
        final Path out = Files.createTempFile("vfplane-cmd", ".out");
        try
        {
            final Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS))
            {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                return new Result(-1, Files.readString(out, StandardCharsets.UTF_8) + "\n(timed out)");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        }
        finally
        {
            Files.deleteIfExists(out);
        }
    }

    private static void sh(final String... command) throws IOException
    {
        try
        {
            final Result r = run(List.of(command), 20);
            if (!r.ok())
            {
                throw new IOException(String.join(" ", command) + " failed (" + r.exitCode() + "): " +
                    r.output().strip());
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command));
        }
    }

    private static void removeNamespaces(final String prefix)
    {
        for (final String suffix : List.of("-h1", "-h2", "-g1", "-g2"))
        {
            try
            {
                run(List.of("ip", "netns", "del", prefix + suffix), 20);
            }
            catch (final IOException | InterruptedException ignored)
            {
                // not there
            }
        }
    }

    /** Stops the daemons and removes the namespaces (with them the veths, TAPs and vxlan devices) and run files. */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (int h = 1; h <= 2; h++)
        {
            try
            {
                stopDaemon(h);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        removeNamespaces(prefix);
        if (Files.isDirectory(runDir))
        {
            try (Stream<Path> walk = Files.walk(runDir))
            {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            catch (final IOException ignored)
            {
                // the work dir is the caller's
            }
        }
    }
}
