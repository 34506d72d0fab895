package io.vfplane.vf.port.tap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Setup-time helper that lets a network namespace play a VF's guest: create and delete a namespace, move a TAP into
 * it and give it an address and a MAC, with {@code ip} run as a subprocess (never on the data path).
 */
public final class NetNs
{
    private static final long TIMEOUT_SECONDS = 10;

    private NetNs()
    {
    }

    /** {@code ip netns add NAME}. */
    public static void create(final String name)
    {
        run("ip", "netns", "add", name);
    }

    /** {@code ip netns del NAME}; quiet when it does not exist. */
    public static void delete(final String name)
    {
        exec(List.of("ip", "netns", "del", name));
    }

    /**
     * Moves {@code device} into namespace {@code ns}, sets its MAC and address and brings it (and the namespace's
     * loopback) up:
     * {@code ip link set DEV netns NS; ip -n NS link set DEV address MAC; ip -n NS addr add CIDR dev DEV;
     * ip -n NS link set DEV up}.
     *
     * @param mac  {@code aa:bb:..}, or null to keep the kernel's.
     * @param cidr {@code 10.0.0.1/24}, or null for none.
     */
    public static void moveInto(final String device, final String ns, final String mac, final String cidr)
    {
        run("ip", "link", "set", device, "netns", ns);
        if (mac != null)
        {
            run("ip", "-n", ns, "link", "set", device, "address", mac);
        }
        if (cidr != null)
        {
            run("ip", "-n", ns, "addr", "add", cidr, "dev", device);
        }
        run("ip", "-n", ns, "link", "set", device, "up");
        run("ip", "-n", ns, "link", "set", "lo", "up");
    }

    /**
     * Runs a command; fails with its output when it exits non-zero.
     *
     * @return its standard output.
     */
    public static String run(final String... command)
    {
        final Result result = exec(List.of(command));
        if (result.exitCode != 0)
        {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + result.exitCode + "): " +
                result.output.strip());
        }
        return result.output;
    }

    /**
     * Runs {@code command} inside namespace {@code ns} ({@code ip netns exec}).
     */
    public static String runIn(final String ns, final String... command)
    {
        final List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(command));
        return run(full.toArray(new String[0]));
    }

    private static Result exec(final List<String> command)
    {
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            final byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return new Result(-1, "timed out");
            }
            return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
        }
        catch (final IOException e)
        {
            return new Result(-1, e.toString());
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    private record Result(int exitCode, String output)
    {
    }
}
