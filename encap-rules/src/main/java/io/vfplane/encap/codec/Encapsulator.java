package io.vfplane.encap.codec;

import java.nio.ByteOrder;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.vfplane.dataplane.checksum.Checksums;
import io.vfplane.dataplane.packet.Offload;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.encap.rules.RuleSet;
import io.vfplane.encap.rules.Tunnel;
import io.vfplane.encap.rules.TunnelTemplates;

/**
 * Writes a tunnel's outer headers in front of a frame: copies the prebuilt template into the headroom (no copy of the
 * frame), then patches the per-packet fields.
 *
 * <pre>
 *  before:            [headroom ............][inner Ethernet frame]
 *  after (full):      [Eth][IPv4|IPv6][UDP][tunnel hdr][inner Ethernet frame]
 *  after (header):                         [tunnel hdr][inner Ethernet frame]
 * </pre>
 *
 * Per packet: IP total / payload length, IPv4 header checksum, TTL / DSCP / DF when inherited, the IPv6 flow label and
 * the UDP source port from the inner flow hash (RFC 7348 section 5: 49152..65535; RFC 6438), UDP length, UDP
 * checksum when the tunnel computes it, and the format's flow id field. Allocation free; not thread safe (one per
 * data-path thread, though it keeps no state between packets).
 */
public final class Encapsulator
{
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    private static final int UDP_SOURCE_PORT_BASE = 49152;
    private static final int UDP_SOURCE_PORT_MASK = 0x3FFF;
    private static final int IPV4_DF = 0x4000;

    /**
     * Encapsulates {@code d}'s frame with tunnel template {@code t} of {@code rules}.
     *
     * @param slotOffset start of the descriptor's pool slot (the headroom limit).
     * @return {@link TunnelDrop#NONE} or why the packet must be dropped (the descriptor is then unchanged).
     */
    public TunnelDrop encapsulate(
        final RuleSet rules,
        final int t,
        final MutableDirectBuffer buffer,
        final PacketDescriptor d,
        final int slotOffset)
    {
        final TunnelTemplates tt = rules.templates();
        // one 64-byte record holds every per-tunnel field this packet needs: one line, one bounds check
        final int[] rec = tt.records();
        final int r = t << TunnelTemplates.RECORD_SHIFT;
        if (r < 0 || r + (1 << TunnelTemplates.RECORD_SHIFT) > rec.length)
        {
            throw new IndexOutOfBoundsException(t); // as the per-field arrays did; lets the JIT drop the checks below
        }
        final int headerLength = rec[r + TunnelTemplates.R_LENGTH];
        final int innerLength = d.length();
        final int ipOffset = rec[r + TunnelTemplates.R_IP_OFFSET];
        final boolean v6 = rec[r + TunnelTemplates.R_IP_VERSION] == 6;
        final int outerIpLength = ipOffset >= 0 ? headerLength - ipOffset + innerLength :
            headerLength + innerLength + (v6 ? 48 : 28);
        if (outerIpLength > rules.underlay().mtu() && d.gsoType() == Offload.GSO_NONE)
        {
            return TunnelDrop.FRAME_TOO_BIG;
        }
        if (outerIpLength > 65535 && (ipOffset < 0 || !v6))
        {
            return TunnelDrop.FRAME_TOO_BIG;
        }
        if (!d.prepend(headerLength, slotOffset))
        {
            return TunnelDrop.NO_HEADROOM;
        }
        final int frame = d.offset();
        final int inner = frame + headerLength;
        buffer.putBytes(frame, tt.bytes(), rec[r + TunnelTemplates.R_OFFSET], headerLength);
        int hash = d.flowHash();
        if (hash == 0)
        {
            hash = flowHash(buffer, inner, innerLength);
        }
        // the flow id goes in before the UDP checksum is computed over the tunnel header
        final int flowIdOffset = rec[r + TunnelTemplates.R_FLOW_ID_OFFSET];
        if (flowIdOffset >= 0)
        {
            putField(buffer, frame + flowIdOffset, rec[r + TunnelTemplates.R_FLOW_ID_WIDTH], hash);
        }
        if (ipOffset >= 0)
        {
            final int ip = frame + ipOffset;
            final int udpOffset = rec[r + TunnelTemplates.R_UDP_OFFSET];
            final int ttl = rec[r + TunnelTemplates.R_TTL];
            final int dscp = rec[r + TunnelTemplates.R_DSCP];
            final int df = rec[r + TunnelTemplates.R_DF];
            // inner IP fields for inherited TTL / DSCP / DF and the ECN copy (RFC 6040 normal mode): the inner
            // header is read once, its first 12 bytes (TOS, flags, TTL for IPv4) in two wide loads
            int innerTtl = Tunnel.DEFAULT_TTL;
            int innerTos = 0;
            boolean innerDf = false;
            int innerType = innerLength >= 14 ? buffer.getShort(inner + 12, BE) & 0xFFFF : 0;
            int innerL3 = inner + 14;
            if (innerType == 0x8100 && innerLength >= 18)
            {
                innerType = buffer.getShort(inner + 16, BE) & 0xFFFF;
                innerL3 += 4;
            }
            final int innerEnd = inner + innerLength;
            if (innerType == 0x0800 && innerL3 + 20 <= innerEnd)
            {
                // bytes 0..7: version/IHL, TOS, total length, identification, flags/fragment offset
                final long w0 = buffer.getLong(innerL3, BE);
                innerTos = (int)(w0 >>> 48) & 0xFF;
                innerDf = (w0 & 0x4000L) != 0;
                innerTtl = buffer.getByte(innerL3 + 8) & 0xFF;
            }
            else if (innerType == 0x86DD && innerL3 + 40 <= innerEnd)
            {
                final long w0 = buffer.getLong(innerL3, BE);
                innerTos = (int)(w0 >>> 52) & 0xFF;
                innerTtl = (int)w0 & 0xFF;
                innerDf = true; // IPv6 never fragments in the network
            }
            final int outerTtl = ttl == Tunnel.INHERIT ? innerTtl : ttl;
            final int outerTos = (dscp == Tunnel.INHERIT ? innerTos & 0xFC : dscp << 2) | (innerTos & 0x03);
            if (v6)
            {
                buffer.putInt(ip, 6 << 28 | outerTos << 20 | (hash & 0xFFFFF), BE);
                buffer.putShort(ip + 4, (short)(outerIpLength - TunnelTemplates.IPV6_LENGTH), BE);
                buffer.putByte(ip + 7, (byte)outerTtl);
            }
            else
            {
                final int flags = df == Tunnel.DfPolicy.SET.ordinal() ||
                    (df == Tunnel.DfPolicy.INHERIT.ordinal() && innerDf) ? IPV4_DF : 0;
                int sum = rec[r + TunnelTemplates.R_IPV4_CONSTANT_SUM] + outerTos + outerIpLength + flags +
                    (outerTtl << 8);
                sum = (sum & 0xFFFF) + (sum >>> 16);
                sum = (sum & 0xFFFF) + (sum >>> 16);
                // bytes 0..3 (version/IHL, TOS, total length) and 6..11 (flags, TTL, protocol, checksum) in three
                // stores; identification (4..5) and protocol keep the template's values
                buffer.putInt(ip, rec[r + TunnelTemplates.R_IPV4_WORD0] | outerTos << 16 | outerIpLength, BE);
                buffer.putShort(ip + 6, (short)flags, BE);
                buffer.putInt(ip + 8, outerTtl << 24 | rec[r + TunnelTemplates.R_IPV4_WORD2] | (~sum & 0xFFFF), BE);
            }
            if (udpOffset >= 0)
            {
                final int udp = frame + udpOffset;
                final int udpLength = headerLength - udpOffset + innerLength;
                // source port and length around the template's destination port, in one store
                final int dstPort = rec[r + TunnelTemplates.R_UDP_DESTINATION_PORT];
                buffer.putLong(udp, (long)(UDP_SOURCE_PORT_BASE | (hash & UDP_SOURCE_PORT_MASK)) << 48 |
                    (long)dstPort << 32 | (long)udpLength << 16, BE);
                if (rec[r + TunnelTemplates.R_UDP_CHECKSUM] != 0)
                {
                    Checksums.writeL4Checksum(buffer, ip, udp, udpLength, Checksums.PROTOCOL_UDP);
                }
            }
        }
        d.vni(rec[r + TunnelTemplates.R_VNI]);
        // a UDP-socket underlay (tunnel-header depth) addresses the datagram by this id: RuleSet.tunnelEndpoint
        d.tunnelId(t);
        return TunnelDrop.NONE;
    }

    private static void putField(final MutableDirectBuffer buffer, final int at, final int widthBits, final int value)
    {
        switch (widthBits)
        {
            case 8 -> buffer.putByte(at, (byte)value);
            case 16 -> buffer.putShort(at, (short)value, BE);
            case 24 ->
            {
                buffer.putShort(at, (short)(value >>> 8), BE);
                buffer.putByte(at + 2, (byte)value);
            }
            default -> buffer.putInt(at, value, BE);
        }
    }

    /**
     * A flow hash of the inner frame for when the descriptor carries none: MAC addresses, and for IPv4 / IPv6 the
     * addresses, protocol and ports. Packets of one flow get one value, so they take one underlay path.
     */
    public static int flowHash(final MutableDirectBuffer buffer, final int frame, final int length)
    {
        if (length < 14)
        {
            return 1;
        }
        long h = buffer.getLong(frame, BE) * 0x9E3779B97F4A7C15L ^ buffer.getInt(frame + 8, BE);
        final int type = buffer.getShort(frame + 12, BE) & 0xFFFF;
        final int l3 = frame + 14;
        final int end = frame + length;
        if (type == 0x0800 && l3 + 20 <= end)
        {
            h = (h ^ buffer.getLong(l3 + 12, BE)) * 0xBF58476D1CE4E5B9L;
            final int protocol = buffer.getByte(l3 + 9) & 0xFF;
            final int l4 = l3 + ((buffer.getByte(l3) & 0x0F) << 2);
            h ^= protocol;
            if ((protocol == 6 || protocol == 17) && l4 + 4 <= end)
            {
                h = (h ^ buffer.getInt(l4, BE)) * 0x94D049BB133111EBL;
            }
        }
        else if (type == 0x86DD && l3 + 40 <= end)
        {
            h = (h ^ buffer.getLong(l3 + 8, BE) ^ buffer.getLong(l3 + 16, BE) * 31) * 0xBF58476D1CE4E5B9L;
            h = (h ^ buffer.getLong(l3 + 24, BE) ^ buffer.getLong(l3 + 32, BE) * 31) * 0x94D049BB133111EBL;
            h ^= buffer.getByte(l3 + 6);
        }
        h ^= h >>> 31;
        final int result = (int)(h ^ (h >>> 32));
        return result == 0 ? 1 : result;
    }
}
