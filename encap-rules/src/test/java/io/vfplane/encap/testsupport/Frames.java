package io.vfplane.encap.testsupport;

import java.nio.ByteBuffer;

/**
 * Builds inner test frames.
 */
public final class Frames
{
    private Frames()
    {
    }

    /** An Ethernet + IPv4 + ICMP echo request with valid checksums, {@code payload} bytes of data. */
    public static byte[] icmpEcho(final long dstMac, final long srcMac, final byte[] src, final byte[] dst,
        final int ttl, final int tos, final boolean df, final int payload)
    {
        final int ipLength = 20 + 8 + payload;
        final ByteBuffer b = ByteBuffer.allocate(14 + ipLength);
        putMac(b, dstMac);
        putMac(b, srcMac);
        b.putShort((short)0x0800);
        b.put((byte)0x45).put((byte)tos).putShort((short)ipLength).putShort((short)0x1234)
            .putShort((short)(df ? 0x4000 : 0)).put((byte)ttl).put((byte)1).putShort((short)0).put(src).put(dst);
        b.putShort(24, (short)checksum(b.array(), 14, 20));
        b.put((byte)8).put((byte)0).putShort((short)0).putShort((short)7).putShort((short)1);
        for (int i = 0; i < payload; i++)
        {
            b.put((byte)i);
        }
        b.putShort(36, (short)checksum(b.array(), 34, 8 + payload));
        return b.array();
    }

    /** An Ethernet + IPv4 + ICMP echo (type 8 request, 0 reply) with this id and sequence, valid checksums. */
    public static byte[] icmp(final long dstMac, final long srcMac, final byte[] src, final byte[] dst,
        final int type, final int id, final int seq, final int payload)
    {
        final byte[] frame = icmpEcho(dstMac, srcMac, src, dst, 64, 0, false, payload);
        final ByteBuffer b = ByteBuffer.wrap(frame);
        b.put(34, (byte)type).putShort(36, (short)0).putShort(38, (short)id).putShort(40, (short)seq);
        b.putShort(36, (short)checksum(frame, 34, frame.length - 34));
        return frame;
    }

    /** An Ethernet + IPv6 + UDP frame (UDP checksum computed). */
    public static byte[] udp6(final long dstMac, final long srcMac, final byte[] src, final byte[] dst,
        final int hopLimit, final int payload)
    {
        final int udpLength = 8 + payload;
        final ByteBuffer b = ByteBuffer.allocate(14 + 40 + udpLength);
        putMac(b, dstMac);
        putMac(b, srcMac);
        b.putShort((short)0x86DD);
        b.putInt(6 << 28).putShort((short)udpLength).put((byte)17).put((byte)hopLimit).put(src).put(dst);
        b.putShort((short)5000).putShort((short)6000).putShort((short)udpLength).putShort((short)0);
        for (int i = 0; i < payload; i++)
        {
            b.put((byte)i);
        }
        final byte[] a = b.array();
        long sum = 0;
        for (int i = 22; i < 54; i += 2)
        {
            sum += ((a[i] & 0xFF) << 8) | (a[i + 1] & 0xFF);
        }
        sum += udpLength + 17;
        sum += partial(a, 54, udpLength);
        int c = fold(sum);
        c = c == 0 ? 0xFFFF : c;
        b.putShort(60, (short)c);
        return a;
    }

    public static void putMac(final ByteBuffer b, final long mac)
    {
        b.putInt((int)(mac >>> 16)).putShort((short)mac);
    }

    public static int checksum(final byte[] a, final int off, final int len)
    {
        return fold(partial(a, off, len));
    }

    private static long partial(final byte[] a, final int off, final int len)
    {
        long sum = 0;
        for (int i = 0; i < len; i += 2)
        {
            sum += ((a[off + i] & 0xFF) << 8) | (i + 1 < len ? a[off + i + 1] & 0xFF : 0);
        }
        return sum;
    }

    private static int fold(long sum)
    {
        while (sum >>> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)(~sum & 0xFFFF);
    }

    public static byte[] ip(final String dotted)
    {
        final String[] p = dotted.split("\\.");
        return new byte[]{(byte)Integer.parseInt(p[0]), (byte)Integer.parseInt(p[1]), (byte)Integer.parseInt(p[2]),
            (byte)Integer.parseInt(p[3])};
    }

    public static byte[] ip6(final String text)
    {
        try
        {
            return java.net.InetAddress.getByName(text).getAddress();
        }
        catch (final java.net.UnknownHostException ex)
        {
            throw new IllegalArgumentException(ex);
        }
    }
}
