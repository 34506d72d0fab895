package io.vfplane.encap.rules;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
