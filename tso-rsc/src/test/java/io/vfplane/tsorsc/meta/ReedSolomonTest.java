package io.vfplane.tsorsc.meta;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class ReedSolomonTest
{
    @Test
    void shouldRebuildTheDataFromAnyKOfNShards()
    {
        final Random random = new Random(1);
        final ReedSolomon codec = new ReedSolomon();
        for (int round = 0; round < 500; round++)
        {
            final int k = 1 + random.nextInt(8);
            final int n = k + random.nextInt(50);
            final int size = 1 + random.nextInt(6);
            final byte[] data = new byte[k * size];
            random.nextBytes(data);
            final int[] order = random.ints(0, n).distinct().limit(k).toArray();
            final byte[] shards = new byte[k * size];
            for (int r = 0; r < k; r++)
            {
                ReedSolomon.encodeShard(data, k, size, order[r], shards, r * size);
            }
            final byte[] out = new byte[k * size];
            codec.decode(k, size, order, shards, out);
            assertArrayEquals(data, out, "k " + k + " n " + n);
        }
    }
}
