package io.vfplane.encap.rules;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WideKeyMapTest
{
    @Test
    void shouldFindEveryKeyOfEveryWidthAcrossRehashesAndMissOthers()
    {
        for (final int width : new int[]{1, 2, 3, 5})
        {
            final SplittableRandom random = new SplittableRandom(width);
            final WideKeyMap map = new WideKeyMap(width, 4); // starts small: grows by rehashing many times
            final Map<List<Long>, Integer> expected = new HashMap<>();
            final long[][] keys = new long[50_000][];
            for (int i = 0; i < keys.length; i++)
            {
                final long[] key = new long[width];
                for (int w = 0; w < width; w++)
                {
                    // half the keys differ only in a few low or high bits, as packed rule keys do
                    key[w] = i % 2 == 0 ? random.nextLong() : (long)(i & 0xFF) << (w * 8) | (long)i << 40;
                }
                keys[i] = key;
                final Integer old = expected.putIfAbsent(boxed(key), i);
                assertEquals(old == null ? WideKeyMap.MISSING : old, map.putIfAbsent(key, i));
            }
            assertEquals(expected.size(), map.size());
            for (final long[] key : keys)
            {
                assertEquals(expected.get(boxed(key)), get(map, key), "width " + width);
            }
            for (int i = 0; i < 10_000; i++)
            {
                final long[] key = new long[width];
                for (int w = 0; w < width; w++)
                {
                    key[w] = random.nextLong();
                }
                assertEquals(expected.getOrDefault(boxed(key), WideKeyMap.MISSING), get(map, key));
            }
        }
    }

    @Test
    void shouldFindEveryTwoLongKeyAlikeWhenResumedWhereAdvanceOverItsHomeLineLeftOff()
    {
        final SplittableRandom random = new SplittableRandom(7);
        final int count = 1 << 16;
        final WideKeyMap map = new WideKeyMap(2, count); // filled to just under one half, as the ingress table
        final long[][] keys = new long[count + 10_000][];
        for (int i = 0; i < keys.length; i++)
        {
            keys[i] = new long[]{random.nextLong(), i % 3 == 0 ? i : random.nextLong()};
            if (i < count)
            {
                map.putIfAbsent(keys[i], i);
            }
        }
        int pastHome = 0;
        for (int i = 0; i < keys.length; i++)
        {
            final long k0 = keys[i][0];
            final long k1 = keys[i][1];
            final int first = map.firstRecord2(k0, k1);
            final int advanced = map.advance2(first, k0, k1);
            final int resume = advanced < 0 ? ~advanced : advanced;
            if (advanced < 0)
            {
                pastHome++;
                assertEquals(0, (resume - first) & 7, "continues at the start of a line (two records of 4 longs)");
            }
            final int expected = map.find2(k0, k1);
            assertEquals(expected, map.find2From(resume, k0, k1), "key " + i);
            assertEquals(i < count ? i : WideKeyMap.MISSING,
                expected == WideKeyMap.MISSING ? WideKeyMap.MISSING : (int)map.valueAt(expected));
        }
        // about one key in nine lies past its home line at this load: both paths are exercised
        assertTrue(pastHome > keys.length / 30 && pastHome < keys.length / 4, "past home: " + pastHome);
    }

    private static int get(final WideKeyMap map, final long[] k)
    {
        return switch (k.length)
        {
            case 1 -> map.get1(k[0]);
            case 2 -> map.get2(k[0], k[1]);
            case 3 -> map.get3(k[0], k[1], k[2]);
            default -> map.get5(k[0], k[1], k[2], k[3], k[4]);
        };
    }

    private static List<Long> boxed(final long[] key)
    {
        return java.util.Arrays.stream(key).boxed().toList();
    }
}
