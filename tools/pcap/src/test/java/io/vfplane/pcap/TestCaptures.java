package io.vfplane.pcap;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Builds small capture files by hand, in either byte order, for cases the corpus lacks (big-endian files, several
 * pcapng sections and interfaces, simple packet blocks, unknown blocks, unsupported link types).
 */
public final class TestCaptures
{
    private TestCaptures()
    {
    }

    /**
     * @param bigEndian byte order.
     * @param linkType  link type.
     * @param snaplen   snaplen.
     * @return a 24-byte microsecond pcap file header.
     */
    public static byte[] pcapHeader(final boolean bigEndian, final int linkType, final int snaplen)
    {
        return pcapHeader(bigEndian, false, linkType, snaplen);
    }

    /**
     * @param bigEndian byte order.
     * @param nanos     nanosecond magic.
     * @param linkType  link type.
     * @param snaplen   snaplen.
     * @return a 24-byte pcap file header.
     */
    public static byte[] pcapHeader(final boolean bigEndian, final boolean nanos, final int linkType,
        final int snaplen)
    {
        final ByteBuffer b = ByteBuffer.allocate(24).order(order(bigEndian));
        b.putInt(nanos ? 0xa1b23c4d : 0xa1b2c3d4).putShort((short)2).putShort((short)4).putInt(0).putInt(0)
            .putInt(snaplen).putInt(linkType);
        return b.array();
    }

    /**
     * @param bigEndian byte order.
     * @param seconds   timestamp seconds.
     * @param fraction  micro- or nanoseconds.
     * @param data      captured bytes.
     * @param len       original length.
     * @return a pcap record (header and data).
     */
    public static byte[] pcapRecord(final boolean bigEndian, final int seconds, final int fraction,
        final byte[] data, final int len)
    {
        final ByteBuffer b = ByteBuffer.allocate(16 + data.length).order(order(bigEndian));
        b.putInt(seconds).putInt(fraction).putInt(data.length).putInt(len).put(data);
        return b.array();
    }

    /**
     * A pcapng writer for tests: blocks in the byte order of the current section.
     */
    public static final class Pcapng
    {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private ByteOrder order = ByteOrder.LITTLE_ENDIAN;

        /**
         * @param bigEndian byte order of the new section.
         * @return this.
         */
        public Pcapng section(final boolean bigEndian)
        {
            order = order(bigEndian);
            final ByteBuffer body = body(16);
            body.putInt(0x1A2B3C4D).putShort((short)1).putShort((short)0).putLong(-1L);
            return block(0x0A0D0D0A, body);
        }

        /**
         * @param linkType link type.
         * @param tsresol  if_tsresol option value, or -1 for none.
         * @return this.
         */
        public Pcapng iface(final int linkType, final int tsresol)
        {
            final ByteBuffer body = body(tsresol < 0 ? 8 : 8 + 8 + 4);
            body.putShort((short)linkType).putShort((short)0).putInt(65535);
            if (tsresol >= 0)
            {
                body.putShort((short)9).putShort((short)1).put((byte)tsresol).put(new byte[3]);
                body.putShort((short)0).putShort((short)0);
            }
            return block(1, body);
        }

        /**
         * @param iface     interface id.
         * @param timestamp timestamp in the interface's units.
         * @param data      captured bytes.
         * @param len       original length.
         * @return this.
         */
        public Pcapng epb(final int iface, final long timestamp, final byte[] data, final int len)
        {
            final ByteBuffer body = body(20 + pad(data.length));
            body.putInt(iface).putInt((int)(timestamp >>> 32)).putInt((int)timestamp).putInt(data.length)
                .putInt(len).put(data);
            return block(6, body);
        }

        /**
         * @param data packet bytes (all captured).
         * @return this.
         */
        public Pcapng spb(final byte[] data)
        {
            final ByteBuffer body = body(4 + pad(data.length));
            body.putInt(data.length).put(data);
            return block(3, body);
        }

        /**
         * @param type a block type this reader does not know.
         * @return this.
         */
        public Pcapng unknown(final int type)
        {
            final ByteBuffer body = body(8);
            body.putLong(0x1122334455667788L);
            return block(type, body);
        }

        /**
         * @return the file bytes.
         */
        public byte[] bytes()
        {
            return out.toByteArray();
        }

        private ByteBuffer body(final int length)
        {
            return ByteBuffer.allocate(length).order(order);
        }

        private Pcapng block(final int type, final ByteBuffer body)
        {
            final int total = 12 + body.capacity();
            final ByteBuffer b = ByteBuffer.allocate(total).order(order);
            b.putInt(type).putInt(total).put(body.array()).putInt(total);
            out.writeBytes(b.array());
            return this;
        }
    }

    private static int pad(final int length)
    {
        return (length + 3) & ~3;
    }

    private static ByteOrder order(final boolean bigEndian)
    {
        return bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    /**
     * @param length frame length (at least 14).
     * @param seed   fills the payload.
     * @return an Ethernet frame with ethertype 0x88B5 (local experimental) and a recognisable payload.
     */
    public static byte[] ethernetFrame(final int length, final int seed)
    {
        final byte[] frame = new byte[length];
        for (int i = 0; i < 6; i++)
        {
            frame[i] = (byte)(0x02 + i);
            frame[6 + i] = (byte)(0x12 + i);
        }
        frame[12] = (byte)0x88;
        frame[13] = (byte)0xB5;
        for (int i = 14; i < length; i++)
        {
            frame[i] = (byte)(seed + i);
        }
        return frame;
    }
}
