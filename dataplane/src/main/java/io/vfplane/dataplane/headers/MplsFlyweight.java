package io.vfplane.dataplane.headers;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * One MPLS label stack entry (RFC 3032; TC per RFC 5462). The parser records a whole label stack as one MPLS layer;
 * wrap entry i at layerOffset + i * {@link #ENTRY_LENGTH} until {@link #bottomOfStack()}.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                Label                  | TC  |S|       TTL     |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class MplsFlyweight extends HeaderFlyweight
{
    public static final int ENTRY_OFFSET = 0;
    public static final int ENTRY_LENGTH = 4;
    /** The S bit in the 32-bit entry: set on the last entry of the label stack. */
    public static final int BOTTOM_OF_STACK_BIT = 0x0000_0100;

    private static final int LABEL_SHIFT = 12;
    private static final int TC_SHIFT = 9;

    public MplsFlyweight wrap(final DirectBuffer buffer, final int offset)
    {
        wrapReadOnly(buffer, offset);
        return this;
    }

    public MplsFlyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        wrapMutable(buffer, offset);
        return this;
    }

    public int entry()
    {
        return i32(ENTRY_OFFSET);
    }

    public MplsFlyweight entry(final int entry)
    {
        i32(ENTRY_OFFSET, entry);
        return this;
    }

    /** 20-bit label. */
    public int label()
    {
        return entry() >>> LABEL_SHIFT;
    }

    public MplsFlyweight label(final int label)
    {
        return entry((entry() & 0x0000_0FFF) | (label << LABEL_SHIFT));
    }

    /** 3-bit traffic class. */
    public int trafficClass()
    {
        return (entry() >>> TC_SHIFT) & 0x7;
    }

    public MplsFlyweight trafficClass(final int tc)
    {
        return entry((entry() & ~(0x7 << TC_SHIFT)) | ((tc & 0x7) << TC_SHIFT));
    }

    public boolean bottomOfStack()
    {
        return (entry() & BOTTOM_OF_STACK_BIT) != 0;
    }

    public MplsFlyweight bottomOfStack(final boolean set)
    {
        return entry((entry() & ~BOTTOM_OF_STACK_BIT) | (set ? BOTTOM_OF_STACK_BIT : 0));
    }

    public int ttl()
    {
        return entry() & 0xFF;
    }

    public MplsFlyweight ttl(final int ttl)
    {
        return entry((entry() & ~0xFF) | (ttl & 0xFF));
    }
}
