package io.vfplane.dataplane.headers;

import org.agrona.DirectBuffer;

/**
 * Allocation-free walk over IPv4 (RFC 791) or TCP (RFC 9293) options: kind 0 (End of Option List) ends the walk,
 * kind 1 (No-Operation) is a single byte, every other option is kind, length (counting both), data.
 * Reuse one instance; {@link #next()} never reads outside [start, end).
 * <pre>
 *  +--------+--------+---------...
 *  |  kind  | length |  data (length - 2 bytes)
 *  +--------+--------+---------...
 * </pre>
 */
public final class KindLengthOptionIterator
{
    public static final int KIND_END = 0;
    public static final int KIND_NOP = 1;
    /** Offset of the length byte in an option other than End and NOP. */
    public static final int LENGTH_OFFSET = 1;
    /** Kind and length bytes: also the smallest valid length, since the length counts them. */
    public static final int OPTION_HEADER_LENGTH = 2;

    private DirectBuffer buffer;
    private int position;
    private int end;
    private int current;
    private int kind;
    private int length;
    private boolean malformed;

    /**
     * @param buffer holding the options.
     * @param start  absolute offset of the first option.
     * @param end    absolute exclusive end of the options area (header end, already bounded by captured bytes).
     * @return this.
     */
    public KindLengthOptionIterator reset(final DirectBuffer buffer, final int start, final int end)
    {
        this.buffer = buffer;
        this.position = start;
        this.end = Math.max(start, Math.min(end, buffer.capacity()));
        this.current = -1;
        this.kind = -1;
        this.length = 0;
        this.malformed = false;
        return this;
    }

    /**
     * Advance to the next option.
     *
     * @return false at the end of the area, at End of Option List, or on a malformed option (see {@link #malformed()}).
     */
    public boolean next()
    {
        if (malformed || position >= end)
        {
            return false;
        }
        final int k = buffer.getByte(position) & 0xFF;
        if (k == KIND_END)
        {
            position = end;
            return false;
        }
        int len = 1;
        if (k != KIND_NOP)
        {
            if (end - position < 2)
            {
                malformed = true;
                return false;
            }
            len = buffer.getByte(position + 1) & 0xFF;
            if (len < 2 || len > end - position)
            {
                malformed = true;
                return false;
            }
        }
        current = position;
        kind = k;
        length = len;
        position += len;
        return true;
    }

    /** True if the walk stopped at an option whose length is below 2 or overruns the area. */
    public boolean malformed()
    {
        return malformed;
    }

    public int kind()
    {
        return kind;
    }

    /** Whole option length (1 for NOP). */
    public int length()
    {
        return length;
    }

    /** Absolute offset of the option's kind byte. */
    public int offset()
    {
        return current;
    }

    /** Absolute offset of the option's data. */
    public int dataOffset()
    {
        return kind == KIND_NOP ? current + 1 : current + 2;
    }

    public int dataLength()
    {
        return kind == KIND_NOP ? 0 : length - 2;
    }
}
