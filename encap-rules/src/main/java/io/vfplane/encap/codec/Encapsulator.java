package io.vfplane.encap.codec;

import java.nio.ByteOrder;

import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import io.vfplane.dataplane.checksum.Checksums;
import io.vfplane.dataplane.packet.Offload;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.encap.rules.RuleSet;
import io.vfplane.encap.rules.Tunnel;
import io.vfplane.encap.rules.TunnelTemplates;

import static io.vfplane.dataplane.buffer.NetworkOrder.getLong;
import static io.vfplane.dataplane.buffer.NetworkOrder.getShort;
import static io.vfplane.dataplane.buffer.NetworkOrder.putInt;
import static io.vfplane.dataplane.buffer.NetworkOrder.putLong;
import static io.vfplane.dataplane.buffer.NetworkOrder.putShort;

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
     * @throws IndexOutOfBoundsException when {@code t} is no tunnel of {@code rules} or the descriptor's frame lies
     *                                   outside {@code buffer} (a bug upstream, never a property of a packet).
     */
    public TunnelDrop encapsulate(
        final RuleSet rules,
        final int t,
        final MutableDirectBuffer buffer,
        final PacketDescriptor d,
        final int slotOffset)
    {
        final TunnelTemplates tt = rules.templates();
        // one record holds every per-tunnel field this packet needs: one bounds check for all of them
        final int[] rec = tt.records();
        final int r = t << TunnelTemplates.RECORD_SHIFT;
        if (r < 0 || r + (1 << TunnelTemplates.RECORD_SHIFT) > rec.length)
        {
            throw new IndexOutOfBoundsException(t); // as the per-field arrays did; lets the JIT drop the checks below
        }
        final int headerLength = rec[r + TunnelTemplates.R_LENGTH];
        final int innerLength = d.length();
        if (innerLength > rec[r + (d.gsoType() == Offload.GSO_NONE ?
            TunnelTemplates.R_MAX_INNER : TunnelTemplates.R_MAX_INNER_GSO)])
        {
            return TunnelDrop.FRAME_TOO_BIG;
        }
        if (!d.prepend(headerLength, slotOffset))
        {
            return TunnelDrop.NO_HEADROOM;
        }
        final int frame = d.offset();
        // One range check per packet for everything below, then raw accesses: every write lies in the headroom just
        // claimed, every read of the inner header inside the frame (each guarded by innerLength), so the buffer API's
        // per-access checks (a dozen here) would only repeat this one; they also keep the JIT from merging stores.
        // The template side is built off the data path with offset + length inside its array (TunnelTemplates).
        buffer.boundsCheck(frame, headerLength + innerLength);
        final byte[] array = buffer.byteArray();
        final long base = buffer.addressOffset() + frame;
        final UnsafeBuffer template = tt.bytes();
        copyTemplate(template.byteArray(), template.addressOffset() + rec[r + TunnelTemplates.R_OFFSET],
            array, base, headerLength);
        final long inner = base + headerLength;
        int hash = d.flowHash();
        if (hash == 0)
        {
            hash = flowHash(buffer, frame + headerLength, innerLength);
        }
        final int ipOffset = rec[r + TunnelTemplates.R_IP_OFFSET];
        if (rec[r + TunnelTemplates.R_KIND] == TunnelTemplates.KIND_IPV4_UDP)
        {
            // the common case: the template holds TOS, flags and TTL; patch lengths, ECN, checksum, source port
            final long ip = base + ipOffset;
            final int outerIpLength = headerLength - ipOffset + innerLength;
            final int ecn = innerTos(array, inner, innerLength) & 0x03;
            int sum = rec[r + TunnelTemplates.R_IPV4_FIXED_SUM] + ecn + outerIpLength;
            sum = (sum & 0xFFFF) + (sum >>> 16);
            sum = (sum & 0xFFFF) + (sum >>> 16);
            if (ecn != 0)
            {
                UnsafeApi.putByte(array, ip + 1, (byte)(rec[r + TunnelTemplates.R_DSCP] << 2 | ecn));
            }
            putShort(array, ip + 2, outerIpLength);
            putShort(array, ip + Checksums.IPV4_CHECKSUM_OFFSET, ~sum);
            final int udpOffset = rec[r + TunnelTemplates.R_UDP_OFFSET];
            putUdp(array, base + udpOffset, hash, rec[r + TunnelTemplates.R_UDP_DESTINATION_PORT],
                headerLength - udpOffset + innerLength);
        }
        else
        {
            encapsulateGeneral(rec, r, buffer, array, base, frame, headerLength, innerLength, hash);
        }
        d.vni(rec[r + TunnelTemplates.R_VNI]);
        // a UDP-socket underlay (tunnel-header depth) addresses the datagram by this id: RuleSet.tunnelEndpoint
        d.tunnelId(t);
        return TunnelDrop.NONE;
    }

    /**
     * Every other tunnel: flow id field, inherited TTL / DSCP / DF, IPv6 outer header, UDP checksum, tunnel-header
     * depth. The range {@code [base, base + headerLength + innerLength)} was checked by the caller.
     */
    private static void encapsulateGeneral(
        final int[] rec,
        final int r,
        final MutableDirectBuffer buffer,
        final byte[] array,
        final long base,
        final int frame,
        final int headerLength,
        final int innerLength,
        final int hash)
    {
        // the flow id goes in before the UDP checksum is computed over the tunnel header
        final int flowIdOffset = rec[r + TunnelTemplates.R_FLOW_ID_OFFSET];
        if (flowIdOffset >= 0)
        {
            putField(array, base + flowIdOffset, rec[r + TunnelTemplates.R_FLOW_ID_WIDTH], hash);
        }
        final int ipOffset = rec[r + TunnelTemplates.R_IP_OFFSET];
        if (ipOffset < 0)
        {
            return;
        }
        final long ip = base + ipOffset;
        final boolean v6 = rec[r + TunnelTemplates.R_IP_VERSION] == 6;
        final int outerIpLength = headerLength - ipOffset + innerLength;
        final int udpOffset = rec[r + TunnelTemplates.R_UDP_OFFSET];
        final int ttl = rec[r + TunnelTemplates.R_TTL];
        final int dscp = rec[r + TunnelTemplates.R_DSCP];
        final int df = rec[r + TunnelTemplates.R_DF];
        // inner IP fields for inherited TTL / DSCP / DF and the ECN copy (RFC 6040 normal mode), read once
        final long inner = base + headerLength;
        int innerTtl = Tunnel.DEFAULT_TTL;
        int innerTos = 0;
        boolean innerDf = false;
        if (innerLength >= 34)
        {
            int type = getShort(array, inner + 12);
            long l3 = inner + 14;
            int l3Length = innerLength - 14;
            if (type == 0x8100)
            {
                type = getShort(array, inner + 16);
                l3 += 4;
                l3Length -= 4;
            }
            if (type == 0x0800 && l3Length >= 20)
            {
                // bytes 0..7: version/IHL, TOS, total length, identification, flags/fragment offset
                final long w0 = getLong(array, l3);
                innerTos = (int)(w0 >>> 48) & 0xFF;
                innerDf = (w0 & 0x4000L) != 0;
                innerTtl = UnsafeApi.getByte(array, l3 + 8) & 0xFF;
            }
            else if (type == 0x86DD && l3Length >= 40)
            {
                final long w0 = getLong(array, l3);
                innerTos = (int)(w0 >>> 52) & 0xFF;
                innerTtl = (int)w0 & 0xFF;
                innerDf = true; // IPv6 never fragments in the network
            }
        }
        final int outerTtl = ttl == Tunnel.INHERIT ? innerTtl : ttl;
        final int outerTos = (dscp == Tunnel.INHERIT ? innerTos & 0xFC : dscp << 2) | (innerTos & 0x03);
        if (v6)
        {
            putInt(array, ip, 6 << 28 | outerTos << 20 | (hash & 0xFFFFF));
            putShort(array, ip + 4, outerIpLength - TunnelTemplates.IPV6_LENGTH);
            UnsafeApi.putByte(array, ip + 7, (byte)outerTtl);
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
            putInt(array, ip, rec[r + TunnelTemplates.R_IPV4_WORD0] | outerTos << 16 | outerIpLength);
            putShort(array, ip + 6, flags);
            putInt(array, ip + 8, outerTtl << 24 | rec[r + TunnelTemplates.R_IPV4_WORD2] | (~sum & 0xFFFF));
        }
        if (udpOffset >= 0)
        {
            final int udpLength = headerLength - udpOffset + innerLength;
            putUdp(array, base + udpOffset, hash, rec[r + TunnelTemplates.R_UDP_DESTINATION_PORT], udpLength);
            if (rec[r + TunnelTemplates.R_UDP_CHECKSUM] != 0)
            {
                Checksums.writeL4Checksum(buffer, frame + ipOffset, frame + udpOffset, udpLength,
                    Checksums.PROTOCOL_UDP);
            }
        }
    }

    /**
     * The inner IPv4 TOS or IPv6 traffic class (behind at most one VLAN tag), 0 for other frames: the one inner
     * field a fixed-DSCP tunnel needs, for the ECN copy.
     */
    private static int innerTos(final byte[] array, final long inner, final int innerLength)
    {
        // the shortest IP frame: Ethernet 14 + IPv4 20
        if (innerLength < 34)
        {
            return 0;
        }
        int type = getShort(array, inner + 12);
        long l3 = inner + 14;
        int l3Length = innerLength - 14;
        if (type == 0x8100)
        {
            type = getShort(array, inner + 16);
            l3 += 4;
            l3Length -= 4;
        }
        if (type == 0x0800 && l3Length >= 20)
        {
            return UnsafeApi.getByte(array, l3 + 1) & 0xFF;
        }
        if (type == 0x86DD && l3Length >= 40)
        {
            return (getShort(array, l3) >>> 4) & 0xFF;
        }
        return 0;
    }

    /** Source port from the flow hash (RFC 7348 section 5), destination port and length in one store; checksum 0. */
    private static void putUdp(final byte[] array, final long udp, final int hash, final int dstPort, final int length)
    {
        putLong(array, udp, (long)(UDP_SOURCE_PORT_BASE | (hash & UDP_SOURCE_PORT_MASK)) << 48 |
            (long)dstPort << 32 | (long)length << 16);
    }

    /** Copies a template in 8-byte words, the last one overlapping the one before when the length is no multiple. */
    private static void copyTemplate(
        final byte[] src, final long srcAddress, final byte[] dst, final long dstAddress, final int length)
    {
        if (length < 8)
        {
            for (int i = 0; i < length; i++)
            {
                UnsafeApi.putByte(dst, dstAddress + i, UnsafeApi.getByte(src, srcAddress + i));
            }
            return;
        }
        int i = 0;
        for (; i <= length - 8; i += 8)
        {
            UnsafeApi.putLong(dst, dstAddress + i, UnsafeApi.getLong(src, srcAddress + i));
        }
        if (i < length)
        {
            final int last = length - 8;
            UnsafeApi.putLong(dst, dstAddress + last, UnsafeApi.getLong(src, srcAddress + last));
        }
    }

    private static void putField(final byte[] array, final long at, final int widthBits, final int value)
    {
        switch (widthBits)
        {
            case 8 -> UnsafeApi.putByte(array, at, (byte)value);
            case 16 -> putShort(array, at, value);
            case 24 ->
            {
                putShort(array, at, value >>> 8);
                UnsafeApi.putByte(array, at + 2, (byte)value);
            }
            default -> putInt(array, at, value);
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
