package io.vfplane.dataplane.headers;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Allocation-free walk over Geneve options (RFC 8926 3.5). Reuse one instance; obtain it positioned through
 * {@link GeneveFlyweight#options(GeneveOptionIterator, int)}.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          Option Class         |      Type     |R|R|R| Length  |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 Variable-Length Option Data                   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * Length counts 4-byte words of data, not the 4-byte option header.
 */
public final class GeneveOptionIterator
{
    public static final int OPTION_HEADER_LENGTH = 4;
    /** Offset of the byte holding the 3 reserved bits and the 5-bit Length in an option header. */
    public static final int LENGTH_OFFSET = 3;
    public static final int CRITICAL_TYPE_BIT = 0x80;

    private DirectBuffer buffer;
    private int position;
    private int end;
    private int current;
    private boolean malformed;

    /**
     * @param buffer holding the options.
     * @param start  absolute offset of the first option.
     * @param end    absolute exclusive end of the options (the smaller of header end and the caller's limit).
     * @return this.
     */
    public GeneveOptionIterator reset(final DirectBuffer buffer, final int start, final int end)
    {
        this.buffer = buffer;
        this.position = start;
        this.end = Math.max(start, Math.min(end, buffer.capacity()));
        this.current = -1;
        this.malformed = false;
        return this;
    }

    /**
     * @return false at the end of the options or on an option overrunning them (see {@link #malformed()}).
     */
    public boolean next()
    {
        if (malformed || position >= end)
        {
            return false;
        }
        if (end - position < OPTION_HEADER_LENGTH)
        {
            malformed = true;
            return false;
        }
        final int size = OPTION_HEADER_LENGTH + (buffer.getByte(position + 3) & 0x1F) * 4;
        if (size > end - position)
        {
            malformed = true;
            return false;
        }
        current = position;
        position += size;
        return true;
    }

    public boolean malformed()
    {
        return malformed;
    }

    public int optionClass()
    {
        return buffer.getShort(current, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    public int type()
    {
        return buffer.getByte(current + 2) & 0xFF;
    }

    /** The critical bit, the high bit of type: a receiver that does not know the option must drop the packet. */
    public boolean critical()
    {
        return (type() & CRITICAL_TYPE_BIT) != 0;
    }

    /** Data length in 4-byte words (5 bits). */
    public int lengthWords()
    {
        return buffer.getByte(current + 3) & 0x1F;
    }

    public int dataLength()
    {
        return lengthWords() * 4;
    }

    /** Absolute offset of the option header. */
    public int offset()
    {
        return current;
    }

    /** Absolute offset of the option data. */
    public int dataOffset()
    {
        return current + OPTION_HEADER_LENGTH;
    }
}
