package io.vfplane.dataplane.headers;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Ethernet II header (IEEE 802.3), without preamble and FCS. MAC addresses are 48-bit values in the low bits of a long
 * (first byte on the wire is the most significant).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  Destination MAC Address                      |
 *  +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                               |                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 *  |                    Source MAC Address                         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     EtherType / Length        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class EthernetFlyweight extends HeaderFlyweight
{
    public static final int DESTINATION_OFFSET = 0;
    public static final int SOURCE_OFFSET = 6;
    public static final int ETHERTYPE_OFFSET = 12;
    public static final int HEADER_LENGTH = 14;
    public static final int MAC_LENGTH = 6;

    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;
    public static final int ETHERTYPE_TEB = 0x6558;
    public static final int ETHERTYPE_VLAN = 0x8100;
    public static final int ETHERTYPE_IPV6 = 0x86DD;
    public static final int ETHERTYPE_MPLS = 0x8847;
    public static final int ETHERTYPE_QINQ = 0x88A8;
    /** Values below this are 802.3 length fields, not ethertypes. */
    public static final int ETHERTYPE_MIN = 0x0600;

    public EthernetFlyweight wrap(final DirectBuffer buffer, final int offset)
    {
        wrapReadOnly(buffer, offset);
        return this;
    }

    public EthernetFlyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        wrapMutable(buffer, offset);
        return this;
    }

    public long destination()
    {
        return u48(DESTINATION_OFFSET);
    }

    public EthernetFlyweight destination(final long mac)
    {
        u48(DESTINATION_OFFSET, mac);
        return this;
    }

    public long source()
    {
        return u48(SOURCE_OFFSET);
    }

    public EthernetFlyweight source(final long mac)
    {
        u48(SOURCE_OFFSET, mac);
        return this;
    }

    /** Copy the 6 destination bytes into dst at dstOffset. */
    public void copyDestinationTo(final byte[] dst, final int dstOffset)
    {
        copyBytes(DESTINATION_OFFSET, dst, dstOffset, MAC_LENGTH);
    }

    /** Copy the 6 source bytes into dst at dstOffset. */
    public void copySourceTo(final byte[] dst, final int dstOffset)
    {
        copyBytes(SOURCE_OFFSET, dst, dstOffset, MAC_LENGTH);
    }

    public int ethertype()
    {
        return u16(ETHERTYPE_OFFSET);
    }

    public EthernetFlyweight ethertype(final int ethertype)
    {
        u16(ETHERTYPE_OFFSET, ethertype);
        return this;
    }

    /** Convert 6 bytes (as on the wire) to the 48-bit long form. */
    public static long macToLong(final byte[] mac, final int offset)
    {
        long value = 0;
        for (int i = 0; i < MAC_LENGTH; i++)
        {
            value = (value << 8) | (mac[offset + i] & 0xFF);
        }
        return value;
    }

    /** Write the 48-bit long form as 6 bytes. */
    public static void longToMac(final long value, final byte[] mac, final int offset)
    {
        for (int i = 0; i < MAC_LENGTH; i++)
        {
            mac[offset + i] = (byte)(value >>> (8 * (MAC_LENGTH - 1 - i)));
        }
    }
}
