package io.vfplane.dataplane.parse;

/**
 * Capture link types (tcpdump.org LINKTYPE_* values) the parser understands.
 */
public final class LinkType
{
    /** LINKTYPE_ETHERNET: IEEE 802.3 Ethernet. */
    public static final int ETHERNET = 1;
    /** DLT_RAW as BSD defines it (and LINKTYPE_RAW's old alias on some platforms). */
    public static final int RAW_BSD = 12;
    /** DLT_RAW as OpenBSD defines it. */
    public static final int RAW_OPENBSD = 14;
    /** LINKTYPE_RAW: raw IP, version from the first nibble. */
    public static final int RAW = 101;
    /** LINKTYPE_LINUX_SLL: Linux "cooked" capture, 16-byte pseudo header. */
    public static final int LINUX_SLL = 113;
    /** LINKTYPE_IPV4: raw IPv4. */
    public static final int IPV4 = 228;
    /** LINKTYPE_IPV6: raw IPv6. */
    public static final int IPV6 = 229;

    private LinkType()
    {
    }

    /**
     * @param linkType a capture link type.
     * @return true if {@link PacketParser} can parse frames of this link type.
     */
    public static boolean isSupported(final int linkType)
    {
        switch (linkType)
        {
            case ETHERNET:
            case RAW_BSD:
            case RAW_OPENBSD:
            case RAW:
            case LINUX_SLL:
            case IPV4:
            case IPV6:
                return true;
            default:
                return false;
        }
    }

    /**
     * @param linkType a capture link type.
     * @return a short name for display (never allocates for known types).
     */
    public static String name(final int linkType)
    {
        switch (linkType)
        {
            case ETHERNET:
                return "ETHERNET";
            case RAW_BSD:
            case RAW_OPENBSD:
            case RAW:
                return "RAW";
            case LINUX_SLL:
                return "LINUX_SLL";
            case IPV4:
                return "IPV4";
            case IPV6:
                return "IPV6";
            default:
                return "UNKNOWN";
        }
    }
}
