package io.vfplane.perf.harness;

import static java.nio.ByteOrder.BIG_ENDIAN;

import org.agrona.MutableDirectBuffer;

import io.vfplane.dataplane.checksum.Checksums;

/**
 * Writes the guest frames of the scenarios: a flow number picks the source VF, the destination prefix (and so the
 * egress rule and tunnel) and the ports.
 *
 * <pre>
 *  UDP frame (length L >= 42):
 *  0        14         34      42                       L
 *  +--------+----------+-------+------------------------+
 *  |Ethernet|   IPv4   |  UDP  |  payload (pattern)     |
 *  +--------+----------+-------+------------------------+
 *  src 10.VF.200.x -> dst 10.VF.PREFIX.HOST, sport 1024 + flow, dport 4000
 *
 *  TCP frame (for TSO; 66 + payload):
 *  0        14         34               66
 *  +--------+----------+----------------+-----------------------------+
 *  |Ethernet|   IPv4   | TCP + TS opts  |  payload                    |
 *  +--------+----------+----------------+-----------------------------+
 * </pre>
 */
public final class Frames
{
    /** VFs the flows are spread over. */
    static final int VFS = 16;
    /** Destination /24 prefixes per VF, one egress rule and tunnel each. */
    static final int PREFIXES = 8;
    static final int ETHERNET = 14;
    static final int IP_OFFSET = 14;
    static final int L4_OFFSET = 34;
    /** Ethernet 14 + IPv4 20 + UDP 8. */
    static final int MIN_UDP_FRAME = 42;
    /** Ethernet 14 + IPv4 20 + TCP 20 + 12 bytes of timestamp option. */
    static final int TCP_HEADER_LENGTH = 66;
    /** IPv4 20 + TCP 32: what an MTU leaves for TCP payload is MTU - this. */
    static final int TCP_IP_OVERHEAD = 52;

    private Frames()
    {
    }

    static int vf(final int flow)
    {
        return flow % VFS;
    }

    static int prefix(final int flow)
    {
        return (flow / VFS) % PREFIXES;
    }

    /** The tunnel (and egress rule) id of a flow's destination: one per VF and prefix. */
    static int tunnel(final int flow)
    {
        return vf(flow) * PREFIXES + prefix(flow);
    }

    /**
     * Writes flow {@code flow}'s UDP frame of {@code length} bytes at {@code at}.
     */
    public static void writeUdp(final MutableDirectBuffer b, final int at, final int length, final int flow)
    {
        if (length < MIN_UDP_FRAME)
        {
            throw new IllegalArgumentException("frame of " + length + " bytes: at least " + MIN_UDP_FRAME);
        }
        final int vf = vf(flow);
        final int prefix = prefix(flow);
        final int host = 2 + (flow / (VFS * PREFIXES)) % 250;
        for (int i = MIN_UDP_FRAME; i < length; i++)
        {
            b.putByte(at + i, (byte)(i * 7 + flow));
        }
        ethernet(b, at, 0x0200_0A00_0000L | vf << 16 | prefix << 8 | host, 0x0200_0000_0000L | vf);
        final int ip = at + IP_OFFSET;
        ipv4(b, ip, length - ETHERNET, flow, 17, 0x0A00_C801 | vf << 16, 0x0A00_0000 | vf << 16 | prefix << 8 | host);
        final int udp = at + L4_OFFSET;
        b.putShort(udp, (short)(1024 + flow % 60_000), BIG_ENDIAN);
        b.putShort(udp + 2, (short)4000, BIG_ENDIAN);
        b.putShort(udp + 4, (short)(length - L4_OFFSET), BIG_ENDIAN);
        b.putShort(udp + 6, (short)0, BIG_ENDIAN);
    }

    /**
     * Writes flow {@code flow}'s TCP frame with {@code payloadLength} bytes of payload at {@code at}, checksums
     * complete (a TSO frame from a guest that does not ask for checksum offload).
     *
     * @return the frame length.
     */
    static int writeTcp(final MutableDirectBuffer b, final int at, final int payloadLength, final int flow)
    {
        final int length = TCP_HEADER_LENGTH + payloadLength;
        for (int i = TCP_HEADER_LENGTH; i < length; i++)
        {
            b.putByte(at + i, (byte)(i * 13 + flow));
        }
        final int vf = vf(flow);
        ethernet(b, at, 0x0200_0A00_0002L | vf << 16, 0x0200_0000_0000L | vf);
        final int ip = at + IP_OFFSET;
        ipv4(b, ip, length - ETHERNET, flow, 6, 0x0A00_C801 | vf << 16, 0x0A00_0002 | vf << 16);
        final int tcp = at + L4_OFFSET;
        b.putShort(tcp, (short)(40000 + flow % 20_000), BIG_ENDIAN);
        b.putShort(tcp + 2, (short)5201, BIG_ENDIAN);
        b.putInt(tcp + 4, 1 + flow, BIG_ENDIAN);
        b.putInt(tcp + 8, 1, BIG_ENDIAN);
        b.putByte(tcp + 12, (byte)(8 << 4));
        b.putByte(tcp + 13, (byte)0x10); // ACK
        b.putShort(tcp + 14, (short)512, BIG_ENDIAN);
        b.putShort(tcp + 16, (short)0, BIG_ENDIAN);
        b.putShort(tcp + 18, (short)0, BIG_ENDIAN);
        b.putInt(tcp + 20, 0x0101080A, BIG_ENDIAN); // NOP NOP TS(10)
        b.putInt(tcp + 24, 1000 + flow, BIG_ENDIAN);
        b.putInt(tcp + 28, 0, BIG_ENDIAN);
        Checksums.writeL4Checksum(b, ip, tcp, length - L4_OFFSET, 6);
        return length;
    }

    private static void ethernet(final MutableDirectBuffer b, final int at, final long dst, final long src)
    {
        b.putShort(at, (short)(dst >>> 32), BIG_ENDIAN);
        b.putInt(at + 2, (int)dst, BIG_ENDIAN);
        b.putShort(at + 6, (short)(src >>> 32), BIG_ENDIAN);
        b.putInt(at + 8, (int)src, BIG_ENDIAN);
        b.putShort(at + 12, (short)0x0800, BIG_ENDIAN);
    }

    private static void ipv4(
        final MutableDirectBuffer b,
        final int ip,
        final int totalLength,
        final int id,
        final int protocol,
        final int src,
        final int dst)
    {
        b.putByte(ip, (byte)0x45);
        b.putByte(ip + 1, (byte)0);
        b.putShort(ip + 2, (short)totalLength, BIG_ENDIAN);
        b.putShort(ip + 4, (short)id, BIG_ENDIAN);
        b.putShort(ip + 6, (short)0x4000, BIG_ENDIAN);
        b.putByte(ip + 8, (byte)64);
        b.putByte(ip + 9, (byte)protocol);
        b.putShort(ip + 10, (short)0, BIG_ENDIAN);
        b.putInt(ip + 12, src, BIG_ENDIAN);
        b.putInt(ip + 16, dst, BIG_ENDIAN);
        Checksums.writeIpv4HeaderChecksum(b, ip);
    }
}
