package io.vfplane.tsorsc;

import java.nio.ByteBuffer;
import java.util.Random;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.vfplane.dataplane.checksum.Checksums;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * CopySum reads native-order words in bulk; the Internet checksum is defined over big-endian 16-bit words (RFC 1071).
 * Both are checked here against that definition, computed the slow, obvious way, over every length up to past a
 * jumbo segment and at odd and even addresses.
 */
class CopySumTest
{
    private final Random random = new Random(1071);
    private final UnsafeBuffer src = new UnsafeBuffer(ByteBuffer.allocateDirect(32_768));
    private final UnsafeBuffer dst = new UnsafeBuffer(ByteBuffer.allocateDirect(32_768));

    CopySumTest()
    {
        for (int i = 0; i < src.capacity(); i++)
        {
            src.putByte(i, (byte)random.nextInt());
        }
    }

    @Test
    void shouldSumAsBigEndianWordsForEveryLengthAndAlignment()
    {
        for (int length = 0; length <= 9100; length += length < 64 ? 1 : 37)
        {
            for (int from = 0; from < 8; from++)
            {
                assertEquals(definition(src, from, length), Checksums.reduce(CopySum.sum(src, from, length)),
                    "length " + length + " from " + from);
            }
        }
    }

    @Test
    void shouldCopyExactlyAndSumAsBigEndianWords()
    {
        for (int length = 0; length <= 9100; length += length < 64 ? 1 : 41)
        {
            final int from = random.nextInt(8);
            final int to = 16_000 + random.nextInt(8);
            dst.setMemory(0, dst.capacity(), (byte)0x5A);
            final int sum = CopySum.copyAndSum(src, from, dst, to, length);
            assertEquals(definition(src, from, length), Checksums.reduce(sum), "length " + length);
            for (int i = 0; i < length; i++)
            {
                assertEquals(src.getByte(from + i), dst.getByte(to + i), "byte " + i + " of " + length);
            }
            assertEquals((byte)0x5A, dst.getByte(to + length), "nothing written past the end");
            assertEquals((byte)0x5A, dst.getByte(to - 1), "nothing written before the start");
        }
    }

    @Test
    void shouldGiveAnOddStartedPieceItsPlaceWhenAligned()
    {
        final int length = 1001;
        final int whole = definition(src, 100, 2 * length);
        final int first = CopySum.sum(src, 100, length);
        final int second = CopySum.align(CopySum.sum(src, 100 + length, length), true);
        assertEquals(whole, Checksums.reduce(Checksums.add(first, second)));
    }

    /** RFC 1071: the one's complement sum of big-endian 16-bit words, an odd last byte padded with zero. */
    private static int definition(final UnsafeBuffer b, final int from, final int length)
    {
        long sum = 0;
        for (int i = 0; i < length; i += 2)
        {
            final int high = b.getByte(from + i) & 0xFF;
            final int low = i + 1 < length ? b.getByte(from + i + 1) & 0xFF : 0;
            sum += (high << 8) | low;
        }
        while (sum >>> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)sum;
    }
}
