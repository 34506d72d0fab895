package io.vfplane.dataplane.buffer;

import java.nio.ByteOrder;

import org.agrona.UnsafeApi;

/**
 * Raw reads and writes in network byte order at {@code (array, address)} as Agrona's {@link UnsafeApi} takes them
 * (a null array and an absolute address for off-heap memory). Unsafe reads and writes in the machine's order, so
 * these swap on little-endian machines (a constant the JIT folds). No bounds checks: for hot loops whose callers
 * have checked the range once, where the per-access checks of a {@code DirectBuffer} would keep the JIT from
 * unrolling.
 */
public final class NetworkOrder
{
    private static final boolean SWAP = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private NetworkOrder()
    {
    }

    /** @return the unsigned 16-bit value. */
    public static int getShort(final byte[] array, final long address)
    {
        final short v = UnsafeApi.getShort(array, address);
        return (SWAP ? Short.reverseBytes(v) : v) & 0xFFFF;
    }

    public static int getInt(final byte[] array, final long address)
    {
        final int v = UnsafeApi.getInt(array, address);
        return SWAP ? Integer.reverseBytes(v) : v;
    }

    public static long getLong(final byte[] array, final long address)
    {
        final long v = UnsafeApi.getLong(array, address);
        return SWAP ? Long.reverseBytes(v) : v;
    }

    /** Writes the low 16 bits of {@code value}. */
    public static void putShort(final byte[] array, final long address, final int value)
    {
        final short v = (short)value;
        UnsafeApi.putShort(array, address, SWAP ? Short.reverseBytes(v) : v);
    }

    public static void putInt(final byte[] array, final long address, final int value)
    {
        UnsafeApi.putInt(array, address, SWAP ? Integer.reverseBytes(value) : value);
    }

    public static void putLong(final byte[] array, final long address, final long value)
    {
        UnsafeApi.putLong(array, address, SWAP ? Long.reverseBytes(value) : value);
    }
}
