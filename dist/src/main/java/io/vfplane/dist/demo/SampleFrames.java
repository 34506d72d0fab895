package io.vfplane.dist.demo;

import io.vfplane.dataplane.checksum.Checksums;
import io.vfplane.dataplane.headers.EthernetFlyweight;
import io.vfplane.dataplane.headers.GeneveFlyweight;
import io.vfplane.dataplane.headers.GreFlyweight;
import io.vfplane.dataplane.headers.Ipv4Flyweight;
import io.vfplane.dataplane.headers.Ipv6Flyweight;
import io.vfplane.dataplane.headers.TcpFlyweight;
import io.vfplane.dataplane.headers.UdpFlyweight;
import io.vfplane.dataplane.headers.VxlanFlyweight;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the demo's embedded capture: real frames, written with the header flyweights and with correct checksums,
 * covering the tunnels vfplane handles and two malformed frames the parser must drop with a reason. Setup code,
 * not data path: it allocates freely.
 */
public final class SampleFrames
{
    /** One frame: its bytes and the length it had on the wire (larger than the bytes when cut by a snaplen). */
    public record Frame(String what, byte[] bytes, int wireLength)
    {
    }

    private static final int ETH = EthernetFlyweight.HEADER_LENGTH;
    private static final int IPV4 = 20;
    private static final int IPV6 = 40;
    private static final int UDP = 8;
    private static final int TCP = 20;
    private static final int VXLAN = 8;

    private final EthernetFlyweight eth = new EthernetFlyweight();
    private final Ipv4Flyweight ip4 = new Ipv4Flyweight();
    private final Ipv6Flyweight ip6 = new Ipv6Flyweight();
    private final UdpFlyweight udp = new UdpFlyweight();
    private final TcpFlyweight tcp = new TcpFlyweight();
    private final VxlanFlyweight vxlan = new VxlanFlyweight();
    private final GeneveFlyweight geneve = new GeneveFlyweight();
    private final GreFlyweight gre = new GreFlyweight();

    public List<Frame> frames()
    {
        final List<Frame> frames = new ArrayList<>();
        frames.add(new Frame("plain TCP over IPv4", innerTcp(0x020000000001L, 0x020000000002L,
            0x0a000001, 0x0a000002, 64), 0));
        frames.add(new Frame("VXLAN VNI 100 carrying TCP", vxlan(100, innerTcp(0x020000000011L, 0x020000000012L,
            0xc0a80001, 0xc0a80002, 32)), 0));
        frames.add(new Frame("Geneve VNI 7 with two TLV options carrying TCP", geneve(7,
            innerTcp(0x020000000021L, 0x020000000022L, 0xc0a80101, 0xc0a80102, 16)), 0));
        frames.add(new Frame("NVGRE VSID 0x123456 carrying TCP", nvgre(0x123456, 2,
            innerTcp(0x020000000031L, 0x020000000032L, 0xc0a80201, 0xc0a80202, 8)), 0));
        frames.add(new Frame("UDP over IPv6", ipv6Udp(), 0));
        final byte[] full = vxlan(200, innerTcp(0x020000000041L, 0x020000000042L, 0xc0a80301, 0xc0a80302, 100));
        final byte[] cut = new byte[ETH + IPV4 + UDP + 4];
        System.arraycopy(full, 0, cut, 0, cut.length);
        frames.add(new Frame("VXLAN cut by a 46-byte snaplen (drops: truncated)", cut, full.length));
        final byte[] badIhl = innerTcp(0x020000000051L, 0x020000000052L, 0x0a000003, 0x0a000004, 0);
        badIhl[ETH] = 0x43; // version 4, IHL 3: below the minimum of 5
        frames.add(new Frame("IPv4 with IHL 3 (drops: bad_header_length)", badIhl, 0));
        return frames;
    }

    private byte[] innerTcp(final long srcMac, final long dstMac, final int srcIp, final int dstIp,
        final int payload)
    {
        final int length = ETH + IPV4 + TCP + payload;
        final UnsafeBuffer b = new UnsafeBuffer(new byte[length]);
        eth.wrap(b, 0).destination(dstMac).source(srcMac).ethertype(0x0800);
        ipv4(b, ETH, IPV4 + TCP + payload, 6, srcIp, dstIp);
        tcp.wrap(b, ETH + IPV4).sourcePort(40000).destinationPort(5201).sequenceNumber(1000).acknowledgmentNumber(1)
            .dataOffset(5).flags(0x018).window(65535);
        for (int i = 0; i < payload; i++)
        {
            b.putByte(ETH + IPV4 + TCP + i, (byte)('a' + i % 26));
        }
        Checksums.writeL4Checksum(b, ETH, ETH + IPV4, TCP + payload, Checksums.PROTOCOL_TCP);
        return b.byteArray();
    }

    private void ipv4(final UnsafeBuffer b, final int at, final int totalLength, final int protocol, final int src,
        final int dst)
    {
        ip4.wrap(b, at).version(4).ihl(5).totalLength(totalLength).identification(0x1234).dontFragment(true)
            .ttl(64).protocol(protocol).source(src).destination(dst);
        Checksums.writeIpv4HeaderChecksum(b, at);
    }

    /** Outer Ethernet + IPv4 + UDP in front of {@code tunnelLength} bytes that the caller writes at the returned offset. */
    private int outerUdp(final UnsafeBuffer b, final int dstPort, final int tunnelLength)
    {
        eth.wrap(b, 0).destination(0x0200000000feL).source(0x0200000000fdL).ethertype(0x0800);
        ipv4(b, ETH, IPV4 + UDP + tunnelLength, 17, 0xac100001, 0xac100002);
        udp.wrap(b, ETH + IPV4).sourcePort(49152).destinationPort(dstPort).length(UDP + tunnelLength);
        return ETH + IPV4 + UDP;
    }

    private byte[] vxlan(final int vni, final byte[] inner)
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[ETH + IPV4 + UDP + VXLAN + inner.length]);
        final int at = outerUdp(b, 4789, VXLAN + inner.length);
        vxlan.wrap(b, at).vniValid(true).vni(vni);
        b.putBytes(at + VXLAN, inner);
        Checksums.writeL4Checksum(b, ETH, ETH + IPV4, UDP + VXLAN + inner.length, Checksums.PROTOCOL_UDP);
        return b.byteArray();
    }

    private byte[] geneve(final int vni, final byte[] inner)
    {
        // two options: class 0x0102 type 0x01 with 4 bytes, class 0xffff type 0x80 (critical) with 8 bytes
        final int options = (4 + 4) + (4 + 8);
        final int header = 8 + options;
        final UnsafeBuffer b = new UnsafeBuffer(new byte[ETH + IPV4 + UDP + header + inner.length]);
        final int at = outerUdp(b, 6081, header + inner.length);
        geneve.wrap(b, at).version(0).optionsLengthWords(options / 4).protocolType(0x6558).vni(vni);
        int o = at + 8;
        b.putShort(o, (short)0x0102, java.nio.ByteOrder.BIG_ENDIAN);
        b.putByte(o + 2, (byte)0x01);
        b.putByte(o + 3, (byte)1);
        b.putInt(o + 4, 0xcafe0001, java.nio.ByteOrder.BIG_ENDIAN);
        o += 8;
        b.putShort(o, (short)0xffff, java.nio.ByteOrder.BIG_ENDIAN);
        b.putByte(o + 2, (byte)0x80);
        b.putByte(o + 3, (byte)2);
        b.putLong(o + 4, 0x0102030405060708L, java.nio.ByteOrder.BIG_ENDIAN);
        b.putBytes(at + header, inner);
        Checksums.writeL4Checksum(b, ETH, ETH + IPV4, UDP + header + inner.length, Checksums.PROTOCOL_UDP);
        return b.byteArray();
    }

    private byte[] nvgre(final int vsid, final int flowId, final byte[] inner)
    {
        final int header = 8;
        final UnsafeBuffer b = new UnsafeBuffer(new byte[ETH + IPV4 + header + inner.length]);
        eth.wrap(b, 0).destination(0x0200000000feL).source(0x0200000000fdL).ethertype(0x0800);
        ipv4(b, ETH, IPV4 + header + inner.length, 47, 0xac100001, 0xac100003);
        gre.wrap(b, ETH + IPV4).keyPresent(true).protocolType(0x6558).nvgreKey(vsid, flowId);
        b.putBytes(ETH + IPV4 + header, inner);
        return b.byteArray();
    }

    private byte[] ipv6Udp()
    {
        final int payload = 12;
        final UnsafeBuffer b = new UnsafeBuffer(new byte[ETH + IPV6 + UDP + payload]);
        eth.wrap(b, 0).destination(0x020000000062L).source(0x020000000061L).ethertype(0x86dd);
        ip6.wrap(b, ETH).version(6).payloadLength(UDP + payload).nextHeader(17).hopLimit(64);
        // 2001:db8::1 -> 2001:db8::2 (documentation prefix, RFC 3849)
        b.putLong(ETH + 8, 0x20010db800000000L, java.nio.ByteOrder.BIG_ENDIAN);
        b.putLong(ETH + 16, 1L, java.nio.ByteOrder.BIG_ENDIAN);
        b.putLong(ETH + 24, 0x20010db800000000L, java.nio.ByteOrder.BIG_ENDIAN);
        b.putLong(ETH + 32, 2L, java.nio.ByteOrder.BIG_ENDIAN);
        udp.wrap(b, ETH + IPV6).sourcePort(5353).destinationPort(5353).length(UDP + payload);
        Checksums.writeL4Checksum(b, ETH, ETH + IPV6, UDP + payload, Checksums.PROTOCOL_UDP);
        return b.byteArray();
    }
}
