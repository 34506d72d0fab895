package io.vfplane.encap.rules;

import java.util.Arrays;

/**
 * Longest-prefix match for IPv4 and IPv6 in one multibit trie with controlled prefix expansion: a 65536-entry first
 * level (16 bits, as DIR-24-8's first lookup) and 256-entry nodes for every further 8 bits. Many independent roots
 * ("segments", one per rule scope) share one int array of nodes.
 *
 * <pre>
 *  entry (int):  0         no prefix covers this range
 *                v &gt; 0     value v - 1 (a rule id)
 *                v &lt; 0     child node starting at index -v
 * </pre>
 *
 * An IPv4 lookup reads at most 3 entries, an IPv6 lookup at most 15. Host routes (/32, /128) belong in an exact-match
 * map consulted first; the trie still accepts them. Built off the data path: prefixes must be inserted in ascending
 * length order (a longer prefix overwrites the expansion of a shorter one, never the reverse). Read-only after build.
 */
final class PrefixTrie
{
    static final int NO_MATCH = -1;
    private static final int ROOT_SIZE = 1 << 16;
    private static final int NODE_SIZE = 1 << 8;

    private int[] pool = new int[ROOT_SIZE];
    private int used = 1; // index 0 is never a node: a child pointer of 0 would read as "no prefix"

    /** Creates a root and returns its index. */
    int newRoot()
    {
        return allocate(ROOT_SIZE, 0);
    }

    private int allocate(final int size, final int fill)
    {
        if (used + size > pool.length)
        {
            pool = Arrays.copyOf(pool, Math.max(pool.length * 2, used + size));
        }
        final int base = used;
        Arrays.fill(pool, base, base + size, fill);
        used += size;
        return base;
    }

    /** Trims the pool once building is done. */
    void seal()
    {
        pool = Arrays.copyOf(pool, used);
    }

    /**
     * @param hi     address bits 0..63 (IPv4: the address in bits 63..32).
     * @param lo     address bits 64..127 (IPv4: 0).
     * @param length prefix length.
     * @param value  a rule id, &gt;= 0.
     */
    void insert(final int root, final long hi, final long lo, final int length, final int value)
    {
        int node = root;
        int bitPos = 0;
        int stride = 16;
        while (true)
        {
            final int index = bits(hi, lo, bitPos, stride);
            if (length <= bitPos + stride)
            {
                final int span = 1 << (bitPos + stride - length);
                final int start = index & ~(span - 1);
                for (int e = start; e < start + span; e++)
                {
                    setAll(node + e, value + 1);
                }
                return;
            }
            final int entry = pool[node + index];
            if (entry >= 0)
            {
                final int child = allocate(NODE_SIZE, entry);
                pool[node + index] = -child;
            }
            node = -pool[node + index];
            bitPos += stride;
            stride = 8;
        }
    }

    private void setAll(final int slot, final int encoded)
    {
        final int entry = pool[slot];
        if (entry < 0)
        {
            final int child = -entry;
            for (int i = 0; i < NODE_SIZE; i++)
            {
                setAll(child + i, encoded);
            }
        }
        else
        {
            pool[slot] = encoded;
        }
    }

    private static int bits(final long hi, final long lo, final int bitPos, final int stride)
    {
        final int mask = (1 << stride) - 1;
        if (bitPos < 64)
        {
            return (int)(hi >>> (64 - bitPos - stride)) & mask;
        }
        return (int)(lo >>> (128 - bitPos - stride)) & mask;
    }

    /** IPv4 lookup; the rule id or {@link #NO_MATCH}. */
    int lookup4(final int root, final int address)
    {
        int entry = pool[root + (address >>> 16)];
        if (entry < 0)
        {
            entry = pool[-entry + ((address >>> 8) & 0xFF)];
            if (entry < 0)
            {
                entry = pool[-entry + (address & 0xFF)];
            }
        }
        return entry - 1;
    }

    /** IPv6 lookup; the rule id or {@link #NO_MATCH}. */
    int lookup6(final int root, final long hi, final long lo)
    {
        int entry = pool[root + (int)(hi >>> 48)];
        int shift = 40;
        while (entry < 0)
        {
            final long word = shift >= 0 ? hi >>> shift : lo >>> (shift + 64);
            entry = pool[-entry + ((int)word & 0xFF)];
            shift -= 8;
        }
        return entry - 1;
    }

    int memoryInts()
    {
        return pool.length;
    }
}
