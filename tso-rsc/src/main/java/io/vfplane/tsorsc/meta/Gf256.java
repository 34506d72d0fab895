package io.vfplane.tsorsc.meta;

/**
 * Arithmetic in GF(2^8) with the polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D), generator 2, by log and exp tables.
 */
final class Gf256
{
    private static final int[] EXP = new int[512];
    private static final int[] LOG = new int[256];

    static
    {
        int x = 1;
        for (int i = 0; i < 255; i++)
        {
            EXP[i] = x;
            LOG[x] = i;
            x <<= 1;
            if ((x & 0x100) != 0)
            {
                x ^= 0x11D;
            }
        }
        for (int i = 255; i < 512; i++)
        {
            EXP[i] = EXP[i - 255];
        }
    }

    private Gf256()
    {
    }

    static int mul(final int a, final int b)
    {
        return a == 0 || b == 0 ? 0 : EXP[LOG[a] + LOG[b]];
    }

    static int inverse(final int a)
    {
        if (a == 0)
        {
            throw new ArithmeticException("0 has no inverse");
        }
        return EXP[255 - LOG[a]];
    }
}
