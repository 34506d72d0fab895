package io.vfplane.perf.compare;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code overlay-tcp} and {@code overlay-udp64}: iperf3 between two guest namespaces over the kernel's vxlan devices
 * and over two vfplane daemons, measured by the repository's {@code perf/scripts/overlay/compare.sh} in one run (it
 * builds and removes the namespaces). Both figures come from one run of the script; this class finds the script,
 * checks what it needs, runs it and reads its result lines:
 *
 * <pre>
 *   {"bench":"overlay-tcp","kernel":16100000000,"vfplane":900000000,"unit":"bit/s","ratio":0.056}
 * </pre>
 *
 * Every other line of the script (progress) goes to the given progress stream.
 */
public final class OverlayComparison
{
    /** The script, relative to the repository root. */
    public static final String SCRIPT = "perf/scripts/overlay/compare.sh";
    /** The system property that names the repository root (set by the build for tests). */
    public static final String REPO_ROOT_PROPERTY = "vfplane.repo.root";
    /** Who the peer is in the JSON. */
    public static final String PEER_NAME = "kernel-vxlan";

    private static final Pattern RESULT_LINE = Pattern.compile("^\\s*\\{\\s*\"bench\"\\s*:.*}\\s*$");
    private static final Pattern FIELD = Pattern.compile(
        "\"([A-Za-z0-9_]+)\"\\s*:\\s*(\"((?:[^\"\\\\]|\\\\.)*)\"|[-+0-9.eE]+)");

    /** What the comparison needs from the machine; tests replace it. */
    public interface Host
    {
        /** @return true when the process runs as root (namespaces, TAP devices). */
        boolean isRoot();

        /** @return the repository root that holds {@link #SCRIPT}, if one is found. */
        Optional<Path> repoRoot();
    }

    private OverlayComparison()
    {
    }

    /**
     * Checks what the script needs, without running it.
     *
     * @return the script to run.
     * @throws CompareException with a message that says what is missing.
     */
    public static Path check(final Host host)
    {
        final Optional<Path> root = host.repoRoot();
        if (root.isEmpty())
        {
            throw new CompareException("overlay comparison: cannot find " + SCRIPT + " (set -D" + REPO_ROOT_PROPERTY +
                "=<repository root>, or run from inside the repository)");
        }
        final Path script = root.get().resolve(SCRIPT);
        if (!Files.isRegularFile(script))
        {
            throw new CompareException("overlay comparison: " + script + " is missing");
        }
        if (!host.isRoot())
        {
            throw new CompareException("overlay comparison: needs root (it creates network namespaces, veth and " +
                "TAP devices); run it as root");
        }
        return script;
    }

    /**
     * Runs the script once and returns both comparisons, TCP first.
     *
     * @param durationSeconds iperf3's time per measurement.
     * @param daemonPlacement the daemons' pipeline placement, or null for the script's default.
     * @param daemonIdle      the daemons' idle strategy, or null for the script's default.
     * @param progress        where the script's progress lines go.
     */
    public static List<Comparison> run(final Host host, final long durationSeconds, final String daemonPlacement,
        final String daemonIdle, final PrintStream progress)
    {
        final Path script = check(host);
        final ProcessBuilder pb = new ProcessBuilder("bash", script.toString())
            .directory(host.repoRoot().orElseThrow().toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("DURATION", Long.toString(durationSeconds));
        if (daemonPlacement != null)
        {
            pb.environment().put("PLACEMENT", daemonPlacement);
        }
        if (daemonIdle != null)
        {
            pb.environment().put("IDLE", daemonIdle);
        }
        final List<String> lines = new ArrayList<>();
        final int exit;
        try
        {
            final Process process = pb.start();
            try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = out.readLine()) != null)
                {
                    lines.add(line);
                    if (!RESULT_LINE.matcher(line).matches())
                    {
                        progress.println(line);
                    }
                }
            }
            exit = process.waitFor();
        }
        catch (final IOException ex)
        {
            throw new CompareException("overlay comparison: cannot run " + script + ": " + ex.getMessage());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new CompareException("overlay comparison: interrupted");
        }
        if (exit != 0)
        {
            throw new CompareException("overlay comparison: " + SCRIPT + " failed with exit code " + exit +
                " (its messages are above)");
        }
        final List<Comparison> results = parse(lines);
        if (results.size() < 2)
        {
            throw new CompareException("overlay comparison: " + SCRIPT + " printed " + results.size() +
                " result lines, expected overlay-tcp and overlay-udp64");
        }
        return results;
    }

    /**
     * Reads the script's result lines (every other line is ignored).
     *
     * @return one comparison per result line, in order: ours is vfplane, the peer the kernel's vxlan, and the ratio
     * is recomputed from them (the script rounds its own to three decimals).
     */
    public static List<Comparison> parse(final List<String> lines)
    {
        final List<Comparison> results = new ArrayList<>();
        for (final String line : lines)
        {
            if (!RESULT_LINE.matcher(line).matches())
            {
                continue;
            }
            final Map<String, String> fields = new LinkedHashMap<>();
            final Matcher m = FIELD.matcher(line);
            while (m.find())
            {
                fields.put(m.group(1), m.group(3) != null ? m.group(3) : m.group(2));
            }
            final String bench = required(fields, "bench", line);
            final String unit = required(fields, "unit", line);
            final double kernel = number(fields, "kernel", line);
            final double vfplane = number(fields, "vfplane", line);
            results.add(new Comparison(bench, unit, vfplane, kernel, PEER_NAME, Map.of()));
        }
        return results;
    }

    private static String required(final Map<String, String> fields, final String key, final String line)
    {
        final String value = fields.get(key);
        if (value == null)
        {
            throw new CompareException("overlay comparison: result line without \"" + key + "\": " + line);
        }
        return value;
    }

    private static double number(final Map<String, String> fields, final String key, final String line)
    {
        try
        {
            return Double.parseDouble(required(fields, key, line));
        }
        catch (final NumberFormatException ex)
        {
            throw new CompareException("overlay comparison: \"" + key + "\" is not a number: " + line);
        }
    }

    /** The real machine: the effective user id, and the repository found as {@link #findRepoRoot()} does. */
    public static final Host SYSTEM = new Host()
    {
        @Override
        public boolean isRoot()
        {
            try
            {
                for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
                {
                    if (line.startsWith("Uid:"))
                    {
                        // Uid: real effective saved filesystem
                        final String[] ids = line.substring(4).trim().split("\\s+");
                        return ids.length > 1 && "0".equals(ids[1]);
                    }
                }
            }
            catch (final IOException ex)
            {
                // Not Linux or no procfs: fall through to the user name.
            }
            return "root".equals(System.getProperty("user.name"));
        }

        @Override
        public Optional<Path> repoRoot()
        {
            return findRepoRoot();
        }
    };

    /**
     * Finds the repository root: the system property {@link #REPO_ROOT_PROPERTY}, else the first directory that holds
     * {@link #SCRIPT} walking up from where this class was loaded (the jar in {@code dist/target} or
     * {@code perf/target}), else walking up from the working directory.
     */
    public static Optional<Path> findRepoRoot()
    {
        final String property = System.getProperty(REPO_ROOT_PROPERTY);
        if (property != null && !property.isBlank())
        {
            return Optional.of(Path.of(property).toAbsolutePath().normalize());
        }
        final List<Path> starts = new ArrayList<>(2);
        try
        {
            final var source = OverlayComparison.class.getProtectionDomain().getCodeSource();
            if (source != null)
            {
                starts.add(Path.of(source.getLocation().toURI()));
            }
        }
        catch (final URISyntaxException | IllegalArgumentException | SecurityException ex)
        {
            // An unusual class loader: the working directory is still tried.
        }
        starts.add(Path.of("").toAbsolutePath());
        for (final Path start : starts)
        {
            for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent())
            {
                if (Files.isRegularFile(dir.resolve(SCRIPT)))
                {
                    return Optional.of(dir);
                }
            }
        }
        return Optional.empty();
    }
}
