package io.vfplane.pcap;

import io.vfplane.dataplane.parse.LinkType;

/**
 * Names of capture link types for messages, including the common ones vfplane does not support, so a refusal can
 * say what the file holds ("link type 105 (IEEE802_11) is not supported").
 */
public final class LinkTypeNames
{
    private LinkTypeNames()
    {
    }

    /**
     * @param linkType a LINKTYPE_* number.
     * @return true if vfplane reads and parses records of this link type.
     */
    public static boolean isSupported(final int linkType)
    {
        return LinkType.isSupported(linkType);
    }

    /**
     * @param linkType a LINKTYPE_* number.
     * @return its tcpdump.org name without the LINKTYPE_ prefix, or "unknown".
     */
    public static String name(final int linkType)
    {
        return switch (linkType)
        {
            case 0 -> "NULL";
            case 1 -> "ETHERNET";
            case 3 -> "AX25";
            case 6 -> "IEEE802_5";
            case 7 -> "ARCNET_BSD";
            case 8 -> "SLIP";
            case 9 -> "PPP";
            case 10 -> "FDDI";
            case 12, 14, 101 -> "RAW";
            case 50 -> "PPP_HDLC";
            case 51 -> "PPP_ETHER";
            case 100 -> "ATM_RFC1483";
            case 104 -> "C_HDLC";
            case 105 -> "IEEE802_11";
            case 107 -> "FRELAY";
            case 108 -> "LOOP";
            case 113 -> "LINUX_SLL";
            case 114 -> "LTALK";
            case 117 -> "PFLOG";
            case 119 -> "IEEE802_11_PRISM";
            case 122 -> "IP_OVER_FC";
            case 127 -> "IEEE802_11_RADIOTAP";
            case 143 -> "DOCSIS";
            case 163 -> "IEEE802_11_AVS";
            case 187 -> "BLUETOOTH_HCI_H4";
            case 189 -> "USB_LINUX";
            case 192 -> "PPI";
            case 195 -> "IEEE802_15_4_WITHFCS";
            case 201 -> "BLUETOOTH_HCI_H4_WITH_PHDR";
            case 220 -> "USB_LINUX_MMAPPED";
            case 228 -> "IPV4";
            case 229 -> "IPV6";
            case 239 -> "NFLOG";
            case 249 -> "NETANALYZER_TRANSPARENT";
            case 253 -> "NETLINK";
            case 276 -> "LINUX_SLL2";
            default -> linkType >= 147 && linkType <= 162 ? "USER" + (linkType - 147) : "unknown";
        };
    }

    /**
     * @param linkType a LINKTYPE_* number.
     * @return "link type N (NAME) is not supported".
     */
    public static String unsupportedMessage(final int linkType)
    {
        return "link type " + linkType + " (" + name(linkType) + ") is not supported";
    }
}
