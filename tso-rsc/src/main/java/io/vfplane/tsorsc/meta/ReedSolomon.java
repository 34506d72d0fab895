package io.vfplane.tsorsc.meta;

/**
 * A systematic (n, k) erasure code over GF(256): shards 0..k-1 are the data cut in k pieces, shards k..n-1 are
 * parity rows of a Cauchy matrix, {@code c[i][j] = 1 / (i xor j)}, so every k-by-k choice of rows of
 * [identity; Cauchy] is invertible and any k distinct shards rebuild the data (MDS). n is at most 255.
 * <p>
 * Preallocated for at most {@link #MAX_K} data shards: no allocation per call. Not thread safe.
 */
public final class ReedSolomon
{
    public static final int MAX_K = 16;
    public static final int MAX_N = 255;

    private final int[][] matrix = new int[MAX_K][2 * MAX_K];

    /**
     * @param k     data shards.
     * @param index shard index, 0..254.
     * @param j     data shard.
     * @return the coefficient of data shard j in shard index.
     */
    static int coefficient(final int k, final int index, final int j)
    {
        if (index < k)
        {
            return index == j ? 1 : 0;
        }
        return Gf256.inverse(index ^ j);
    }

    /**
     * Computes one shard.
     *
     * @param data      k * shardSize bytes.
     * @param k         data shards.
     * @param shardSize bytes per shard.
     * @param index     which shard.
     * @param out       shardSize bytes are written at outOffset.
     * @param outOffset where.
     */
    public static void encodeShard(
        final byte[] data, final int k, final int shardSize, final int index, final byte[] out, final int outOffset)
    {
        for (int b = 0; b < shardSize; b++)
        {
            int v = 0;
            for (int j = 0; j < k; j++)
            {
                v ^= Gf256.mul(coefficient(k, index, j), data[j * shardSize + b] & 0xFF);
            }
            out[outOffset + b] = (byte)v;
        }
    }

    /**
     * Rebuilds the data from k distinct shards.
     *
     * @param k         data shards.
     * @param shardSize bytes per shard.
     * @param indices   k distinct shard indices.
     * @param shards    the k shards, shard r at {@code r * shardSize}.
     * @param data      k * shardSize bytes written.
     */
    public void decode(final int k, final int shardSize, final int[] indices, final byte[] shards, final byte[] data)
    {
        // [A | I] -> [I | A^-1] by Gauss-Jordan elimination
        for (int r = 0; r < k; r++)
        {
            for (int j = 0; j < k; j++)
            {
                matrix[r][j] = coefficient(k, indices[r], j);
                matrix[r][k + j] = r == j ? 1 : 0;
            }
        }
        for (int c = 0; c < k; c++)
        {
            int pivot = c;
            while (matrix[pivot][c] == 0)
            {
                pivot++;
            }
            if (pivot != c)
            {
                final int[] t = matrix[pivot];
                matrix[pivot] = matrix[c];
                matrix[c] = t;
            }
            final int inv = Gf256.inverse(matrix[c][c]);
            for (int j = 0; j < 2 * k; j++)
            {
                matrix[c][j] = Gf256.mul(matrix[c][j], inv);
            }
            for (int r = 0; r < k; r++)
            {
                final int f = matrix[r][c];
                if (r != c && f != 0)
                {
                    for (int j = 0; j < 2 * k; j++)
                    {
                        matrix[r][j] ^= Gf256.mul(f, matrix[c][j]);
                    }
                }
            }
        }
        for (int j = 0; j < k; j++)
        {
            for (int b = 0; b < shardSize; b++)
            {
                int v = 0;
                for (int r = 0; r < k; r++)
                {
                    v ^= Gf256.mul(matrix[j][k + r], shards[r * shardSize + b] & 0xFF);
                }
                data[j * shardSize + b] = (byte)v;
            }
        }
    }
}
