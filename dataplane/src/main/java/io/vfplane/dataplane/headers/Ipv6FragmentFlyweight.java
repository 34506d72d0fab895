package io.vfplane.dataplane.headers;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * IPv6 Fragment header (RFC 8200 4.5).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                         Identification                        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class Ipv6FragmentFlyweight extends HeaderFlyweight
{
    public static final int NEXT_HEADER_OFFSET = 0;
    public static final int RESERVED_OFFSET = 1;
    public static final int FRAGMENT_OFFSET = 2;
    public static final int IDENTIFICATION_OFFSET = 4;
    public static final int HEADER_LENGTH = 8;
    /** The 13-bit fragment offset in place in the 16-bit field at {@link #FRAGMENT_OFFSET}. */
    public static final int FRAGMENT_OFFSET_MASK = 0xFFF8;
    /** M in the 16-bit field at {@link #FRAGMENT_OFFSET}. */
    public static final int FLAG_MORE_FRAGMENTS = 0x0001;

    private static final int RES_MASK = 0x0006;

    public Ipv6FragmentFlyweight wrap(final DirectBuffer buffer, final int offset)
    {
        wrapReadOnly(buffer, offset);
        return this;
    }

    public Ipv6FragmentFlyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        wrapMutable(buffer, offset);
        return this;
    }

    public int nextHeader()
    {
        return u8(NEXT_HEADER_OFFSET);
    }

    public Ipv6FragmentFlyweight nextHeader(final int nextHeader)
    {
        u8(NEXT_HEADER_OFFSET, nextHeader);
        return this;
    }

    public int reserved()
    {
        return u8(RESERVED_OFFSET);
    }

    public Ipv6FragmentFlyweight reserved(final int reserved)
    {
        u8(RESERVED_OFFSET, reserved);
        return this;
    }

    /** Fragment offset in 8-octet units (13 bits). */
    public int fragmentOffset()
    {
        return u16(FRAGMENT_OFFSET) >>> 3;
    }

    public Ipv6FragmentFlyweight fragmentOffset(final int units)
    {
        bits16(FRAGMENT_OFFSET, FRAGMENT_OFFSET_MASK, units << 3);
        return this;
    }

    /** The two reserved bits beside M. */
    public int res()
    {
        return (u16(FRAGMENT_OFFSET) & RES_MASK) >>> 1;
    }

    public Ipv6FragmentFlyweight res(final int res)
    {
        bits16(FRAGMENT_OFFSET, RES_MASK, res << 1);
        return this;
    }

    public boolean moreFragments()
    {
        return (u16(FRAGMENT_OFFSET) & FLAG_MORE_FRAGMENTS) != 0;
    }

    public Ipv6FragmentFlyweight moreFragments(final boolean set)
    {
        bits16(FRAGMENT_OFFSET, FLAG_MORE_FRAGMENTS, set ? FLAG_MORE_FRAGMENTS : 0);
        return this;
    }

    public int identification()
    {
        return i32(IDENTIFICATION_OFFSET);
    }

    public Ipv6FragmentFlyweight identification(final int identification)
    {
        i32(IDENTIFICATION_OFFSET, identification);
        return this;
    }
}
