package io.vfplane.perf.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads the overlay script's output as captured from a run, and refuses clearly when the script cannot run.
 */
class OverlayComparisonTest
{
    /** What perf/scripts/overlay/compare.sh prints (stdout), progress lines included. */
    private static final List<String> CAPTURED = List.of(
        "kernel vxlan: building and measuring (5s TCP, 5s 64-byte UDP)",
        "  kernel:  TCP 16.10 Gbit/s (1.43 of 2 CPUs busy, 0.71 CPU-s per GB), 64-byte UDP 412000 packets/s received",
        "vfplane: building and measuring",
        "  vfplane: TCP 0.90 Gbit/s (1.98 of 2 CPUs busy, 17.60 CPU-s per GB), 64-byte UDP 98000 packets/s received",
        "{\"bench\":\"overlay-tcp\",\"kernel\":16100000000,\"vfplane\":900000000,\"unit\":\"bit/s\",\"ratio\":0.056}",
        "{\"bench\":\"overlay-udp64\",\"kernel\":412000,\"vfplane\":98000,\"unit\":\"packets/s\",\"ratio\":0.238}");

    @Test
    void shouldTurnEachResultLineIntoOursVfplaneAgainstTheKernelPeer()
    {
        final List<Comparison> results = OverlayComparison.parse(CAPTURED);
        assertEquals(2, results.size(), "progress lines are not results");
        final Comparison tcp = results.get(0);
        assertEquals("overlay-tcp", tcp.name());
        assertEquals("bit/s", tcp.unit());
        assertEquals(900_000_000d, tcp.ours());
        assertEquals(16_100_000_000d, tcp.peer());
        assertEquals(OverlayComparison.PEER_NAME, tcp.peerName());
        assertEquals(900_000_000d / 16_100_000_000d, tcp.ratio(), 1e-12, "recomputed, not the script's rounding");
        final Comparison udp = results.get(1);
        assertEquals("overlay-udp64", udp.name());
        assertEquals("packets/s", udp.unit());
        assertEquals(98_000d / 412_000d, udp.ratio(), 1e-12);
        assertEquals("{\"name\":\"overlay-udp64\",\"unit\":\"packets/s\",\"ours\":98000,\"peer\":412000," +
            "\"peer_name\":\"kernel-vxlan\",\"ratio\":0.237864}", udp.toJson());
    }

    @Test
    void shouldAcceptFieldsInAnyOrderAndSpacing()
    {
        final List<Comparison> results = OverlayComparison.parse(List.of(
            "{ \"bench\": \"overlay-tcp\", \"unit\": \"bit/s\", \"vfplane\": 1.5e9, \"kernel\": 3e9, " +
                "\"ratio\": 0.5 }"));
        assertEquals(1.5e9, results.get(0).ours());
        assertEquals(3e9, results.get(0).peer());
    }

    @Test
    void shouldRefuseAResultLineWithoutAFigure()
    {
        final CompareException ex = assertThrows(CompareException.class, () -> OverlayComparison.parse(List.of(
            "{\"bench\":\"overlay-tcp\",\"kernel\":16100000000,\"unit\":\"bit/s\",\"ratio\":0.056}")));
        assertTrue(ex.getMessage().contains("\"vfplane\""), ex.getMessage());
    }

    @Test
    void shouldSayItNeedsRootWhenNotRoot(@TempDir final Path root) throws IOException
    {
        script(root);
        final CompareException ex = assertThrows(CompareException.class,
            () -> OverlayComparison.check(host(false, Optional.of(root))));
        assertTrue(ex.getMessage().contains("needs root"), ex.getMessage());
    }

    @Test
    void shouldSayTheScriptIsMissing(@TempDir final Path root)
    {
        final CompareException ex = assertThrows(CompareException.class,
            () -> OverlayComparison.check(host(true, Optional.of(root))));
        assertTrue(ex.getMessage().contains("compare.sh") && ex.getMessage().contains("missing"), ex.getMessage());
        final CompareException notFound = assertThrows(CompareException.class,
            () -> OverlayComparison.check(host(true, Optional.empty())));
        assertTrue(notFound.getMessage().contains("cannot find " + OverlayComparison.SCRIPT), notFound.getMessage());
    }

    @Test
    void shouldFindTheScriptInThisRepository()
    {
        final Optional<Path> root = OverlayComparison.findRepoRoot();
        assertTrue(root.isPresent());
        assertTrue(Files.isRegularFile(root.get().resolve(OverlayComparison.SCRIPT)), root.get().toString());
        assertEquals(root.get().resolve(OverlayComparison.SCRIPT), OverlayComparison.check(host(true, root)));
    }

    static void script(final Path root) throws IOException
    {
        final Path script = root.resolve(OverlayComparison.SCRIPT);
        Files.createDirectories(script.getParent());
        Files.writeString(script, "#!/usr/bin/env bash\nexit 0\n");
    }

    static OverlayComparison.Host host(final boolean isRoot, final Optional<Path> root)
    {
        return new OverlayComparison.Host()
        {
            @Override
            public boolean isRoot()
            {
                return isRoot;
            }

            @Override
            public Optional<Path> repoRoot()
            {
                return root;
            }
        };
    }
}
