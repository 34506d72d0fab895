package io.vfplane.overlay.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the namespace tests need: root (they create network namespaces) and the real peers (iperf3, scapy).
 */
final class RootSupport
{
    static final String SYSTEM_PYTHON = "/usr/bin/python3";

    private RootSupport()
    {
    }

    /** Fails, not skips, without root: CI runs as root, and a skipped peer test would hide that nothing was checked. */
    static void assumeRoot()
    {
        assertTrue("root".equals(System.getProperty("user.name")), "needs root to create network namespaces");
    }

    static Path workDir(final String name) throws IOException
    {
        final Path dir = Path.of(System.getProperty("java.io.tmpdir"), "vfplane-test-" + name);
        Files.createDirectories(dir);
        return dir;
    }

    /** Python source that sends one UDP datagram: a VXLAN header with {@code vni} and an inner frame. */
    static String forgedVxlan(final String from, final String to, final int vni, final String innerDstMac)
    {
        return "import socket\n" +
            "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n" +
            "s.bind(('" + from + "', 0))\n" +
            "vx = bytes([0x08, 0, 0, 0]) + (" + vni + " << 8).to_bytes(4, 'big')\n" +
            "inner = bytes.fromhex('" + innerDstMac.replace(":", "") + "') + bytes.fromhex('020000880001') + " +
            "b'\\x08\\x00' + bytes(46)\n" +
            "for i in range(5):\n" +
            "    s.sendto(vx + inner, ('" + to + "', 4789))\n";
    }
}
