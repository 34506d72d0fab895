package io.vfplane.dataplane.headers;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The part of an 802.1Q (TPID 0x8100) or 802.1ad S-tag (TPID 0x88A8) VLAN tag that follows the TPID: the TCI and the
 * ethertype of what comes next. The TPID itself is the ethertype field of the header before (Ethernet or an outer
 * tag), so this view wraps where the parser records the VLAN / QINQ layer: 2 bytes after the TPID.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | PCP |D|         VID           |      Inner EtherType          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  (preceded by the 16-bit TPID 0x8100 / 0x88A8)
 * </pre>
 */
public final class VlanTagFlyweight extends HeaderFlyweight
{
    public static final int TCI_OFFSET = 0;
    public static final int ETHERTYPE_OFFSET = 2;
    public static final int HEADER_LENGTH = 4;

    public static final int TPID_8021Q = 0x8100;
    public static final int TPID_8021AD = 0x88A8;

    private static final int PCP_SHIFT = 13;
    private static final int DEI_MASK = 0x1000;
    private static final int VID_MASK = 0x0FFF;

    public VlanTagFlyweight wrap(final DirectBuffer buffer, final int offset)
    {
        wrapReadOnly(buffer, offset);
        return this;
    }

    public VlanTagFlyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        wrapMutable(buffer, offset);
        return this;
    }

    public int tci()
    {
        return u16(TCI_OFFSET);
    }

    public VlanTagFlyweight tci(final int tci)
    {
        u16(TCI_OFFSET, tci);
        return this;
    }

    public int pcp()
    {
        return tci() >>> PCP_SHIFT;
    }

    public VlanTagFlyweight pcp(final int pcp)
    {
        bits16(TCI_OFFSET, 0xE000, pcp << PCP_SHIFT);
        return this;
    }

    public boolean dei()
    {
        return (tci() & DEI_MASK) != 0;
    }

    public VlanTagFlyweight dei(final boolean dei)
    {
        bits16(TCI_OFFSET, DEI_MASK, dei ? DEI_MASK : 0);
        return this;
    }

    public int vid()
    {
        return tci() & VID_MASK;
    }

    public VlanTagFlyweight vid(final int vid)
    {
        bits16(TCI_OFFSET, VID_MASK, vid);
        return this;
    }

    public int ethertype()
    {
        return u16(ETHERTYPE_OFFSET);
    }

    public VlanTagFlyweight ethertype(final int ethertype)
    {
        u16(ETHERTYPE_OFFSET, ethertype);
        return this;
    }
}
