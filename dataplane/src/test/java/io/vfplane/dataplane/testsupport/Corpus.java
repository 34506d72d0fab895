package io.vfplane.dataplane.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Locates the shared, read-only capture corpus that sits beside the repository ({@code ../shared/corpus/pcaps}).
 * Surefire passes the repository root as the system property {@code vfplane.repo.root}. A missing corpus fails the
 * test that asked for it: silently skipping would hide that nothing was checked.
 */
public final class Corpus
{
    private Corpus()
    {
    }

    public static Path dir()
    {
        final String root = System.getProperty("vfplane.repo.root", ".");
        // the corpus sits beside the repository: look beside the given root and each of its ancestors, so a test
        // run from a module directory finds it too
        Path dir = null;
        for (Path p = Path.of(root).toAbsolutePath().normalize(); p != null; p = p.getParent())
        {
            final Path candidate = p.resolve("../shared/corpus/pcaps").normalize();
            if (Files.isDirectory(candidate))
            {
                dir = candidate;
                break;
            }
        }
        if (dir == null)
        {
            final String env = System.getenv("VFPLANE_CORPUS");
            if (env != null)
            {
                dir = Path.of(env);
            }
        }
        if (dir == null || !Files.isDirectory(dir))
        {
            throw new IllegalStateException("capture corpus not found beside " + root +
                " (set -Dvfplane.repo.root or VFPLANE_CORPUS)");
        }
        return dir;
    }

    public static Path file(final String relative)
    {
        final Path p = dir().resolve(relative);
        if (!Files.isRegularFile(p))
        {
            throw new IllegalStateException("corpus capture missing: " + relative);
        }
        return p;
    }

    /** Every .pcap and .pcapng file of the corpus, sorted by path. */
    public static List<Path> allCaptures()
    {
        try (Stream<Path> s = Files.walk(dir()))
        {
            return s.filter(Files::isRegularFile)
                .filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".pcapng"))
                .sorted()
                .toList();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
