package io.vfplane.dataplane.headers;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * ICMP header (RFC 792): type, code, checksum and the 32-bit rest of header (identifier and sequence for echo).
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
public final class IcmpFlyweight extends HeaderFlyweight
{
    public static final int TYPE_OFFSET = 0;
    public static final int CODE_OFFSET = 1;
    public static final int CHECKSUM_OFFSET = 2;
    public static final int REST_OFFSET = 4;
    public static final int IDENTIFIER_OFFSET = 4;
    public static final int SEQUENCE_OFFSET = 6;
    public static final int HEADER_LENGTH = 8;

    public static final int TYPE_ECHO_REPLY = 0;
    public static final int TYPE_DESTINATION_UNREACHABLE = 3;
    public static final int TYPE_ECHO_REQUEST = 8;
    public static final int TYPE_TIME_EXCEEDED = 11;

    public IcmpFlyweight wrap(final DirectBuffer buffer, final int offset)
    {
        wrapReadOnly(buffer, offset);
        return this;
    }

    public IcmpFlyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        wrapMutable(buffer, offset);
        return this;
    }

    public int type()
    {
        return u8(TYPE_OFFSET);
    }

    public IcmpFlyweight type(final int type)
    {
        u8(TYPE_OFFSET, type);
        return this;
    }

    public int code()
    {
        return u8(CODE_OFFSET);
    }

    public IcmpFlyweight code(final int code)
    {
        u8(CODE_OFFSET, code);
        return this;
    }

    public int checksum()
    {
        return u16(CHECKSUM_OFFSET);
    }

    public IcmpFlyweight checksum(final int checksum)
    {
        u16(CHECKSUM_OFFSET, checksum);
        return this;
    }

    /** The 32 bits after the checksum, whose meaning depends on type. */
    public int restOfHeader()
    {
        return i32(REST_OFFSET);
    }

    public IcmpFlyweight restOfHeader(final int value)
    {
        i32(REST_OFFSET, value);
        return this;
    }

    public int identifier()
    {
        return u16(IDENTIFIER_OFFSET);
    }

    public IcmpFlyweight identifier(final int identifier)
    {
        u16(IDENTIFIER_OFFSET, identifier);
        return this;
    }

    public int sequenceNumber()
    {
        return u16(SEQUENCE_OFFSET);
    }

    public IcmpFlyweight sequenceNumber(final int sequence)
    {
        u16(SEQUENCE_OFFSET, sequence);
        return this;
    }
}
