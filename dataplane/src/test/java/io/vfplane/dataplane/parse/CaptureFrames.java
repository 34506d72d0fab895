package io.vfplane.dataplane.parse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Minimal pcap / pcapng record reader for the parser tests only (tools/pcap has the real one, but it depends on this
 * module). Reads whole files into memory: the corpus is small.
 */
final class CaptureFrames
{
    record Frame(int index, int linkType, byte[] data, int originalLength)
    {
    }

    private CaptureFrames()
    {
    }

    static List<Frame> read(final Path file) throws IOException
    {
        final ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        final List<Frame> frames = new ArrayList<>();
        if (b.remaining() < 4)
        {
            return frames;
        }
        final int magic = b.getInt(0);
        if (magic == 0x0A0D0D0A)
        {
            readPcapng(b, frames);
        }
        else
        {
            readPcap(b, frames);
        }
        return frames;
    }

    private static void readPcap(final ByteBuffer b, final List<Frame> frames)
    {
        b.order(ByteOrder.LITTLE_ENDIAN);
        final int magic = b.getInt(0);
        if (magic != 0xA1B2C3D4 && magic != 0xA1B23C4D)
        {
            b.order(ByteOrder.BIG_ENDIAN);
            final int m = b.getInt(0);
            if (m != 0xA1B2C3D4 && m != 0xA1B23C4D)
            {
                throw new IllegalArgumentException("not a pcap file");
            }
        }
        final int linkType = b.getInt(20) & 0x0FFF_FFFF;
        int at = 24;
        while (at + 16 <= b.limit())
        {
            final int capLen = b.getInt(at + 8);
            final int origLen = b.getInt(at + 12);
            at += 16;
            if (capLen < 0 || at + capLen > b.limit())
            {
                break;
            }
            final byte[] data = new byte[capLen];
            b.get(at, data);
            frames.add(new Frame(frames.size() + 1, linkType, data, origLen));
            at += capLen;
        }
    }

    private static void readPcapng(final ByteBuffer b, final List<Frame> frames)
    {
        final List<Integer> linkTypes = new ArrayList<>();
        ByteOrder sectionOrder = ByteOrder.LITTLE_ENDIAN;
        int at = 0;
        while (at + 12 <= b.limit())
        {
            if (b.order(ByteOrder.BIG_ENDIAN).getInt(at) == 0x0A0D0D0A)
            {
                // Section header: its byte-order magic decides the order of every block in the section.
                final boolean little = b.order(ByteOrder.LITTLE_ENDIAN).getInt(at + 8) == 0x1A2B3C4D;
                b.order(little ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
                linkTypes.clear();
            }
            else
            {
                b.order(sectionOrder);
            }
            sectionOrder = b.order();
            final int blockType = b.getInt(at);
            final int blockLength = b.getInt(at + 4);
            if (blockLength < 12 || at + blockLength > b.limit())
            {
                break;
            }
            if (blockType == 1)
            {
                linkTypes.add(b.getShort(at + 8) & 0xFFFF);
            }
            else if (blockType == 6)
            {
                final int iface = b.getInt(at + 8);
                final int capLen = b.getInt(at + 20);
                final int origLen = b.getInt(at + 24);
                final byte[] data = new byte[capLen];
                b.get(at + 28, data);
                frames.add(new Frame(frames.size() + 1, linkTypes.get(iface), data, origLen));
            }
            at += blockLength;
        }
    }
}
