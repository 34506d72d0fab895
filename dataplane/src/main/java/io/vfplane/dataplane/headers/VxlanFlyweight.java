package io.vfplane.dataplane.headers;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * VXLAN header (RFC 7348 5). The I flag says the VNI is valid; every other bit is reserved (0 on send, ignored on
 * receive by the RFC, though a decap stage may be stricter).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |R|R|R|R|I|R|R|R|            Reserved                           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                VXLAN Network Identifier (VNI) |   Reserved    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class VxlanFlyweight extends HeaderFlyweight
{
    public static final int FLAGS_OFFSET = 0;
    public static final int RESERVED1_OFFSET = 1;
    public static final int VNI_OFFSET = 4;
    public static final int RESERVED2_OFFSET = 7;
    public static final int HEADER_LENGTH = 8;

    public static final int FLAG_I = 0x08;
    public static final int PORT = 4789;

    public VxlanFlyweight wrap(final DirectBuffer buffer, final int offset)
    {
        wrapReadOnly(buffer, offset);
        return this;
    }

    public VxlanFlyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        wrapMutable(buffer, offset);
        return this;
    }

    public int flags()
    {
        return u8(FLAGS_OFFSET);
    }

    public VxlanFlyweight flags(final int flags)
    {
        u8(FLAGS_OFFSET, flags);
        return this;
    }

    /** The I flag: the VNI is valid. */
    public boolean vniValid()
    {
        return (flags() & FLAG_I) != 0;
    }

    public VxlanFlyweight vniValid(final boolean valid)
    {
        bits8(FLAGS_OFFSET, FLAG_I, valid ? FLAG_I : 0);
        return this;
    }

    /** True if any bit other than I is set in the flags byte or the reserved fields. */
    public boolean reservedBitsSet()
    {
        return (flags() & ~FLAG_I) != 0 || reserved1() != 0 || reserved2() != 0;
    }

    /** The 24 reserved bits after the flags. */
    public int reserved1()
    {
        return u24(RESERVED1_OFFSET);
    }

    public VxlanFlyweight reserved1(final int value)
    {
        u24(RESERVED1_OFFSET, value);
        return this;
    }

    public int vni()
    {
        return u24(VNI_OFFSET);
    }

    public VxlanFlyweight vni(final int vni)
    {
        u24(VNI_OFFSET, vni);
        return this;
    }

    public int reserved2()
    {
        return u8(RESERVED2_OFFSET);
    }

    public VxlanFlyweight reserved2(final int value)
    {
        u8(RESERVED2_OFFSET, value);
        return this;
    }
}
