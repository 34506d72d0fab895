package io.vfplane.encap.rules;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.agrona.concurrent.UnsafeBuffer;

import io.vfplane.encap.format.TunnelFormat;

/**
 * The outer headers of every distinct tunnel of a rule set, prebuilt as byte templates (VPP's "rewrite string"): encap
 * copies a template in front of the frame and patches only the per-packet fields (lengths, checksums, UDP source port,
 * flow id, inherited TTL / DSCP / DF). Built off the data path, read-only afterwards.
 *
 * <pre>
 *  full frame:     | Ethernet 14 | IPv4 20 / IPv6 40 | UDP 8 (UDP formats) | tunnel header (+ Geneve options) |
 *  tunnel header:  | tunnel header (+ Geneve options) |
 * </pre>
 */
public final class TunnelTemplates
{
    public static final int ETHERNET_LENGTH = 14;
    public static final int IPV4_LENGTH = 20;
    public static final int IPV6_LENGTH = 40;
    public static final int UDP_LENGTH = 8;
    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_IPV6 = 0x86DD;

    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;

    private final UnsafeBuffer bytes;
    private final Tunnel[] tunnels;
    private final int[] offset;
    private final int[] length;
    /** Offset of the outer IP header in the template, -1 in tunnel-header depth. */
    private final int[] ipOffset;
    /** Offset of the UDP header, -1 for IP-protocol formats or tunnel-header depth. */
    private final int[] udpOffset;
    private final int[] tunnelOffset;
    private final int[] ipVersion;
    private final int[] ttl;
    private final int[] dscp;
    private final byte[] df;
    private final boolean[] computeUdpChecksum;
    private final int[] flowIdOffset;
    private final int[] flowIdWidth;
    /** One's-complement sum of the outer IPv4 header's constant words (see {@link #ipv4ConstantSum}). */
    private final int[] ipv4ConstantSum;
    private final int maxLength;
    /** Every per-packet field of tunnel t in one 64-byte record at {@code t << RECORD_SHIFT}: see {@link #records}. */
    private final int[] records;

    /** log2 of the ints per tunnel in {@link #records}. */
    public static final int RECORD_SHIFT = 5;
    /*
     * Fields of a records record, in ints from its start. The ones the common case (KIND_IPV4_UDP) reads come first,
     * so a VXLAN / Geneve-over-IPv4 packet touches the record's first 40 bytes only.
     */
    public static final int R_OFFSET = 0;
    public static final int R_LENGTH = 1;
    public static final int R_IP_OFFSET = 2;
    public static final int R_UDP_OFFSET = 3;
    /** {@link #KIND_GENERAL} or {@link #KIND_IPV4_UDP}: which encap path the tunnel takes, decided at build. */
    public static final int R_KIND = 4;
    /** The longest inner frame that fits the underlay MTU (and 64 KiB) with this tunnel's headers. */
    public static final int R_MAX_INNER = 5;
    /** The longest inner frame a GSO frame may have: 64 KiB of outer IP, or unlimited for full-depth IPv6. */
    public static final int R_MAX_INNER_GSO = 6;
    /**
     * {@link #KIND_IPV4_UDP} only: the unfolded one's-complement sum of every outer IPv4 header word but the total
     * length and the ECN bits (constant sum plus DSCP, flags and TTL in their places).
     */
    public static final int R_IPV4_FIXED_SUM = 7;
    /** The template's UDP destination port (0 without UDP). */
    public static final int R_UDP_DESTINATION_PORT = 8;
    /** The low 32 bits of the VNI (what the descriptor carries). */
    public static final int R_VNI = 9;
    /** IPv4 only: the template's header bytes 0..3 with TOS and total length zero (version and IHL). */
    public static final int R_IPV4_WORD0 = 10;
    /** IPv4 only: the template's header bytes 8..11 with TTL and checksum zero (the protocol). */
    public static final int R_IPV4_WORD2 = 11;
    /** 4 or 6. */
    public static final int R_IP_VERSION = 12;
    public static final int R_TTL = 13;
    public static final int R_DSCP = 14;
    public static final int R_DF = 15;
    /** 1 when the UDP checksum is computed, else 0. */
    public static final int R_UDP_CHECKSUM = 16;
    public static final int R_FLOW_ID_OFFSET = 17;
    public static final int R_FLOW_ID_WIDTH = 18;
    public static final int R_IPV4_CONSTANT_SUM = 19;

    /** Any tunnel: inherited TTL / DSCP / DF, IPv6, flow id, UDP checksum or tunnel-header depth are all handled. */
    public static final int KIND_GENERAL = 0;
    /**
     * Full frame over IPv4 with UDP, fixed TTL, DSCP and DF, no flow id field, no UDP checksum (VXLAN, Geneve,
     * GUE over IPv4 as usually configured): the template holds every outer byte but the total length, the ECN bits
     * (copied from the inner header, RFC 6040), the IPv4 checksum and the UDP source port and length, so encap
     * patches those and nothing else.
     */
    public static final int KIND_IPV4_UDP = 1;

    private TunnelTemplates(final List<Tunnel> list, final Underlay underlay)
    {
        final int n = list.size();
        tunnels = list.toArray(new Tunnel[0]);
        offset = new int[n];
        length = new int[n];
        ipOffset = new int[n];
        udpOffset = new int[n];
        tunnelOffset = new int[n];
        ipVersion = new int[n];
        ttl = new int[n];
        dscp = new int[n];
        df = new byte[n];
        computeUdpChecksum = new boolean[n];
        flowIdOffset = new int[n];
        flowIdWidth = new int[n];
        ipv4ConstantSum = new int[n];
        final boolean full = underlay.depth() == Underlay.Depth.FULL_FRAME;
        int total = 0;
        int max = 0;
        for (int t = 0; t < n; t++)
        {
            final Tunnel tunnel = tunnels[t];
            final TunnelFormat format = tunnel.format();
            int len = format.headerLength() + tunnel.optionBytes();
            if (full)
            {
                len += ETHERNET_LENGTH + (tunnel.isIpv6() ? IPV6_LENGTH : IPV4_LENGTH) +
                    (format.isUdp() ? UDP_LENGTH : 0);
            }
            offset[t] = total;
            length[t] = len;
            total += len;
            max = Math.max(max, len);
        }
        maxLength = max;
        bytes = new UnsafeBuffer(new byte[Math.max(total, 1)]);
        records = new int[Math.max(n, 1) << RECORD_SHIFT];
        for (int t = 0; t < n; t++)
        {
            build(t, underlay, full);
            final int r = t << RECORD_SHIFT;
            records[r + R_OFFSET] = offset[t];
            records[r + R_LENGTH] = length[t];
            records[r + R_IP_OFFSET] = ipOffset[t];
            records[r + R_UDP_OFFSET] = udpOffset[t];
            records[r + R_IP_VERSION] = ipVersion[t];
            records[r + R_TTL] = ttl[t];
            records[r + R_DSCP] = dscp[t];
            records[r + R_DF] = df[t];
            records[r + R_UDP_CHECKSUM] = computeUdpChecksum[t] ? 1 : 0;
            records[r + R_FLOW_ID_OFFSET] = flowIdOffset[t];
            records[r + R_FLOW_ID_WIDTH] = flowIdWidth[t];
            records[r + R_IPV4_CONSTANT_SUM] = ipv4ConstantSum[t];
            records[r + R_VNI] = (int)tunnels[t].vni();
            // outer IP length minus inner frame length; in tunnel-header depth the kernel adds IP and UDP
            final boolean v6 = ipVersion[t] == 6;
            final int overhead = ipOffset[t] >= 0 ? length[t] - ipOffset[t] : length[t] + (v6 ? 48 : 28);
            records[r + R_MAX_INNER] = underlay.mtu() - overhead;
            // an IPv6 jumbogram-sized GSO frame is left to segmentation; IPv4 and UDP lengths stop at 64 KiB
            records[r + R_MAX_INNER_GSO] = ipOffset[t] >= 0 && v6 ? Integer.MAX_VALUE : 65535 - overhead;
            if (udpOffset[t] >= 0)
            {
                records[r + R_UDP_DESTINATION_PORT] = bytes.getShort(offset[t] + udpOffset[t] + 2, BE) & 0xFFFF;
            }
            if (ipOffset[t] >= 0 && ipVersion[t] == 4)
            {
                final int ip = offset[t] + ipOffset[t];
                records[r + R_IPV4_WORD0] = bytes.getInt(ip, BE) & 0xFF00_0000;
                records[r + R_IPV4_WORD2] = bytes.getInt(ip + 8, BE) & 0x00FF_0000;
            }
            records[r + R_KIND] = KIND_GENERAL;
            if (ipOffset[t] >= 0 && !v6 && udpOffset[t] >= 0 && ttl[t] != Tunnel.INHERIT &&
                dscp[t] != Tunnel.INHERIT && df[t] != Tunnel.DfPolicy.INHERIT.ordinal() && flowIdOffset[t] < 0 &&
                !computeUdpChecksum[t])
            {
                // the template already carries this TOS (ECN zero), flags and TTL: see build
                records[r + R_KIND] = KIND_IPV4_UDP;
                records[r + R_IPV4_FIXED_SUM] = ipv4ConstantSum[t] + (dscp[t] << 2) +
                    (df[t] == Tunnel.DfPolicy.SET.ordinal() ? 0x4000 : 0) + (ttl[t] << 8);
            }
        }
    }

    /**
     * The per-packet fields of every tunnel packed as one 32-int record per tunnel, tunnel t's at
     * {@code t << RECORD_SHIFT}, fields at {@code R_*}, the common case's first: encap reads one or two cache lines
     * and does one bounds check per packet instead of a dozen arrays. Read only; do not modify.
     */
    public int[] records()
    {
        return records;
    }

    /**
     * Dedupes the tunnels of a rule set and builds their templates.
     *
     * @param rules       egress rules; for each, the template index goes into {@code tunnelIndex} (-1 if not ENCAP).
     * @throws RuleSetException when a rule's remote family has no local address in the underlay.
     */
    static TunnelTemplates build(final List<EgressRule> rules, final Underlay underlay, final int[] tunnelIndex)
    {
        final Map<String, Integer> seen = new HashMap<>();
        final List<Tunnel> unique = new ArrayList<>();
        for (int r = 0; r < rules.size(); r++)
        {
            final EgressRule rule = rules.get(r);
            if (rule.action() != EgressRule.Action.ENCAP)
            {
                tunnelIndex[r] = -1;
                continue;
            }
            final Tunnel tunnel = rule.tunnel();
            if (underlay.depth() == Underlay.Depth.FULL_FRAME)
            {
                if (tunnel.isIpv6() && underlay.localIpv6() == null)
                {
                    throw new RuleSetException("egress", r, "remote", "an IPv6 remote needs underlay.local-ipv6");
                }
                if (!tunnel.isIpv6() && underlay.localIpv4() == null)
                {
                    throw new RuleSetException("egress", r, "remote", "an IPv4 remote needs underlay.local-ipv4");
                }
            }
            final String key = keyOf(tunnel);
            Integer index = seen.get(key);
            if (index == null)
            {
                index = unique.size();
                unique.add(tunnel);
                seen.put(key, index);
            }
            tunnelIndex[r] = index;
        }
        return new TunnelTemplates(unique, underlay);
    }

    private static String keyOf(final Tunnel t)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(t.format().name()).append('|').append(Arrays.toString(t.remote())).append('|').append(t.vni())
            .append('|').append(t.ttl()).append('|').append(t.dscp()).append('|').append(t.df()).append('|')
            .append(t.udpChecksum());
        for (final GeneveOption o : t.options())
        {
            sb.append('|').append(o.optionClass()).append(',').append(o.type()).append(',')
                .append(Arrays.toString(o.data()));
        }
        return sb.toString();
    }

    private void build(final int t, final Underlay underlay, final boolean full)
    {
        final Tunnel tunnel = tunnels[t];
        final TunnelFormat format = tunnel.format();
        final int base = offset[t];
        final boolean v6 = tunnel.isIpv6();
        ipVersion[t] = v6 ? 6 : 4;
        ttl[t] = tunnel.ttl();
        dscp[t] = tunnel.dscp();
        df[t] = (byte)tunnel.df().ordinal();
        computeUdpChecksum[t] = format.isUdp() && (tunnel.udpChecksum() == Tunnel.UdpChecksum.COMPUTE ||
            (tunnel.udpChecksum() == Tunnel.UdpChecksum.DEFAULT && v6));
        int p = base;
        if (full)
        {
            putMac(p, underlay.gatewayMac());
            putMac(p + 6, underlay.localMac());
            bytes.putShort(p + 12, (short)(v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4), BE);
            p += ETHERNET_LENGTH;
            ipOffset[t] = p - base;
            final int dscpBits = tunnel.dscp() == Tunnel.INHERIT ? 0 : tunnel.dscp() << 2;
            final int hop = tunnel.ttl() == Tunnel.INHERIT ? Tunnel.DEFAULT_TTL : tunnel.ttl();
            if (v6)
            {
                bytes.putInt(p, 6 << 28 | dscpBits << 20, BE);
                bytes.putByte(p + 6, (byte)format.ipProtocol());
                bytes.putByte(p + 7, (byte)hop);
                bytes.putBytes(p + 8, underlay.localIpv6());
                bytes.putBytes(p + 24, tunnel.remote());
                p += IPV6_LENGTH;
            }
            else
            {
                bytes.putByte(p, (byte)0x45);
                bytes.putByte(p + 1, (byte)dscpBits);
                bytes.putShort(p + 6, (short)(tunnel.df() == Tunnel.DfPolicy.SET ? 0x4000 : 0), BE);
                bytes.putByte(p + 8, (byte)hop);
                bytes.putByte(p + 9, (byte)format.ipProtocol());
                bytes.putBytes(p + 12, underlay.localIpv4());
                bytes.putBytes(p + 16, tunnel.remote());
                // version / IHL, protocol, identification (0) and the addresses never change per packet
                int sum = 0x4500 + format.ipProtocol();
                for (int w = 12; w < IPV4_LENGTH; w += 2)
                {
                    sum += bytes.getShort(p + w, BE) & 0xFFFF;
                }
                ipv4ConstantSum[t] = sum;
                p += IPV4_LENGTH;
            }
            if (format.isUdp())
            {
                udpOffset[t] = p - base;
                bytes.putShort(p + 2, (short)format.udpPort(), BE);
                p += UDP_LENGTH;
            }
            else
            {
                udpOffset[t] = -1;
            }
        }
        else
        {
            ipOffset[t] = -1;
            udpOffset[t] = -1;
        }
        tunnelOffset[t] = p - base;
        final byte[] fixed = format.fixedBytes();
        bytes.putBytes(p, fixed);
        putField(p + format.vniOffset(), format.vniWidth(), tunnel.vni());
        flowIdOffset[t] = format.flowIdOffset() == TunnelFormat.NO_FIELD ? -1 : tunnelOffset[t] + format.flowIdOffset();
        flowIdWidth[t] = format.flowIdWidth();
        if (format.kind() == TunnelFormat.Kind.GENEVE)
        {
            boolean critical = false;
            int q = p + format.headerLength();
            for (final GeneveOption o : tunnel.options())
            {
                bytes.putShort(q, (short)o.optionClass(), BE);
                bytes.putByte(q + 2, (byte)o.type());
                bytes.putByte(q + 3, (byte)(o.data().length / 4));
                bytes.putBytes(q + 4, o.data());
                q += o.wireLength();
                critical |= (o.type() & 0x80) != 0;
            }
            bytes.putByte(p, (byte)(tunnel.optionBytes() / 4));
            bytes.putByte(p + 1, (byte)(critical ? 0x40 : 0));
        }
    }

    private void putMac(final int at, final long mac)
    {
        bytes.putInt(at, (int)(mac >>> 16), BE);
        bytes.putShort(at + 4, (short)mac, BE);
    }

    private void putField(final int at, final int widthBits, final long value)
    {
        for (int i = widthBits / 8 - 1, shift = 0; i >= 0; i--, shift += 8)
        {
            bytes.putByte(at + i, (byte)(value >>> shift));
        }
    }

    /** The template bytes of every tunnel, back to back. */
    public UnsafeBuffer bytes()
    {
        return bytes;
    }

    public int count()
    {
        return tunnels.length;
    }

    public Tunnel tunnel(final int t)
    {
        return tunnels[t];
    }

    public int offset(final int t)
    {
        return offset[t];
    }

    public int length(final int t)
    {
        return length[t];
    }

    public int ipOffset(final int t)
    {
        return ipOffset[t];
    }

    public int udpOffset(final int t)
    {
        return udpOffset[t];
    }

    public int tunnelOffset(final int t)
    {
        return tunnelOffset[t];
    }

    public int ipVersion(final int t)
    {
        return ipVersion[t];
    }

    /** Outer TTL, or {@link Tunnel#INHERIT}. */
    public int ttl(final int t)
    {
        return ttl[t];
    }

    /** Outer DSCP, or {@link Tunnel#INHERIT}. */
    public int dscp(final int t)
    {
        return dscp[t];
    }

    /** The {@link Tunnel.DfPolicy} ordinal. */
    public int df(final int t)
    {
        return df[t];
    }

    public boolean computeUdpChecksum(final int t)
    {
        return computeUdpChecksum[t];
    }

    /** Offset of the flow id field in the template, or -1. */
    public int flowIdOffset(final int t)
    {
        return flowIdOffset[t];
    }

    public int flowIdWidth(final int t)
    {
        return flowIdWidth[t];
    }

    /**
     * The unfolded one's-complement sum of the outer IPv4 header's words that are the same in every packet (version
     * and IHL, protocol, identification, addresses). Encap adds TOS, total length, flags and TTL (each in its place
     * in its 16-bit word) and folds: the header checksum without reading the header back (RFC 1071; VPP
     * precomputes its rewrite's checksum the same way).
     */
    public int ipv4ConstantSum(final int t)
    {
        return ipv4ConstantSum[t];
    }

    /** The longest template: the headroom encap needs. */
    public int maxLength()
    {
        return maxLength;
    }
}
