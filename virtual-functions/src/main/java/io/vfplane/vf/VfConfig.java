package io.vfplane.vf;

import java.util.Arrays;

/**
 * One VF's settings, immutable: a change makes a new instance that {@link VfTable#set} publishes atomically, so the
 * data path reads a consistent config without locks.
 *
 * <p>Names and defaults follow {@code ip link set DEV vf N ...} for an SR-IOV NIC: no MAC ({@code 00:00:00:00:00:00}),
 * no VLAN, qos 0, protocol 802.1Q, spoof checking on, trust off, link-state auto, no rate limit. The IPv4 and IPv6
 * addresses a VF may send from are vfplane's addition (a NIC's anti-spoof checks only the MAC); with none of either
 * family the IP check is off, with any it applies to both (IPv6 also allows :: and the MAC's EUI-64 link-local
 * address).
 */
public final class VfConfig
{
    /** The highest VLAN id. */
    public static final int MAX_VLAN = 4094;
    /** The highest 802.1p priority. */
    public static final int MAX_QOS = 7;
    /** The highest rate {@code max_tx_rate} takes, in Mbit/s (400 Gbit/s). */
    public static final int MAX_RATE_MBPS = 400_000;
    /** VLAN protocol 802.1Q. */
    public static final int PROTO_8021Q = 0x8100;
    /** VLAN protocol 802.1ad. */
    public static final int PROTO_8021AD = 0x88A8;

    private static final int[] NO_ADDRESSES = new int[0];
    private static final long[] NO_IPV6_ADDRESSES = new long[0];
    /** fe80::/64, the high half of a link-local address. */
    private static final long LINK_LOCAL_PREFIX = 0xFE80_0000_0000_0000L;

    private final int index;
    private final long mac;
    private final int vlan;
    private final int qos;
    private final int vlanProtocol;
    private final boolean spoofCheck;
    private final boolean trust;
    private final LinkState linkState;
    private final int maxTxRateMbps;
    private final int minTxRateMbps;
    private final int[] ipv4Addresses;
    /** IPv6 addresses as pairs of longs (high half, low half). */
    private final long[] ipv6Addresses;
    /** The low half of the VF's EUI-64 link-local address (fe80::/64 + the MAC with ff:fe inserted). */
    private final long linkLocalLow;

    private VfConfig(
        final int index,
        final long mac,
        final int vlan,
        final int qos,
        final int vlanProtocol,
        final boolean spoofCheck,
        final boolean trust,
        final LinkState linkState,
        final int maxTxRateMbps,
        final int minTxRateMbps,
        final int[] ipv4Addresses,
        final long[] ipv6Addresses)
    {
        this.index = index;
        this.mac = mac;
        this.vlan = vlan;
        this.qos = qos;
        this.vlanProtocol = vlanProtocol;
        this.spoofCheck = spoofCheck;
        this.trust = trust;
        this.linkState = linkState;
        this.maxTxRateMbps = maxTxRateMbps;
        this.minTxRateMbps = minTxRateMbps;
        this.ipv4Addresses = ipv4Addresses;
        this.ipv6Addresses = ipv6Addresses;
        this.linkLocalLow = eui64(mac);
    }

    /** The interface identifier SLAAC derives from a MAC (RFC 4291 appendix A): U/L bit flipped, ff:fe inserted. */
    static long eui64(final long mac)
    {
        final long high = (mac >>> 24) ^ 0x02_0000L;
        return high << 40 | 0xFF_FE00_0000L | (mac & 0xFF_FFFFL);
    }

    /**
     * @return VF {@code index} with the defaults {@code ip link} shows for a fresh VF.
     */
    public static VfConfig defaults(final int index)
    {
        if (index < 0)
        {
            throw new IllegalArgumentException("vf: index must be >= 0: " + index);
        }
        return new VfConfig(index, 0, 0, 0, PROTO_8021Q, true, false, LinkState.AUTO, 0, 0, NO_ADDRESSES,
            NO_IPV6_ADDRESSES);
    }

    public int index()
    {
        return index;
    }

    /** The VF's MAC as the low 48 bits; 0 when none is set. */
    public long mac()
    {
        return mac;
    }

    public VfConfig mac(final long mac)
    {
        if ((mac & ~0xFFFF_FFFF_FFFFL) != 0)
        {
            throw new IllegalArgumentException("mac: more than 48 bits: " + Long.toHexString(mac));
        }
        return new VfConfig(index, mac, vlan, qos, vlanProtocol, spoofCheck, trust, linkState, maxTxRateMbps,
            minTxRateMbps, ipv4Addresses, ipv6Addresses);
    }

    /** The port VLAN inserted on egress and stripped on ingress; 0 when none. */
    public int vlan()
    {
        return vlan;
    }

    /** The 802.1p priority put in the inserted tag. */
    public int qos()
    {
        return qos;
    }

    /** The TPID of the inserted tag: {@link #PROTO_8021Q} or {@link #PROTO_8021AD}. */
    public int vlanProtocol()
    {
        return vlanProtocol;
    }

    public VfConfig vlan(final int vlan, final int qos, final int vlanProtocol)
    {
        if (vlan < 0 || vlan > MAX_VLAN)
        {
            throw new IllegalArgumentException("vlan: must be 0.." + MAX_VLAN + ": " + vlan);
        }
        if (qos < 0 || qos > MAX_QOS)
        {
            throw new IllegalArgumentException("qos: must be 0.." + MAX_QOS + ": " + qos);
        }
        if (vlanProtocol != PROTO_8021Q && vlanProtocol != PROTO_8021AD)
        {
            throw new IllegalArgumentException("proto: must be 802.1Q or 802.1ad: 0x" + Integer.toHexString(vlanProtocol));
        }
        if (vlan == 0 && qos != 0)
        {
            throw new IllegalArgumentException("qos: needs a vlan other than 0");
        }
        return new VfConfig(index, mac, vlan, qos, vlanProtocol, spoofCheck, trust, linkState, maxTxRateMbps,
            minTxRateMbps, ipv4Addresses, ipv6Addresses);
    }

    public boolean spoofCheck()
    {
        return spoofCheck;
    }

    public VfConfig spoofCheck(final boolean on)
    {
        return new VfConfig(index, mac, vlan, qos, vlanProtocol, on, trust, linkState, maxTxRateMbps,
            minTxRateMbps, ipv4Addresses, ipv6Addresses);
    }

    /**
     * A trusted VF's receive MAC filter passes frames for any MAC (promiscuous); which frames reach the VF at all is
     * the ingress rules' choice (the daemon's deliver by the VF's own MAC and broadcast/multicast).
     */
    public boolean trust()
    {
        return trust;
    }

    public VfConfig trust(final boolean on)
    {
        return new VfConfig(index, mac, vlan, qos, vlanProtocol, spoofCheck, on, linkState, maxTxRateMbps,
            minTxRateMbps, ipv4Addresses, ipv6Addresses);
    }

    public LinkState linkState()
    {
        return linkState;
    }

    public VfConfig linkState(final LinkState state)
    {
        if (state == null)
        {
            throw new IllegalArgumentException("state: must be auto, enable or disable");
        }
        return new VfConfig(index, mac, vlan, qos, vlanProtocol, spoofCheck, trust, state, maxTxRateMbps,
            minTxRateMbps, ipv4Addresses, ipv6Addresses);
    }

    /** The TX rate limit in Mbit/s (as {@code ip link max_tx_rate}); 0 = unlimited. */
    public int maxTxRateMbps()
    {
        return maxTxRateMbps;
    }

    /** The guaranteed TX rate in Mbit/s; kept and shown, not enforced (nothing here schedules between VFs). */
    public int minTxRateMbps()
    {
        return minTxRateMbps;
    }

    public VfConfig txRate(final int minMbps, final int maxMbps)
    {
        if (maxMbps < 0 || maxMbps > MAX_RATE_MBPS)
        {
            throw new IllegalArgumentException("max_tx_rate: must be 0.." + MAX_RATE_MBPS + " Mbit/s: " + maxMbps);
        }
        if (minMbps < 0 || minMbps > MAX_RATE_MBPS)
        {
            throw new IllegalArgumentException("min_tx_rate: must be 0.." + MAX_RATE_MBPS + " Mbit/s: " + minMbps);
        }
        if (maxMbps != 0 && minMbps > maxMbps)
        {
            throw new IllegalArgumentException(
                "min_tx_rate: " + minMbps + " Mbit/s exceeds max_tx_rate " + maxMbps + " Mbit/s");
        }
        return new VfConfig(index, mac, vlan, qos, vlanProtocol, spoofCheck, trust, linkState, maxMbps, minMbps,
            ipv4Addresses, ipv6Addresses);
    }

    /** The TX rate limit in bytes per second; 0 = unlimited. */
    public long maxTxBytesPerSecond()
    {
        return maxTxRateMbps * 1_000_000L / 8;
    }

    /** The IPv4 addresses the VF may send from (a copy); empty = not checked. */
    public int[] ipv4Addresses()
    {
        return ipv4Addresses.clone();
    }

    public VfConfig ipv4Addresses(final int... addresses)
    {
        return new VfConfig(index, mac, vlan, qos, vlanProtocol, spoofCheck, trust, linkState, maxTxRateMbps,
            minTxRateMbps, addresses.length == 0 ? NO_ADDRESSES : addresses.clone(), ipv6Addresses);
    }

    /** The IPv6 addresses the VF may send from, as pairs of longs (high half, low half; a copy). */
    public long[] ipv6Addresses()
    {
        return ipv6Addresses.clone();
    }

    /**
     * @param pairs each address as two longs, its high and low half.
     */
    public VfConfig ipv6Addresses(final long... pairs)
    {
        if ((pairs.length & 1) != 0)
        {
            throw new IllegalArgumentException("ipv6 addresses: pairs of longs expected, got " + pairs.length);
        }
        return new VfConfig(index, mac, vlan, qos, vlanProtocol, spoofCheck, trust, linkState, maxTxRateMbps,
            minTxRateMbps, ipv4Addresses, pairs.length == 0 ? NO_IPV6_ADDRESSES : pairs.clone());
    }

    /** Whether the IP spoof check applies: the VF has addresses of either family. */
    public boolean checksSourceIp()
    {
        return ipv4Addresses.length != 0 || ipv6Addresses.length != 0;
    }

    /**
     * Whether the VF may send from {@code address}. No allocation: called per packet.
     *
     * @return true when the VF has no addresses of either family, the address is one of its IPv4 ones, or it is
     * 0.0.0.0 (DHCP, ARP probes).
     */
    public boolean allowsSourceIpv4(final int address)
    {
        final int[] addresses = ipv4Addresses;
        if (address == 0 || !checksSourceIp())
        {
            return true;
        }
        for (final int allowed : addresses)
        {
            if (allowed == address)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the VF may send from the IPv6 address {@code high:low}. No allocation: called per packet.
     *
     * @return true when the VF has no addresses of either family, the address is one of its IPv6 ones, the
     * unspecified address (duplicate address detection) or its EUI-64 link-local address (fe80:: with the
     * interface identifier of its MAC: neighbour discovery, router solicitation, MLD).
     */
    public boolean allowsSourceIpv6(final long high, final long low)
    {
        if (!checksSourceIp() || (high == 0 && low == 0) || (high == LINK_LOCAL_PREFIX && low == linkLocalLow))
        {
            return true;
        }
        final long[] addresses = ipv6Addresses;
        for (int i = 0; i < addresses.length; i += 2)
        {
            if (addresses[i] == high && addresses[i + 1] == low)
            {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof VfConfig other && index == other.index && mac == other.mac && vlan == other.vlan &&
            qos == other.qos && vlanProtocol == other.vlanProtocol && spoofCheck == other.spoofCheck &&
            trust == other.trust && linkState == other.linkState && maxTxRateMbps == other.maxTxRateMbps &&
            minTxRateMbps == other.minTxRateMbps && Arrays.equals(ipv4Addresses, other.ipv4Addresses) &&
            Arrays.equals(ipv6Addresses, other.ipv6Addresses);
    }

    @Override
    public int hashCode()
    {
        return Long.hashCode(mac) * 31 + index;
    }

    /**
     * One line in the shape {@code ip link show} gives a VF.
     */
    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder(128);
        sb.append("vf ").append(index).append(" link/ether ").append(Macs.format(mac)).append(" brd ff:ff:ff:ff:ff:ff");
        if (vlan != 0)
        {
            sb.append(", vlan ").append(vlan);
            if (qos != 0)
            {
                sb.append(", qos ").append(qos);
            }
            if (vlanProtocol == PROTO_8021AD)
            {
                sb.append(", vlan protocol 802.1ad");
            }
        }
        if (maxTxRateMbps != 0 || minTxRateMbps != 0)
        {
            sb.append(", tx rate ").append(maxTxRateMbps).append(" (Mbps), max_tx_rate ").append(maxTxRateMbps)
                .append("Mbps, min_tx_rate ").append(minTxRateMbps).append("Mbps");
        }
        sb.append(", spoof checking ").append(spoofCheck ? "on" : "off");
        sb.append(", link-state ").append(linkState.label());
        sb.append(", trust ").append(trust ? "on" : "off");
        if (checksSourceIp())
        {
            sb.append(", ip");
            for (int i = 0; i < ipv4Addresses.length; i++)
            {
                sb.append(i == 0 ? " " : ",").append(Macs.formatIpv4(ipv4Addresses[i]));
            }
            for (int i = 0; i < ipv6Addresses.length; i += 2)
            {
                sb.append(i == 0 && ipv4Addresses.length == 0 ? " " : ",")
                    .append(Macs.formatIpv6(ipv6Addresses[i], ipv6Addresses[i + 1]));
            }
        }
        return sb.toString();
    }
}
