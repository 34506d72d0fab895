package io.vfplane.encap.rules;

/**
 * Where encapsulated frames go out: the local tunnel endpoint addresses, the outer Ethernet addresses and how much of
 * the outer headers vfplane writes.
 *
 * @param localIpv4   outer source for IPv4 remotes (4 bytes), or null.
 * @param localIpv6   outer source for IPv6 remotes (16 bytes), or null.
 * @param localMac    outer Ethernet source.
 * @param gatewayMac  outer Ethernet destination (the next hop toward every remote).
 * @param depth       {@link Depth#FULL_FRAME} or {@link Depth#TUNNEL_HEADER}.
 * @param mtu         largest outer IP packet; larger encapsulated frames are dropped (unless they are GSO frames).
 */
public record Underlay(byte[] localIpv4, byte[] localIpv6, long localMac, long gatewayMac, Depth depth, int mtu)
{
    /** How much of the outer headers vfplane writes. */
    public enum Depth
    {
        /** Outer Ethernet, IP, UDP (or GRE) and the tunnel header: for pcap and raw ports. */
        FULL_FRAME,
        /** Only the tunnel header: for a UDP socket underlay where the kernel writes outer IP and UDP. */
        TUNNEL_HEADER
    }

    public static final int DEFAULT_MTU = 1500;

    public Underlay
    {
        if (localIpv4 != null && localIpv4.length != 4)
        {
            throw new IllegalArgumentException("local-ipv4 must be 4 bytes");
        }
        if (localIpv6 != null && localIpv6.length != 16)
        {
            throw new IllegalArgumentException("local-ipv6 must be 16 bytes");
        }
        if (mtu < 576 || mtu > 65535)
        {
            throw new IllegalArgumentException("mtu: " + mtu + " is out of range 576..65535");
        }
    }

    /** A default underlay for tests and tools: 1500-byte MTU, full frames. */
    public static Underlay fullFrame(final byte[] localIpv4, final byte[] localIpv6, final long localMac,
        final long gatewayMac)
    {
        return new Underlay(localIpv4, localIpv6, localMac, gatewayMac, Depth.FULL_FRAME, DEFAULT_MTU);
    }
}
