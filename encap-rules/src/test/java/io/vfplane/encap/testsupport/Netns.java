package io.vfplane.encap.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs iproute2 commands for tests that build network namespaces, with a timeout; a failing command throws with its
 * stderr. Tests create their namespaces with names unique to the JVM and always delete them.
 */
public final class Netns
{
    private static final long TIMEOUT_SECONDS = 20;

    private Netns()
    {
    }

    /** Runs a command; throws when it fails. Returns stdout. */
    public static String run(final String... command) throws IOException, InterruptedException
    {
        final Process p = new ProcessBuilder(command).start();
        final byte[] out = p.getInputStream().readAllBytes();
        final String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS))
        {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", command));
        }
        if (p.exitValue() != 0)
        {
            throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + err.trim());
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** Runs each command, each a whitespace-separated line. */
    public static void script(final String... lines) throws IOException, InterruptedException
    {
        for (final String line : lines)
        {
            run(line.trim().split("\\s+"));
        }
    }

    /** Deletes the namespaces (and with them their links); ignores ones that are gone. Returns the ones left. */
    public static List<String> deleteAll(final String... names) throws IOException, InterruptedException
    {
        for (final String name : names)
        {
            try
            {
                run("ip", "netns", "del", name);
            }
            catch (final IOException ignored)
            {
                // not there (setup failed before creating it) or already deleted
            }
        }
        final List<String> left = new ArrayList<>();
        final String list = run("ip", "netns", "list");
        for (final String name : names)
        {
            if (list.lines().anyMatch(l -> l.split("\\s+")[0].equals(name)))
            {
                left.add(name);
            }
        }
        return left;
    }

    /** True when this process runs as root (uid 0). */
    public static boolean isRoot() throws IOException, InterruptedException
    {
        return run("id", "-u").trim().equals("0");
    }
}
