package io.vfplane.encap.testsupport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A tiny classic-pcap reader and writer for tests (tools/pcap depends on the engine, not on this module).
 */
public final class TestPcap
{
    private TestPcap()
    {
    }

    /** Writes Ethernet frames to a microsecond pcap. */
    public static void write(final Path file, final List<byte[]> frames) throws IOException
    {
        int size = 24;
        for (final byte[] f : frames)
        {
            size += 16 + f.length;
        }
        final ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xa1b2c3d4).putShort((short)2).putShort((short)4).putInt(0).putInt(0).putInt(262144).putInt(1);
        int i = 0;
        for (final byte[] f : frames)
        {
            b.putInt(1_700_000_000 + i).putInt(0).putInt(f.length).putInt(f.length).put(f);
            i++;
        }
        Files.write(file, b.array());
    }

    /** Reads the frames of a classic pcap (either byte order, µs or ns). */
    public static List<byte[]> read(final Path file) throws IOException
    {
        final ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        final int magic = b.getInt(0);
        if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d)
        {
            b.order(ByteOrder.BIG_ENDIAN);
        }
        b.position(24);
        final List<byte[]> frames = new ArrayList<>();
        while (b.remaining() >= 16)
        {
            b.getInt();
            b.getInt();
            final int caplen = b.getInt();
            b.getInt();
            if (caplen > b.remaining())
            {
                break;
            }
            final byte[] f = new byte[caplen];
            b.get(f);
            frames.add(f);
        }
        return frames;
    }
}
