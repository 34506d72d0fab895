package io.vfplane.dataplane.headers;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Generic IPv6 extension header in the common "next header, length in 8-octet units beyond the first" form
 * (RFC 8200 4.3 hop-by-hop options, 4.4 routing, 4.6 destination options).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Next Header  |  Hdr Ext Len  |  Routing Type | Segments Left |  (routing)
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+               +-+-+-+-+-+-+-+-+
 *  |                               |   Options ... (hop-by-hop, destination options)
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  .                type-specific data / options                   .
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class Ipv6ExtensionFlyweight extends HeaderFlyweight
{
    public static final int NEXT_HEADER_OFFSET = 0;
    public static final int HDR_EXT_LEN_OFFSET = 1;
    public static final int OPTIONS_OFFSET = 2;
    public static final int ROUTING_TYPE_OFFSET = 2;
    public static final int SEGMENTS_LEFT_OFFSET = 3;
    public static final int MIN_HEADER_LENGTH = 8;

    public Ipv6ExtensionFlyweight wrap(final DirectBuffer buffer, final int offset)
    {
        wrapReadOnly(buffer, offset);
        return this;
    }

    public Ipv6ExtensionFlyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        wrapMutable(buffer, offset);
        return this;
    }

    public int nextHeader()
    {
        return u8(NEXT_HEADER_OFFSET);
    }

    public Ipv6ExtensionFlyweight nextHeader(final int nextHeader)
    {
        u8(NEXT_HEADER_OFFSET, nextHeader);
        return this;
    }

    /** Length in 8-octet units, not counting the first 8 octets. */
    public int hdrExtLen()
    {
        return u8(HDR_EXT_LEN_OFFSET);
    }

    public Ipv6ExtensionFlyweight hdrExtLen(final int units)
    {
        u8(HDR_EXT_LEN_OFFSET, units);
        return this;
    }

    /** Header length in bytes: (Hdr Ext Len + 1) * 8. */
    public int headerLength()
    {
        return (hdrExtLen() + 1) * 8;
    }

    public int routingType()
    {
        return u8(ROUTING_TYPE_OFFSET);
    }

    public Ipv6ExtensionFlyweight routingType(final int routingType)
    {
        u8(ROUTING_TYPE_OFFSET, routingType);
        return this;
    }

    public int segmentsLeft()
    {
        return u8(SEGMENTS_LEFT_OFFSET);
    }

    public Ipv6ExtensionFlyweight segmentsLeft(final int segmentsLeft)
    {
        u8(SEGMENTS_LEFT_OFFSET, segmentsLeft);
        return this;
    }

    /**
     * Position iterator over the options of a hop-by-hop or destination options header.
     *
     * @param iterator reused iterator.
     * @param limit    absolute exclusive bound (captured end).
     * @return iterator.
     */
    public Ipv6OptionIterator options(final Ipv6OptionIterator iterator, final int limit)
    {
        return iterator.reset(buffer, offset + OPTIONS_OFFSET, Math.min(limit, offset + headerLength()));
    }

    /**
     * @param iterator reused iterator.
     * @param limit    absolute exclusive bound.
     * @return the Jumbo Payload Length of a hop-by-hop header's jumbo option, or -1 if it has none (or the options are
     * malformed before it).
     */
    public long jumboPayloadLength(final Ipv6OptionIterator iterator, final int limit)
    {
        options(iterator, limit);
        while (iterator.next())
        {
            if (iterator.isJumboPayload())
            {
                return iterator.jumboPayloadLength();
            }
        }
        return -1;
    }
}
