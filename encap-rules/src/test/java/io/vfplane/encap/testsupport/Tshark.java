package io.vfplane.encap.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs tshark as a subprocess with a timeout, checksum validation on.
 */
public final class Tshark
{
    private Tshark()
    {
    }

    /** One line per frame: the fields separated by '|' (occurrences of a field separated by ','). */
    public static List<String> fields(final Path pcap, final List<String> extra, final String... fields)
        throws IOException, InterruptedException
    {
        final List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", pcap.toString(),
            "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-T", "fields",
            "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,"));
        cmd.addAll(extra);
        for (final String f : fields)
        {
            cmd.add("-e");
            cmd.add(f);
        }
        final String out = run(cmd);
        final List<String> lines = new ArrayList<>();
        for (final String line : out.split("\n"))
        {
            if (!line.isEmpty())
            {
                lines.add(line);
            }
        }
        return lines;
    }

    /** The full -V decode. */
    public static String verbose(final Path pcap, final List<String> extra) throws IOException, InterruptedException
    {
        final List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", pcap.toString(),
            "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-V"));
        cmd.addAll(extra);
        return run(cmd);
    }

    private static String run(final List<String> cmd) throws IOException, InterruptedException
    {
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        final byte[] out = p.getInputStream().readAllBytes();
        final String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS))
        {
            p.destroyForcibly();
            throw new IOException("tshark timed out");
        }
        if (p.exitValue() != 0)
        {
            throw new IOException("tshark failed (" + p.exitValue() + "): " + err);
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
