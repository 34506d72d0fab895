package io.vfplane.dataplane.parse;

/**
 * Layer types recorded in a {@link ParseResult}. Plain ints so a result is a few primitive arrays.
 */
public final class LayerType
{
    /** Ethernet II header (14 bytes). */
    public static final int ETHERNET = 0;
    /** 802.1Q customer tag (TPID 0x8100). */
    public static final int VLAN = 1;
    /** 802.1ad service tag (TPID 0x88A8). */
    public static final int QINQ = 2;
    /** One MPLS label stack entry. */
    public static final int MPLS = 3;
    /** ARP. */
    public static final int ARP = 4;
    /** Linux cooked capture header. */
    public static final int SLL = 5;
    /** IPv4 header (with options). */
    public static final int IPV4 = 6;
    /** IPv6 fixed header. */
    public static final int IPV6 = 7;
    /** IPv6 hop-by-hop options header. */
    public static final int IPV6_HOPOPT = 8;
    /** IPv6 routing header. */
    public static final int IPV6_ROUTING = 9;
    /** IPv6 fragment header. */
    public static final int IPV6_FRAGMENT = 10;
    /** IPv6 destination options header. */
    public static final int IPV6_DSTOPTS = 11;
    /** UDP header. */
    public static final int UDP = 12;
    /** TCP header (with options). */
    public static final int TCP = 13;
    /** ICMP header (first 8 bytes). */
    public static final int ICMP = 14;
    /** ICMPv6 header (first 4 bytes). */
    public static final int ICMPV6 = 15;
    /** VXLAN header. */
    public static final int VXLAN = 16;
    /** Geneve header with options. */
    public static final int GENEVE = 17;
    /** GRE header with optional fields. */
    public static final int GRE = 18;
    /** Bytes the parser does not decode further. */
    public static final int PAYLOAD = 19;

    /** Number of layer types; valid types are 0 until COUNT - 1. */
    public static final int COUNT = 20;

    private static final String[] NAMES =
    {
        "ETHERNET", "VLAN", "QINQ", "MPLS", "ARP", "SLL", "IPV4", "IPV6", "IPV6_HOPOPT", "IPV6_ROUTING",
        "IPV6_FRAGMENT", "IPV6_DSTOPTS", "UDP", "TCP", "ICMP", "ICMPV6", "VXLAN", "GENEVE", "GRE", "PAYLOAD"
    };

    private LayerType()
    {
    }

    /**
     * @param layerType a layer type constant.
     * @return its name, or "UNKNOWN".
     */
    public static String name(final int layerType)
    {
        return layerType >= 0 && layerType < COUNT ? NAMES[layerType] : "UNKNOWN";
    }

    /**
     * @param layerType a layer type constant.
     * @return true for the tunnel headers VXLAN, GENEVE and GRE.
     */
    public static boolean isTunnel(final int layerType)
    {
        return layerType == VXLAN || layerType == GENEVE || layerType == GRE;
    }
}
