package io.vfplane.dataplane.headers;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * ICMPv6 header (RFC 4443): type, code, checksum and the first 32 bits of the message body (identifier and sequence for echo; MTU for Packet Too Big; pointer for Parameter Problem).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Type      |     Code      |          Checksum             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          Identifier           |        Sequence Number        |  (echo; else type-specific)
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class Icmpv6Flyweight extends HeaderFlyweight
{
    public static final int TYPE_OFFSET = 0;
    public static final int CODE_OFFSET = 1;
    public static final int CHECKSUM_OFFSET = 2;
    public static final int REST_OFFSET = 4;
    public static final int IDENTIFIER_OFFSET = 4;
    public static final int SEQUENCE_OFFSET = 6;
    public static final int HEADER_LENGTH = 8;

    public static final int TYPE_DESTINATION_UNREACHABLE = 1;
    public static final int TYPE_PACKET_TOO_BIG = 2;
    public static final int TYPE_TIME_EXCEEDED = 3;
    public static final int TYPE_PARAMETER_PROBLEM = 4;
    public static final int TYPE_ECHO_REQUEST = 128;
    public static final int TYPE_ECHO_REPLY = 129;
    public static final int TYPE_NEIGHBOR_SOLICITATION = 135;
    public static final int TYPE_NEIGHBOR_ADVERTISEMENT = 136;

    public Icmpv6Flyweight wrap(final DirectBuffer buffer, final int offset)
    {
        wrapReadOnly(buffer, offset);
        return this;
    }

    public Icmpv6Flyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        wrapMutable(buffer, offset);
        return this;
    }

    public int type()
    {
        return u8(TYPE_OFFSET);
    }

    public Icmpv6Flyweight type(final int type)
    {
        u8(TYPE_OFFSET, type);
        return this;
    }

    public int code()
    {
        return u8(CODE_OFFSET);
    }

    public Icmpv6Flyweight code(final int code)
    {
        u8(CODE_OFFSET, code);
        return this;
    }

    public int checksum()
    {
        return u16(CHECKSUM_OFFSET);
    }

    public Icmpv6Flyweight checksum(final int checksum)
    {
        u16(CHECKSUM_OFFSET, checksum);
        return this;
    }

    /** The 32 bits after the checksum, whose meaning depends on type. */
    public int restOfHeader()
    {
        return i32(REST_OFFSET);
    }

    public Icmpv6Flyweight restOfHeader(final int value)
    {
        i32(REST_OFFSET, value);
        return this;
    }

    public int identifier()
    {
        return u16(IDENTIFIER_OFFSET);
    }

    public Icmpv6Flyweight identifier(final int identifier)
    {
        u16(IDENTIFIER_OFFSET, identifier);
        return this;
    }

    public int sequenceNumber()
    {
        return u16(SEQUENCE_OFFSET);
    }

    public Icmpv6Flyweight sequenceNumber(final int sequence)
    {
        u16(SEQUENCE_OFFSET, sequence);
        return this;
    }
}
