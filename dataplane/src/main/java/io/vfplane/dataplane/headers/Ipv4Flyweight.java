package io.vfplane.dataplane.headers;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * IPv4 header (RFC 791; DSCP/ECN per RFC 2474 / 3168). Addresses are ints, first wire byte most significant.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Version|  IHL  |   DSCP    |ECN|          Total Length         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Identification        |R|D|M|      Fragment Offset    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Time to Live |    Protocol   |         Header Checksum       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       Source Address                          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Destination Address                        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Options                    |    Padding    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * A Total Length of 0 is what TSO / BIG TCP stacks hand to the NIC: the datagram then extends to the end of the frame.
 */
public final class Ipv4Flyweight extends HeaderFlyweight
{
    public static final int VERSION_IHL_OFFSET = 0;
    public static final int TOS_OFFSET = 1;
    public static final int TOTAL_LENGTH_OFFSET = 2;
    public static final int IDENTIFICATION_OFFSET = 4;
    public static final int FLAGS_FRAGMENT_OFFSET = 6;
    public static final int TTL_OFFSET = 8;
    public static final int PROTOCOL_OFFSET = 9;
    public static final int CHECKSUM_OFFSET = 10;
    public static final int SOURCE_OFFSET = 12;
    public static final int DESTINATION_OFFSET = 16;
    public static final int OPTIONS_OFFSET = 20;
    public static final int MIN_HEADER_LENGTH = 20;
    public static final int MAX_HEADER_LENGTH = 60;

    public static final int VERSION = 4;
    public static final int FLAG_RESERVED = 0x8000;
    public static final int FLAG_DONT_FRAGMENT = 0x4000;
    public static final int FLAG_MORE_FRAGMENTS = 0x2000;
    public static final int FRAGMENT_OFFSET_MASK = 0x1FFF;

    public static final int PROTOCOL_ICMP = 1;
    public static final int PROTOCOL_IPIP = 4;
    public static final int PROTOCOL_TCP = 6;
    public static final int PROTOCOL_UDP = 17;
    public static final int PROTOCOL_IPV6 = 41;
    public static final int PROTOCOL_GRE = 47;
    public static final int PROTOCOL_ICMPV6 = 58;

    public Ipv4Flyweight wrap(final DirectBuffer buffer, final int offset)
    {
        wrapReadOnly(buffer, offset);
        return this;
    }

    public Ipv4Flyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        wrapMutable(buffer, offset);
        return this;
    }

    public int version()
    {
        return u8(VERSION_IHL_OFFSET) >>> 4;
    }

    public Ipv4Flyweight version(final int version)
    {
        bits8(VERSION_IHL_OFFSET, 0xF0, version << 4);
        return this;
    }

    /** Internet Header Length in 32-bit words. */
    public int ihl()
    {
        return u8(VERSION_IHL_OFFSET) & 0x0F;
    }

    public Ipv4Flyweight ihl(final int ihl)
    {
        bits8(VERSION_IHL_OFFSET, 0x0F, ihl);
        return this;
    }

    /** Header length in bytes (IHL * 4). */
    public int headerLength()
    {
        return ihl() * 4;
    }

    public int tos()
    {
        return u8(TOS_OFFSET);
    }

    public Ipv4Flyweight tos(final int tos)
    {
        u8(TOS_OFFSET, tos);
        return this;
    }

    public int dscp()
    {
        return u8(TOS_OFFSET) >>> 2;
    }

    public Ipv4Flyweight dscp(final int dscp)
    {
        bits8(TOS_OFFSET, 0xFC, dscp << 2);
        return this;
    }

    public int ecn()
    {
        return u8(TOS_OFFSET) & 0x03;
    }

    public Ipv4Flyweight ecn(final int ecn)
    {
        bits8(TOS_OFFSET, 0x03, ecn);
        return this;
    }

    public int totalLength()
    {
        return u16(TOTAL_LENGTH_OFFSET);
    }

    public Ipv4Flyweight totalLength(final int totalLength)
    {
        u16(TOTAL_LENGTH_OFFSET, totalLength);
        return this;
    }

    public int identification()
    {
        return u16(IDENTIFICATION_OFFSET);
    }

    public Ipv4Flyweight identification(final int identification)
    {
        u16(IDENTIFICATION_OFFSET, identification);
        return this;
    }

    /** The 3 flag bits in place (R, DF, MF as 0x8000, 0x4000, 0x2000) together with the fragment offset. */
    public int flagsAndFragmentOffset()
    {
        return u16(FLAGS_FRAGMENT_OFFSET);
    }

    public Ipv4Flyweight flagsAndFragmentOffset(final int value)
    {
        u16(FLAGS_FRAGMENT_OFFSET, value);
        return this;
    }

    public boolean reservedFlag()
    {
        return (u16(FLAGS_FRAGMENT_OFFSET) & FLAG_RESERVED) != 0;
    }

    public Ipv4Flyweight reservedFlag(final boolean set)
    {
        bits16(FLAGS_FRAGMENT_OFFSET, FLAG_RESERVED, set ? FLAG_RESERVED : 0);
        return this;
    }

    public boolean dontFragment()
    {
        return (u16(FLAGS_FRAGMENT_OFFSET) & FLAG_DONT_FRAGMENT) != 0;
    }

    public Ipv4Flyweight dontFragment(final boolean set)
    {
        bits16(FLAGS_FRAGMENT_OFFSET, FLAG_DONT_FRAGMENT, set ? FLAG_DONT_FRAGMENT : 0);
        return this;
    }

    public boolean moreFragments()
    {
        return (u16(FLAGS_FRAGMENT_OFFSET) & FLAG_MORE_FRAGMENTS) != 0;
    }

    public Ipv4Flyweight moreFragments(final boolean set)
    {
        bits16(FLAGS_FRAGMENT_OFFSET, FLAG_MORE_FRAGMENTS, set ? FLAG_MORE_FRAGMENTS : 0);
        return this;
    }

    /** Fragment offset in 8-byte units. */
    public int fragmentOffset()
    {
        return u16(FLAGS_FRAGMENT_OFFSET) & FRAGMENT_OFFSET_MASK;
    }

    public Ipv4Flyweight fragmentOffset(final int units)
    {
        bits16(FLAGS_FRAGMENT_OFFSET, FRAGMENT_OFFSET_MASK, units);
        return this;
    }

    /** True for any fragment: MF set or a non-zero offset. */
    public boolean isFragment()
    {
        return (u16(FLAGS_FRAGMENT_OFFSET) & (FLAG_MORE_FRAGMENTS | FRAGMENT_OFFSET_MASK)) != 0;
    }

    public int ttl()
    {
        return u8(TTL_OFFSET);
    }

    public Ipv4Flyweight ttl(final int ttl)
    {
        u8(TTL_OFFSET, ttl);
        return this;
    }

    public int protocol()
    {
        return u8(PROTOCOL_OFFSET);
    }

    public Ipv4Flyweight protocol(final int protocol)
    {
        u8(PROTOCOL_OFFSET, protocol);
        return this;
    }

    public int checksum()
    {
        return u16(CHECKSUM_OFFSET);
    }

    public Ipv4Flyweight checksum(final int checksum)
    {
        u16(CHECKSUM_OFFSET, checksum);
        return this;
    }

    public int source()
    {
        return i32(SOURCE_OFFSET);
    }

    public Ipv4Flyweight source(final int address)
    {
        i32(SOURCE_OFFSET, address);
        return this;
    }

    public int destination()
    {
        return i32(DESTINATION_OFFSET);
    }

    public Ipv4Flyweight destination(final int address)
    {
        i32(DESTINATION_OFFSET, address);
        return this;
    }

    /** Bytes of options (IHL * 4 - 20, never negative). */
    public int optionsLength()
    {
        return Math.max(0, headerLength() - MIN_HEADER_LENGTH);
    }

    /** Absolute offset of the first option byte. */
    public int optionsOffset()
    {
        return offset + OPTIONS_OFFSET;
    }

    /**
     * Position it over this header's options.
     *
     * @param iterator reused iterator.
     * @param limit    absolute exclusive bound (captured end): options are never read beyond it.
     * @return iterator.
     */
    public KindLengthOptionIterator options(final KindLengthOptionIterator iterator, final int limit)
    {
        return iterator.reset(buffer, optionsOffset(), Math.min(limit, offset + headerLength()));
    }
}
