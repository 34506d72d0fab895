package io.vfplane.tsorsc;

import io.vfplane.dataplane.checksum.Checksums;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.Random;

/**
 * Builds valid test frames (every length and checksum right): TCP over IPv4/IPv6, plain or in VXLAN, Geneve, NVGRE
 * or a custom UDP format with an opaque field; BIG TCP when the payload does not fit 64 KiB.
 */
public final class TestFrames
{
    public enum Tunnel
    {
        NONE, VXLAN4, VXLAN6, GENEVE4, GENEVE6, NVGRE4, CUSTOM4
    }

    /** Custom test format over UDP port 7777: 4 bytes magic/flags, 8 bytes opaque field, then inner Ethernet. */
    public static final int CUSTOM_PORT = 7777;
    public static final int CUSTOM_HEADER_LENGTH = 12;

    private TestFrames()
    {
    }

    /**
     * @return the frame.
     */
    public static byte[] tcp(
        final Tunnel tunnel,
        final boolean innerV6,
        final byte[] payload,
        final byte[] tcpOptions,
        final int flags,
        final int seq,
        final int ipId,
        final boolean outerUdpChecksum,
        final int vni)
    {
        final int tcpLength = 20 + tcpOptions.length;
        final int innerIpHeader = innerV6 ? 40 : 20;
        final boolean jumbo = innerIpHeader + tcpLength + payload.length > 65535;
        final int hbh = jumbo && innerV6 ? 8 : 0;
        final int inner = 14 + innerIpHeader + hbh + tcpLength + payload.length;
        final int outer = outerLength(tunnel);
        final ByteBuffer b = ByteBuffer.allocate(outer + inner);
        final boolean outerV6 = tunnel == Tunnel.VXLAN6 || tunnel == Tunnel.GENEVE6;
        if (tunnel != Tunnel.NONE)
        {
            ethernet(b, outerV6 ? 0x86DD : 0x0800);
            final int outerPayload = b.capacity() - 14 - (outerV6 ? 40 : 20);
            if (outerV6)
            {
                ipv6(b, tunnel == Tunnel.NVGRE4 ? 47 : 17, outerPayload, 0x2001_0db8, 1, 2);
            }
            else
            {
                ipv4(b, tunnel == Tunnel.NVGRE4 ? 47 : 17, outerPayload, 0x4242, 0x0a000001, 0x0a000002);
            }
            switch (tunnel)
            {
                case VXLAN4, VXLAN6 ->
                {
                    udp(b, 49152 + (vni & 0x3FF), 4789, outerPayload);
                    b.putInt(0x08000000).putInt(vni << 8);
                }
                case GENEVE4, GENEVE6 ->
                {
                    udp(b, 49153, 6081, outerPayload);
                    // version 0, opt len 2 (8 bytes), protocol TEB, VNI, one option class 0x0102 type 0x80 len 1
                    b.put((byte)2).put((byte)0).putShort((short)0x6558).putInt(vni << 8);
                    b.putShort((short)0x0102).put((byte)0x80).put((byte)1).putInt(0xCAFEF00D);
                }
                case NVGRE4 ->
                    b.putShort((short)0x2000).putShort((short)0x6558).putInt(vni << 8 | 0x5A);
                case CUSTOM4 ->
                {
                    udp(b, 49154, CUSTOM_PORT, outerPayload);
                    b.putInt(0x7E570001).putLong(0x0102030405060708L ^ vni);
                }
                default -> throw new IllegalStateException();
            }
        }
        final int innerStart = b.position();
        ethernet(b, innerV6 ? 0x86DD : 0x0800);
        final int ipAt = b.position();
        if (innerV6)
        {
            final int plen = hbh + tcpLength + payload.length;
            ipv6(b, jumbo ? 0 : 6, jumbo ? 0 : plen, 0xfd00_0000, 0x10, 0x20);
            if (jumbo)
            {
                b.put((byte)6).put((byte)0).put((byte)0xC2).put((byte)4).putInt(hbh + tcpLength + payload.length);
            }
        }
        else
        {
            ipv4(b, 6, jumbo ? -20 : tcpLength + payload.length, ipId, 0xc0a80001, 0xc0a80002);
        }
        final int tcpAt = b.position();
        b.putShort((short)40000).putShort((short)5201).putInt(seq).putInt(0x11223344);
        b.put((byte)((tcpLength / 4) << 4)).put((byte)flags).putShort((short)512).putInt(0).put(tcpOptions);
        b.put(payload);
        final byte[] frame = b.array();
        final UnsafeBuffer u = new UnsafeBuffer(frame);
        if (!innerV6)
        {
            Checksums.writeIpv4HeaderChecksum(u, ipAt);
        }
        Checksums.writeL4Checksum(u, ipAt, tcpAt, tcpLength + payload.length, 6);
        if (tunnel != Tunnel.NONE && !outerV6)
        {
            Checksums.writeIpv4HeaderChecksum(u, 14);
        }
        if (tunnel != Tunnel.NONE && tunnel != Tunnel.NVGRE4 && (outerUdpChecksum || outerV6))
        {
            final int ip = 14;
            final int udp = 14 + (outerV6 ? 40 : 20);
            Checksums.writeL4Checksum(u, ip, udp, frame.length - udp, 17);
        }
        assert innerStart == outer;
        return frame;
    }

    public static int outerLength(final Tunnel tunnel)
    {
        return switch (tunnel)
        {
            case NONE -> 0;
            case VXLAN4 -> 14 + 20 + 8 + 8;
            case VXLAN6 -> 14 + 40 + 8 + 8;
            case GENEVE4 -> 14 + 20 + 8 + 16;
            case GENEVE6 -> 14 + 40 + 8 + 16;
            case NVGRE4 -> 14 + 20 + 8;
            case CUSTOM4 -> 14 + 20 + 8 + CUSTOM_HEADER_LENGTH;
        };
    }

    /** UDP GSO input: one IPv4 UDP datagram to be cut into fixed-size datagrams. */
    public static byte[] udp4(final byte[] payload)
    {
        final ByteBuffer b = ByteBuffer.allocate(14 + 20 + 8 + payload.length);
        ethernet(b, 0x0800);
        ipv4(b, 17, 8 + payload.length, 7, 0x0a000001, 0x0a000002);
        udp(b, 5000, 6000, 8 + payload.length);
        b.put(payload);
        final UnsafeBuffer u = new UnsafeBuffer(b.array());
        Checksums.writeIpv4HeaderChecksum(u, 14);
        Checksums.writeL4Checksum(u, 14, 34, 8 + payload.length, 17);
        return b.array();
    }

    public static byte[] randomPayload(final Random random, final int length)
    {
        final byte[] p = new byte[length];
        random.nextBytes(p);
        return p;
    }

    private static void ethernet(final ByteBuffer b, final int type)
    {
        b.put(new byte[]{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short)type);
    }

    /** payloadLength -20 means total length 0 (BIG TCP). */
    private static void ipv4(final ByteBuffer b, final int protocol, final int payloadLength, final int id,
        final int src, final int dst)
    {
        final int total = payloadLength < 0 ? 0 : 20 + payloadLength;
        b.put((byte)0x45).put((byte)0).putShort((short)(total > 65535 ? 0 : total)).putShort((short)id)
            .putShort((short)0x4000).put((byte)64).put((byte)protocol).putShort((short)0).putInt(src).putInt(dst);
    }

    private static void ipv6(final ByteBuffer b, final int nextHeader, final int payloadLength, final int prefix,
        final int src, final int dst)
    {
        b.putInt(0x60000000).putShort((short)payloadLength).put((byte)nextHeader).put((byte)64);
        b.putInt(prefix).putInt(0).putInt(0).putInt(src);
        b.putInt(prefix).putInt(0).putInt(0).putInt(dst);
    }

    private static void udp(final ByteBuffer b, final int sport, final int dport, final int length)
    {
        b.putShort((short)sport).putShort((short)dport).putShort((short)(length > 65535 ? 0 : length))
            .putShort((short)0);
    }
}
