package io.vfplane.dataplane.headers;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * IPv6 fixed header (RFC 8200). Addresses are read as two longs (high, low; allocation free) or copied as 16 bytes.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Version| Traffic Class |           Flow Label                  |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Payload Length        |  Next Header  |   Hop Limit   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                                                               |
 *  +                         Source Address                        +
 *  |                          (16 bytes)                           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                                                               |
 *  +                      Destination Address                      +
 *  |                          (16 bytes)                           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * Payload Length 0 with a hop-by-hop Jumbo Payload option is a jumbogram (RFC 2675, used by BIG TCP).
 */
public final class Ipv6Flyweight extends HeaderFlyweight
{
    public static final int VERSION_CLASS_FLOW_OFFSET = 0;
    public static final int PAYLOAD_LENGTH_OFFSET = 4;
    public static final int NEXT_HEADER_OFFSET = 6;
    public static final int HOP_LIMIT_OFFSET = 7;
    public static final int SOURCE_OFFSET = 8;
    public static final int DESTINATION_OFFSET = 24;
    public static final int HEADER_LENGTH = 40;
    public static final int ADDRESS_LENGTH = 16;

    public static final int VERSION = 6;
    public static final int NEXT_HEADER_HOPOPT = 0;
    public static final int NEXT_HEADER_ROUTING = 43;
    public static final int NEXT_HEADER_FRAGMENT = 44;
    public static final int NEXT_HEADER_ICMPV6 = 58;
    public static final int NEXT_HEADER_NONE = 59;
    public static final int NEXT_HEADER_DSTOPTS = 60;

    public Ipv6Flyweight wrap(final DirectBuffer buffer, final int offset)
    {
        wrapReadOnly(buffer, offset);
        return this;
    }

    public Ipv6Flyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        wrapMutable(buffer, offset);
        return this;
    }

    public int version()
    {
        return u8(VERSION_CLASS_FLOW_OFFSET) >>> 4;
    }

    public Ipv6Flyweight version(final int version)
    {
        bits8(VERSION_CLASS_FLOW_OFFSET, 0xF0, version << 4);
        return this;
    }

    public int trafficClass()
    {
        return (i32(VERSION_CLASS_FLOW_OFFSET) >>> 20) & 0xFF;
    }

    public Ipv6Flyweight trafficClass(final int trafficClass)
    {
        final int word = i32(VERSION_CLASS_FLOW_OFFSET);
        i32(VERSION_CLASS_FLOW_OFFSET, (word & 0xF00F_FFFF) | ((trafficClass & 0xFF) << 20));
        return this;
    }

    public int dscp()
    {
        return trafficClass() >>> 2;
    }

    public int ecn()
    {
        return trafficClass() & 0x03;
    }

    public int flowLabel()
    {
        return i32(VERSION_CLASS_FLOW_OFFSET) & 0x000F_FFFF;
    }

    public Ipv6Flyweight flowLabel(final int flowLabel)
    {
        final int word = i32(VERSION_CLASS_FLOW_OFFSET);
        i32(VERSION_CLASS_FLOW_OFFSET, (word & 0xFFF0_0000) | (flowLabel & 0x000F_FFFF));
        return this;
    }

    public int payloadLength()
    {
        return u16(PAYLOAD_LENGTH_OFFSET);
    }

    public Ipv6Flyweight payloadLength(final int payloadLength)
    {
        u16(PAYLOAD_LENGTH_OFFSET, payloadLength);
        return this;
    }

    public int nextHeader()
    {
        return u8(NEXT_HEADER_OFFSET);
    }

    public Ipv6Flyweight nextHeader(final int nextHeader)
    {
        u8(NEXT_HEADER_OFFSET, nextHeader);
        return this;
    }

    public int hopLimit()
    {
        return u8(HOP_LIMIT_OFFSET);
    }

    public Ipv6Flyweight hopLimit(final int hopLimit)
    {
        u8(HOP_LIMIT_OFFSET, hopLimit);
        return this;
    }

    /** First 8 bytes of the source address. */
    public long sourceHigh()
    {
        return buffer.getLong(offset + SOURCE_OFFSET, BIG_ENDIAN);
    }

    /** Last 8 bytes of the source address. */
    public long sourceLow()
    {
        return buffer.getLong(offset + SOURCE_OFFSET + 8, BIG_ENDIAN);
    }

    public Ipv6Flyweight source(final long high, final long low)
    {
        putLong(SOURCE_OFFSET, high);
        putLong(SOURCE_OFFSET + 8, low);
        return this;
    }

    public long destinationHigh()
    {
        return buffer.getLong(offset + DESTINATION_OFFSET, BIG_ENDIAN);
    }

    public long destinationLow()
    {
        return buffer.getLong(offset + DESTINATION_OFFSET + 8, BIG_ENDIAN);
    }

    public Ipv6Flyweight destination(final long high, final long low)
    {
        putLong(DESTINATION_OFFSET, high);
        putLong(DESTINATION_OFFSET + 8, low);
        return this;
    }

    /** Copy the 16 source address bytes into dst at dstOffset. */
    public void copySourceTo(final byte[] dst, final int dstOffset)
    {
        copyBytes(SOURCE_OFFSET, dst, dstOffset, ADDRESS_LENGTH);
    }

    /** Set the source address from 16 bytes of src at srcOffset. */
    public Ipv6Flyweight source(final byte[] src, final int srcOffset)
    {
        putBytes(SOURCE_OFFSET, src, srcOffset, ADDRESS_LENGTH);
        return this;
    }

    public void copyDestinationTo(final byte[] dst, final int dstOffset)
    {
        copyBytes(DESTINATION_OFFSET, dst, dstOffset, ADDRESS_LENGTH);
    }

    public Ipv6Flyweight destination(final byte[] src, final int srcOffset)
    {
        putBytes(DESTINATION_OFFSET, src, srcOffset, ADDRESS_LENGTH);
        return this;
    }

    private void putLong(final int field, final long value)
    {
        i32(field, (int)(value >>> 32));
        i32(field + 4, (int)value);
    }
}
