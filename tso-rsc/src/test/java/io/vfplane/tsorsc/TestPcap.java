package io.vfplane.tsorsc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A tiny test-only pcap reader and writer (classic pcap, Ethernet). The real one lives in tools/pcap, which sits
 * above this module and cannot be a dependency.
 */
public final class TestPcap
{
    private static final int MAGIC_MICROS = 0xa1b2c3d4;
    private static final int MAGIC_NANOS = 0xa1b23c4d;

    private TestPcap()
    {
    }

    public static List<byte[]> read(final Path file) throws IOException
    {
        final ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        b.order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt(0);
        if (magic != MAGIC_MICROS && magic != MAGIC_NANOS)
        {
            b.order(ByteOrder.BIG_ENDIAN);
            magic = b.getInt(0);
            if (magic != MAGIC_MICROS && magic != MAGIC_NANOS)
            {
                throw new IOException("not a classic pcap: " + file);
            }
        }
        final List<byte[]> frames = new ArrayList<>();
        int at = 24;
        while (at + 16 <= b.limit())
        {
            final int captured = b.getInt(at + 8);
            final byte[] frame = new byte[captured];
            b.get(at + 16, frame);
            frames.add(frame);
            at += 16 + captured;
        }
        return frames;
    }

    public static void write(final Path file, final List<byte[]> frames) throws IOException
    {
        int size = 24;
        for (final byte[] f : frames)
        {
            size += 16 + f.length;
        }
        final ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC_MICROS).putShort((short)2).putShort((short)4).putInt(0).putInt(0).putInt(262144).putInt(1);
        int t = 0;
        for (final byte[] f : frames)
        {
            b.putInt(1_700_000_000).putInt(t++).putInt(f.length).putInt(f.length).put(f);
        }
        Files.write(file, b.array());
    }
}
