package io.vfplane.encap.rules;

import java.util.Arrays;

/**
 * An open-addressing hash map from a fixed-width key of {@code keyLongs} longs to a non-negative int, built once off
 * the data path and then only read. Linear probing over a power-of-two table kept at most half full, so a miss ends
 * after a short run. Lookups neither allocate nor box: the key is passed as longs.
 *
 * <p>Not thread safe for writes; once built and published (through a final field of an immutable object that is
 * handed over by a volatile write) any number of threads may read it.
 */
final class WideKeyMap
{
    static final int MISSING = -1;

    private final int keyLongs;
    private long[] keys;
    private int[] values;
    private int mask;
    private int size;

    WideKeyMap(final int keyLongs, final int expected)
    {
        this.keyLongs = keyLongs;
        int capacity = 16;
        while (capacity < expected * 2L)
        {
            capacity <<= 1;
        }
        allocate(capacity);
    }

    private void allocate(final int capacity)
    {
        keys = new long[capacity * keyLongs];
        values = new int[capacity];
        Arrays.fill(values, MISSING);
        mask = capacity - 1;
        size = 0;
    }

    int size()
    {
        return size;
    }

    static int hash(final long k0, final long k1, final long k2, final long k3, final long k4)
    {
        long h = k0 * 0x9E3779B97F4A7C15L;
        h = (h ^ (h >>> 29) ^ k1) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 31) ^ k2) * 0x94D049BB133111EBL;
        h = (h ^ (h >>> 29) ^ k3) * 0x9E3779B97F4A7C15L;
        h = (h ^ (h >>> 32) ^ k4) * 0xBF58476D1CE4E5B9L;
        return (int)(h ^ (h >>> 32));
    }

    /**
     * Adds a key if absent.
     *
     * @return {@link #MISSING} when added, otherwise the value already there (nothing changes then).
     */
    int putIfAbsent(final long[] key, final int value)
    {
        if (value < 0)
        {
            throw new IllegalArgumentException("values must be >= 0");
        }
        if ((size + 1) * 2L > values.length)
        {
            rehash();
        }
        final long k0 = key[0];
        final long k1 = keyLongs > 1 ? key[1] : 0;
        final long k2 = keyLongs > 2 ? key[2] : 0;
        final long k3 = keyLongs > 3 ? key[3] : 0;
        final long k4 = keyLongs > 4 ? key[4] : 0;
        int slot = hash(k0, k1, k2, k3, k4) & mask;
        while (values[slot] != MISSING)
        {
            if (matches(slot, key))
            {
                return values[slot];
            }
            slot = (slot + 1) & mask;
        }
        System.arraycopy(key, 0, keys, slot * keyLongs, keyLongs);
        values[slot] = value;
        size++;
        return MISSING;
    }

    private boolean matches(final int slot, final long[] key)
    {
        final int base = slot * keyLongs;
        for (int i = 0; i < keyLongs; i++)
        {
            if (keys[base + i] != key[i])
            {
                return false;
            }
        }
        return true;
    }

    private void rehash()
    {
        final long[] oldKeys = keys;
        final int[] oldValues = values;
        allocate(oldValues.length * 2);
        final long[] key = new long[keyLongs];
        for (int slot = 0; slot < oldValues.length; slot++)
        {
            if (oldValues[slot] != MISSING)
            {
                System.arraycopy(oldKeys, slot * keyLongs, key, 0, keyLongs);
                putIfAbsent(key, oldValues[slot]);
            }
        }
    }

    /** Lookup for a one-long key. */
    int get1(final long k0)
    {
        int slot = hash(k0, 0, 0, 0, 0) & mask;
        int value;
        while ((value = values[slot]) != MISSING)
        {
            if (keys[slot] == k0)
            {
                return value;
            }
            slot = (slot + 1) & mask;
        }
        return MISSING;
    }

    /** Lookup for a two-long key. */
    int get2(final long k0, final long k1)
    {
        int slot = hash(k0, k1, 0, 0, 0) & mask;
        int value;
        while ((value = values[slot]) != MISSING)
        {
            final int base = slot << 1;
            if (keys[base] == k0 && keys[base + 1] == k1)
            {
                return value;
            }
            slot = (slot + 1) & mask;
        }
        return MISSING;
    }

    /** Lookup for a three-long key. */
    int get3(final long k0, final long k1, final long k2)
    {
        int slot = hash(k0, k1, k2, 0, 0) & mask;
        int value;
        while ((value = values[slot]) != MISSING)
        {
            final int base = slot * 3;
            if (keys[base] == k0 && keys[base + 1] == k1 && keys[base + 2] == k2)
            {
                return value;
            }
            slot = (slot + 1) & mask;
        }
        return MISSING;
    }

    /** Lookup for a five-long key. */
    int get5(final long k0, final long k1, final long k2, final long k3, final long k4)
    {
        int slot = hash(k0, k1, k2, k3, k4) & mask;
        int value;
        while ((value = values[slot]) != MISSING)
        {
            final int base = slot * 5;
            if (keys[base] == k0 && keys[base + 1] == k1 && keys[base + 2] == k2 && keys[base + 3] == k3 &&
                keys[base + 4] == k4)
            {
                return value;
            }
            slot = (slot + 1) & mask;
        }
        return MISSING;
    }
}
