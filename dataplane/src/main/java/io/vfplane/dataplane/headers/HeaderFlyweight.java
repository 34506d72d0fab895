package io.vfplane.dataplane.headers;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Base of the header views: a buffer and an offset, no bytes of its own. Network byte order is passed on every access
 * (Agrona defaults to native order). A view wrapped over a read-only {@link DirectBuffer} has no setters to call:
 * calling one is a programming error and fails with an {@link IllegalStateException}.
 */
public abstract class HeaderFlyweight
{
    /** Network byte order, used on every multi-byte access. */
    protected static final ByteOrder BIG_ENDIAN = ByteOrder.BIG_ENDIAN;

    protected DirectBuffer buffer;
    protected MutableDirectBuffer mutableBuffer;
    protected int offset;

    protected final void wrapReadOnly(final DirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.mutableBuffer = null;
        this.offset = offset;
    }

    protected final void wrapMutable(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.mutableBuffer = buffer;
        this.offset = offset;
    }

    /**
     * @return the wrapped buffer.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return absolute offset of the header in the buffer.
     */
    public int offset()
    {
        return offset;
    }

    protected final int u8(final int field)
    {
        return buffer.getByte(offset + field) & 0xFF;
    }

    protected final int u16(final int field)
    {
        return buffer.getShort(offset + field, BIG_ENDIAN) & 0xFFFF;
    }

    protected final int i32(final int field)
    {
        return buffer.getInt(offset + field, BIG_ENDIAN);
    }

    protected final long u32(final int field)
    {
        return buffer.getInt(offset + field, BIG_ENDIAN) & 0xFFFF_FFFFL;
    }

    protected final int u24(final int field)
    {
        return (u16(field) << 8) | u8(field + 2);
    }

    protected final long u48(final int field)
    {
        return ((long)u16(field) << 32) | u32(field + 2);
    }

    protected final void u8(final int field, final int value)
    {
        writable().putByte(offset + field, (byte)value);
    }

    protected final void u16(final int field, final int value)
    {
        writable().putShort(offset + field, (short)value, BIG_ENDIAN);
    }

    protected final void i32(final int field, final int value)
    {
        writable().putInt(offset + field, value, BIG_ENDIAN);
    }

    protected final void u24(final int field, final int value)
    {
        u16(field, value >>> 8);
        u8(field + 2, value);
    }

    protected final void u48(final int field, final long value)
    {
        u16(field, (int)(value >>> 32));
        i32(field + 2, (int)value);
    }

    /** Replace the bits of mask in an 8-bit field with value (already shifted into place). */
    protected final void bits8(final int field, final int mask, final int value)
    {
        u8(field, (u8(field) & ~mask) | (value & mask));
    }

    /** Replace the bits of mask in a 16-bit field with value (already shifted into place). */
    protected final void bits16(final int field, final int mask, final int value)
    {
        u16(field, (u16(field) & ~mask) | (value & mask));
    }

    protected final void copyBytes(final int field, final byte[] dst, final int dstOffset, final int length)
    {
        buffer.getBytes(offset + field, dst, dstOffset, length);
    }

    protected final void putBytes(final int field, final byte[] src, final int srcOffset, final int length)
    {
        writable().putBytes(offset + field, src, srcOffset, length);
    }

    private MutableDirectBuffer writable()
    {
        if (mutableBuffer == null)
        {
            throw new IllegalStateException(getClass().getSimpleName() + " wrapped read-only");
        }
        return mutableBuffer;
    }
}
