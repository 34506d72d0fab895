package io.vfplane.vf;

import java.nio.ByteOrder;

import org.agrona.MutableDirectBuffer;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.checksum.Checksums;
import io.vfplane.dataplane.packet.PacketDescriptor;

/**
 * Frames the VF and port tests write into pool buffers: Ethernet + IPv4 + ICMP echo / TCP / UDP, and ARP, with
 * correct checksums.
 */
public final class TestFrames
{
    public static final int ETH = 14;
    public static final int IP = 20;

    private TestFrames()
    {
    }

    /** Allocates a buffer and binds {@code packet} to {@code length} bytes at the slot's data offset. */
    public static int allocate(final PacketPool pool, final PacketDescriptor packet, final int length)
    {
        final int id = pool.allocate();
        if (id == PacketPool.NO_BUFFER)
        {
            throw new IllegalStateException("pool empty");
        }
        packet.resetMetadata();
        packet.bind(id, pool.dataOffset(id), length);
        return id;
    }

    public static void ethernet(
        final MutableDirectBuffer b, final int o, final long dst, final long src, final int type)
    {
        b.putInt(o, (int)(dst >>> 16), ByteOrder.BIG_ENDIAN);
        b.putShort(o + 4, (short)dst, ByteOrder.BIG_ENDIAN);
        b.putInt(o + 6, (int)(src >>> 16), ByteOrder.BIG_ENDIAN);
        b.putShort(o + 10, (short)src, ByteOrder.BIG_ENDIAN);
        b.putShort(o + 12, (short)type, ByteOrder.BIG_ENDIAN);
    }

    /** IPv4 header at {@code o} with the checksum written. */
    public static void ipv4(
        final MutableDirectBuffer b, final int o, final int protocol, final int src, final int dst, final int l4Length)
    {
        b.putByte(o, (byte)0x45);
        b.putByte(o + 1, (byte)0);
        b.putShort(o + 2, (short)(IP + l4Length), ByteOrder.BIG_ENDIAN);
        b.putShort(o + 4, (short)0x1234, ByteOrder.BIG_ENDIAN);
        b.putShort(o + 6, (short)0x4000, ByteOrder.BIG_ENDIAN);
        b.putByte(o + 8, (byte)64);
        b.putByte(o + 9, (byte)protocol);
        b.putShort(o + 10, (short)0, ByteOrder.BIG_ENDIAN);
        b.putInt(o + 12, src, ByteOrder.BIG_ENDIAN);
        b.putInt(o + 16, dst, ByteOrder.BIG_ENDIAN);
        Checksums.writeIpv4HeaderChecksum(b, o);
    }

    /**
     * An ICMP echo request frame at {@code o}.
     *
     * @return its length.
     */
    public static int icmpEcho(
        final MutableDirectBuffer b, final int o, final long dstMac, final long srcMac, final int src, final int dst,
        final int id, final int seq, final int payload)
    {
        final int icmpLength = 8 + payload;
        ethernet(b, o, dstMac, srcMac, 0x0800);
        ipv4(b, o + ETH, 1, src, dst, icmpLength);
        final int icmp = o + ETH + IP;
        b.putByte(icmp, (byte)8);
        b.putByte(icmp + 1, (byte)0);
        b.putShort(icmp + 2, (short)0, ByteOrder.BIG_ENDIAN);
        b.putShort(icmp + 4, (short)id, ByteOrder.BIG_ENDIAN);
        b.putShort(icmp + 6, (short)seq, ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < payload; i++)
        {
            b.putByte(icmp + 8 + i, (byte)i);
        }
        b.putShort(icmp + 2, (short)Checksums.fold(Checksums.sum(b, icmp, icmpLength, 0)), ByteOrder.BIG_ENDIAN);
        return ETH + IP + icmpLength;
    }

    /**
     * An ARP request frame at {@code o} (broadcast).
     *
     * @return its length.
     */
    public static int arpRequest(
        final MutableDirectBuffer b, final int o, final long srcMac, final long senderMac, final int senderIp,
        final int targetIp)
    {
        ethernet(b, o, 0xFFFF_FFFF_FFFFL, srcMac, 0x0806);
        final int a = o + ETH;
        b.putShort(a, (short)1, ByteOrder.BIG_ENDIAN);
        b.putShort(a + 2, (short)0x0800, ByteOrder.BIG_ENDIAN);
        b.putByte(a + 4, (byte)6);
        b.putByte(a + 5, (byte)4);
        b.putShort(a + 6, (short)1, ByteOrder.BIG_ENDIAN);
        b.putInt(a + 8, (int)(senderMac >>> 16), ByteOrder.BIG_ENDIAN);
        b.putShort(a + 12, (short)senderMac, ByteOrder.BIG_ENDIAN);
        b.putInt(a + 14, senderIp, ByteOrder.BIG_ENDIAN);
        b.putInt(a + 18, 0, ByteOrder.BIG_ENDIAN);
        b.putShort(a + 22, (short)0, ByteOrder.BIG_ENDIAN);
        b.putInt(a + 24, targetIp, ByteOrder.BIG_ENDIAN);
        return ETH + 28;
    }

    /**
     * Ethernet + IPv6 from {@code src} (high, low) to 2001:db8::1 + {@code payload} bytes of {@code nextHeader}
     * (the bytes after the IPv6 header are left to the caller).
     *
     * @return where the IPv6 payload starts.
     */
    public static int ipv6(
        final MutableDirectBuffer b, final int o, final long srcMac, final long[] src, final int nextHeader,
        final int payload)
    {
        ethernet(b, o, 0x3333_0000_0001L, srcMac, 0x86DD);
        final int ip = o + ETH;
        b.putInt(ip, 0x6000_0000, ByteOrder.BIG_ENDIAN);
        b.putShort(ip + 4, (short)payload, ByteOrder.BIG_ENDIAN);
        b.putByte(ip + 6, (byte)nextHeader);
        b.putByte(ip + 7, (byte)255);
        b.putLong(ip + 8, src[0], ByteOrder.BIG_ENDIAN);
        b.putLong(ip + 16, src[1], ByteOrder.BIG_ENDIAN);
        b.putLong(ip + 24, 0x2001_0DB8_0000_0000L, ByteOrder.BIG_ENDIAN);
        b.putLong(ip + 32, 1, ByteOrder.BIG_ENDIAN);
        return ip + 40;
    }

    /** An IPv6 UDP datagram with 8 bytes of payload from {@code src}: the frame's length. */
    public static int udp6(final MutableDirectBuffer b, final int o, final long srcMac, final long[] src)
    {
        final int udp = ipv6(b, o, srcMac, src, 17, 16);
        b.putShort(udp, (short)5000, ByteOrder.BIG_ENDIAN);
        b.putShort(udp + 2, (short)5001, ByteOrder.BIG_ENDIAN);
        b.putShort(udp + 4, (short)16, ByteOrder.BIG_ENDIAN);
        b.putShort(udp + 6, (short)0, ByteOrder.BIG_ENDIAN);
        b.putLong(udp + 8, 0x0102_0304_0506_0708L, ByteOrder.BIG_ENDIAN);
        return udp + 16 - o;
    }

    /**
     * A neighbour solicitation (135) or advertisement (136) for {@code target}, with one link-layer address option
     * (source for 135, target for 136) of {@code optionUnits} x 8 bytes carrying {@code optionMac}.
     *
     * @return the frame's length.
     */
    public static int neighbourDiscovery(
        final MutableDirectBuffer b, final int o, final long srcMac, final long[] src, final int type,
        final long[] target, final long optionMac, final int optionUnits)
    {
        final int length = 24 + Math.max(8, optionUnits * 8);
        final int icmp = ipv6(b, o, srcMac, src, 58, length);
        b.putByte(icmp, (byte)type);
        b.putByte(icmp + 1, (byte)0);
        b.putShort(icmp + 2, (short)0, ByteOrder.BIG_ENDIAN);
        b.putInt(icmp + 4, type == 136 ? 0x6000_0000 : 0, ByteOrder.BIG_ENDIAN);
        b.putLong(icmp + 8, target[0], ByteOrder.BIG_ENDIAN);
        b.putLong(icmp + 16, target[1], ByteOrder.BIG_ENDIAN);
        b.putByte(icmp + 24, (byte)(type == 136 ? 2 : 1));
        b.putByte(icmp + 25, (byte)optionUnits);
        b.putInt(icmp + 26, (int)(optionMac >>> 16), ByteOrder.BIG_ENDIAN);
        b.putShort(icmp + 30, (short)optionMac, ByteOrder.BIG_ENDIAN);
        return icmp + length - o;
    }
}
