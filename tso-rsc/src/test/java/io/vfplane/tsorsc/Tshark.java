package io.vfplane.tsorsc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs tshark as a subprocess with a timeout, checksum validation on for IP, TCP and UDP.
 */
public final class Tshark
{
    private static final String[] CHECKS = {
        "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
        "-o", "tcp.analyze_sequence_numbers:TRUE"};

    private Tshark()
    {
    }

    public static List<String> run(final Path pcap, final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of("tshark", "-n", "-r", pcap.toString()));
        command.addAll(List.of(CHECKS));
        command.addAll(List.of(args));
        final Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS))
        {
            p.destroyForcibly();
            throw new IOException("tshark timed out on " + pcap);
        }
        final String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0)
        {
            throw new IOException("tshark failed (" + p.exitValue() + "): " + text);
        }
        return text.lines().filter(l -> !l.isBlank()).toList();
    }

    /**
     * One line per frame: every checksum tshark checked and its status (1 = good), tab separated.
     */
    public static List<String> checksumStatus(final Path pcap) throws IOException, InterruptedException
    {
        return run(pcap, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,",
            "-e", "ip.checksum.status", "-e", "tcp.checksum.status", "-e", "udp.checksum.status",
            "-e", "_ws.expert.severity", "-e", "_ws.malformed");
    }

    /**
     * The TCP stream(s) tshark reassembles, one direction: the raw bytes of follow,tcp,raw for stream 0.
     */
    public static byte[] followTcp(final Path pcap, final int stream) throws IOException, InterruptedException
    {
        final List<String> lines = run(pcap, "-q", "-z", "follow,tcp,raw," + stream);
        final StringBuilder hex = new StringBuilder();
        boolean in = false;
        for (final String l : lines)
        {
            if (l.startsWith("Node 1:"))
            {
                in = true;
                continue;
            }
            if (l.startsWith("====="))
            {
                if (in)
                {
                    break;
                }
                continue;
            }
            if (in)
            {
                hex.append(l.trim());
            }
        }
        final byte[] bytes = new byte[hex.length() / 2];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = (byte)Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return bytes;
    }
}
