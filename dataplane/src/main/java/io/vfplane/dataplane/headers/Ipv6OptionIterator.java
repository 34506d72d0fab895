package io.vfplane.dataplane.headers;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Allocation-free walk over the TLV options of an IPv6 hop-by-hop or destination options header (RFC 8200 4.2):
 * Pad1 (type 0) is a single byte, every other option is type, data length (not counting the two), data.
 * <pre>
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+- - - - - - - - -
 *  |  Option Type  |  Opt Data Len |  Option Data
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+- - - - - - - - -
 * </pre>
 */
public final class Ipv6OptionIterator
{
    public static final int TYPE_PAD1 = 0;
    public static final int TYPE_PADN = 1;
    /** Jumbo Payload (RFC 2675): 4-byte payload length for jumbograms whose IPv6 payload length is 0. */
    public static final int TYPE_JUMBO_PAYLOAD = 0xC2;
    public static final int JUMBO_PAYLOAD_DATA_LENGTH = 4;
    /** Offset of Opt Data Len in an option other than Pad1. */
    public static final int LENGTH_OFFSET = 1;
    /** Option Type and Opt Data Len: the option data starts this far in. */
    public static final int OPTION_HEADER_LENGTH = 2;

    private DirectBuffer buffer;
    private int position;
    private int end;
    private int current;
    private int type;
    private int dataLength;
    private boolean malformed;

    public Ipv6OptionIterator reset(final DirectBuffer buffer, final int start, final int end)
    {
        this.buffer = buffer;
        this.position = start;
        this.end = Math.max(start, Math.min(end, buffer.capacity()));
        this.current = -1;
        this.type = -1;
        this.dataLength = 0;
        this.malformed = false;
        return this;
    }

    /**
     * @return false at the end of the area or on a malformed option (see {@link #malformed()}).
     */
    public boolean next()
    {
        if (malformed || position >= end)
        {
            return false;
        }
        final int t = buffer.getByte(position) & 0xFF;
        int len = 0;
        int size = 1;
        if (t != TYPE_PAD1)
        {
            if (end - position < 2)
            {
                malformed = true;
                return false;
            }
            len = buffer.getByte(position + 1) & 0xFF;
            size = 2 + len;
            if (size > end - position)
            {
                malformed = true;
                return false;
            }
        }
        current = position;
        type = t;
        dataLength = len;
        position += size;
        return true;
    }

    public boolean malformed()
    {
        return malformed;
    }

    public int type()
    {
        return type;
    }

    /** Bits 7-6 of the type: what a node that does not know the option must do (RFC 8200 4.2). */
    public int unknownAction()
    {
        return type >>> 6;
    }

    public int dataLength()
    {
        return dataLength;
    }

    public int offset()
    {
        return current;
    }

    public int dataOffset()
    {
        return type == TYPE_PAD1 ? current + 1 : current + 2;
    }

    /** True if the current option is a well-formed Jumbo Payload option. */
    public boolean isJumboPayload()
    {
        return type == TYPE_JUMBO_PAYLOAD && dataLength == JUMBO_PAYLOAD_DATA_LENGTH;
    }

    /** The Jumbo Payload Length of the current option (only meaningful if {@link #isJumboPayload()}). */
    public long jumboPayloadLength()
    {
        return buffer.getInt(current + 2, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL;
    }

    /**
     * Write a Jumbo Payload option (6 bytes) at offset.
     *
     * @return bytes written.
     */
    public static int putJumboPayload(final MutableDirectBuffer buffer, final int offset, final long payloadLength)
    {
        buffer.putByte(offset, (byte)TYPE_JUMBO_PAYLOAD);
        buffer.putByte(offset + 1, (byte)JUMBO_PAYLOAD_DATA_LENGTH);
        buffer.putInt(offset + 2, (int)payloadLength, ByteOrder.BIG_ENDIAN);
        return 2 + JUMBO_PAYLOAD_DATA_LENGTH;
    }
}
