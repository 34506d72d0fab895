package io.vfplane.encap.rules;

/**
 * An open-addressing hash map from a fixed-width key of {@code keyLongs} longs to a non-negative int, built once off
 * the data path and then only read. Linear probing over a power-of-two table kept at most half full, so a miss ends
 * after a short run. Lookups neither allocate nor box: the key is passed as longs.
 *
 * <p>Each slot is one record in a single {@code long[]}: the key longs, then the value, padded to a power-of-two
 * stride (1 key long: 16 bytes, 2 or 3: 32, 5: 64). A lookup in a table far larger than the caches (an ingress table
 * of a million rules) then costs one cache miss, where separate key and value arrays cost two. The records start
 * {@link #ORIGIN} longs into the array: G1 places an array that large at a region boundary, so after the 16-byte
 * array header slot 0 begins on a 64-byte line and no record straddles two lines.
 *
 * <p>A two-long key's home (its first probe) is always the first record of a line: its hash picks one of the table's
 * lines, not one of its records, so the two records of a line are a bucket and a probe leaves the line only when that
 * bucket is full (linear probing carries on record by record from there). At a load of about one half, one key in
 * nine is then found past its home line; with homes on any record a lookup from a line's second record needs the
 * next line whenever its key is not at home (about one key in three), so a batch had to fetch one and a half lines
 * per lookup to stay clear of a second miss, against one and a tenth now.
 *
 * <p>The hash of each width mixes only the key longs it has (two multiplies for one or two longs), since the hash
 * is on the critical path of every lookup.
 *
 * <p>Not thread safe for writes; once built and published (through a final field of an immutable object that is
 * handed over by a volatile write) any number of threads may read it.
 */
final class WideKeyMap
{
    static final int MISSING = -1;

    /** 6 longs after the 16-byte array header: 64 bytes, a cache line boundary when the array is line aligned. */
    private static final int ORIGIN = 6;
    private static final long M1 = 0x9E3779B97F4A7C15L;
    private static final long M2 = 0xBF58476D1CE4E5B9L;
    private static final long M3 = 0x94D049BB133111EBL;

    private final int keyLongs;
    /** log2 of the record stride in longs. */
    private final int shift;
    private long[] table;
    private int capacity;
    private int mask;
    /** mask, with the low bit clear for two-long keys: their home is the first record of a line (see above). */
    private int homeMask;
    private int size;

    WideKeyMap(final int keyLongs, final int expected)
    {
        if (keyLongs != 1 && keyLongs != 2 && keyLongs != 3 && keyLongs != 5)
        {
            throw new IllegalArgumentException("keys of 1, 2, 3 or 5 longs");
        }
        this.keyLongs = keyLongs;
        this.shift = keyLongs == 1 ? 1 : keyLongs <= 3 ? 2 : 3;
        int c = 16;
        while (c < expected * 2L)
        {
            c <<= 1;
        }
        allocate(c);
    }

    private void allocate(final int newCapacity)
    {
        table = new long[ORIGIN + (newCapacity << shift)];
        for (int slot = 0; slot < newCapacity; slot++)
        {
            table[valueIndex(slot)] = MISSING;
        }
        capacity = newCapacity;
        mask = newCapacity - 1;
        homeMask = keyLongs == 2 ? mask & ~1 : mask;
        size = 0;
    }

    private int base(final int slot)
    {
        return ORIGIN + (slot << shift);
    }

    private int valueIndex(final int slot)
    {
        return ORIGIN + (slot << shift) + keyLongs;
    }

    static int hash1(final long k0)
    {
        final long h = (k0 ^ (k0 >>> 32)) * M1;
        return (int)((h ^ (h >>> 29)) * M2 >>> 32);
    }

    static int hash2(final long k0, final long k1)
    {
        // k0 * M1 and k1 * M2 are independent multiplies: two on the dependency chain, not one per key long
        final long h = k0 * M1 ^ k1 * M2;
        return (int)((h ^ (h >>> 29)) * M3 >>> 32);
    }

    static int hash3(final long k0, final long k1, final long k2)
    {
        final long h = k0 * M1 ^ k1 * M2 ^ (k2 ^ (k2 >>> 31)) * M3;
        return (int)((h ^ (h >>> 29)) * M1 >>> 32);
    }

    static int hash5(final long k0, final long k1, final long k2, final long k3, final long k4)
    {
        final long h = k0 * M1 ^ k1 * M2 ^ k2 * M3 ^ (k3 ^ (k3 >>> 29)) * M1 ^ (k4 ^ (k4 >>> 31)) * M2;
        return (int)((h ^ (h >>> 29)) * M3 >>> 32);
    }

    private int hashOf(final long[] key)
    {
        return switch (keyLongs)
        {
            case 1 -> hash1(key[0]);
            case 2 -> hash2(key[0], key[1]);
            case 3 -> hash3(key[0], key[1], key[2]);
            default -> hash5(key[0], key[1], key[2], key[3], key[4]);
        };
    }

    int size()
    {
        return size;
    }

    /**
     * Adds a key if absent.
     *
     * @return {@link #MISSING} when added, otherwise the value already there (nothing changes then).
     */
    int putIfAbsent(final long[] key, final int value)
    {
        return (int)putLongIfAbsent(key, value);
    }

    /**
     * Adds a key with a long value (non-negative: a packed entry) if absent.
     *
     * @return {@link #MISSING} when added, otherwise the value already there (nothing changes then).
     */
    long putLongIfAbsent(final long[] key, final long value)
    {
        if (value < 0)
        {
            throw new IllegalArgumentException("values must be >= 0");
        }
        if ((size + 1) * 2L > capacity)
        {
            rehash();
        }
        int slot = hashOf(key) & homeMask;
        while (table[valueIndex(slot)] != MISSING)
        {
            if (matches(slot, key))
            {
                return table[valueIndex(slot)];
            }
            slot = (slot + 1) & mask;
        }
        System.arraycopy(key, 0, table, base(slot), keyLongs);
        table[valueIndex(slot)] = value;
        size++;
        return MISSING;
    }

    private boolean matches(final int slot, final long[] key)
    {
        final int base = base(slot);
        for (int i = 0; i < keyLongs; i++)
        {
            if (table[base + i] != key[i])
            {
                return false;
            }
        }
        return true;
    }

    private void rehash()
    {
        final long[] old = table;
        final int oldCapacity = capacity;
        allocate(oldCapacity * 2);
        final long[] key = new long[keyLongs];
        for (int slot = 0; slot < oldCapacity; slot++)
        {
            final int base = ORIGIN + (slot << shift);
            if (old[base + keyLongs] != MISSING)
            {
                System.arraycopy(old, base, key, 0, keyLongs);
                putLongIfAbsent(key, old[base + keyLongs]);
            }
        }
    }

    /** Lookup for a one-long key. */
    int get1(final long k0)
    {
        final long[] t = table;
        int slot = hash1(k0) & mask;
        while (true)
        {
            final int base = ORIGIN + (slot << 1);
            final long value = t[base + 1];
            if (value == MISSING)
            {
                return MISSING;
            }
            if (t[base] == k0)
            {
                return (int)value;
            }
            slot = (slot + 1) & mask;
        }
    }

    /** Lookup for a two-long key. */
    int get2(final long k0, final long k1)
    {
        return (int)get2Long(k0, k1);
    }

    /**
     * The record of a two-long key, or {@link #MISSING}: for {@link #valueAt} and the record's spare long
     * ({@link #spareAt}, {@link #incrementSpare}), which shares its cache line.
     */
    int find2(final long k0, final long k1)
    {
        return find2From(firstRecord2(k0, k1), k0, k1);
    }

    /**
     * {@link #find2} starting at the key's first record, {@link #firstRecord2} computed earlier: a batch computes it
     * once for its touch and passes it on, so the lookup does not hash again. Probes on record by record, wrapping
     * at the end of the table.
     */
    int find2From(final int firstRecord, final long k0, final long k1)
    {
        final long[] t = table;
        final int end = t.length;
        int base = firstRecord;
        while (true)
        {
            if (t[base + 2] == MISSING)
            {
                return MISSING;
            }
            if (t[base] == k0 && t[base + 1] == k1)
            {
                return base;
            }
            base += 4;
            if (base == end)
            {
                base = ORIGIN;
            }
        }
    }

    /**
     * The record a lookup of a two-long key starts at (its first probe), without reading the table: for a batch that
     * first computes every packet's record and then {@link #touch touches} them all before resolving any.
     */
    int firstRecord2(final long k0, final long k1)
    {
        return ORIGIN + ((hash2(k0, k1) & homeMask) << 2);
    }

    /**
     * A plain read of the line a lookup of a two-long key starting at {@code record} ({@link #firstRecord2}, or the
     * record {@link #advance2} continues at: both begin a line) needs. The caller folds the result into a value it
     * keeps, so the read is not removed: its only purpose is to start the cache miss early (Java has no prefetch
     * instruction), so that a tight loop of touches keeps many misses in flight at once where one lookup after
     * another waits for each in turn. It reads the record's first long only: the table is line aligned (see
     * {@link #ORIGIN}), so that brings in the whole line, both records. A second read of the line's last long (which
     * would also fetch the next line were the table not aligned) measured about 3 ns a packet slower in a batch of
     * 256 over a million rules: the fewer instructions a touch takes, the more touches the core holds in flight.
     * Were a garbage collector to place the table off a line boundary, lookups would still be right, only slower.
     */
    long touch(final int record)
    {
        return table[record];
    }

    /**
     * Advances a lookup of a two-long key that starts at {@code record} ({@link #firstRecord2}) over the two records
     * of the line that {@link #touch}{@code (record)} brought in: the record where {@link #find2From} gives the same
     * answer as from {@code record}. That is the key's record or the empty record that ends its run when either is on
     * the touched line (nothing more to fetch); otherwise the first record of the next line, which no one has asked
     * for yet, returned as its complement ({@code ~record}, negative): the caller {@link #touch touches} it at once,
     * so the one lookup in nine or so that runs past its home line misses alongside the others of its batch instead
     * of alone in the pass that uses the result.
     */
    int advance2(final int record, final long k0, final long k1)
    {
        final long[] t = table;
        final int end = t.length;
        int base = record;
        for (int left = 2; left > 0; left--)
        {
            if (t[base + 2] == MISSING || (t[base] == k0 && t[base + 1] == k1))
            {
                return base;
            }
            base += 4;
            if (base == end)
            {
                base = ORIGIN;
            }
        }
        return ~base;
    }

    /** Whether {@code record} holds this two-long key (an empty record holds none, whatever its key longs say). */
    boolean holds2(final int record, final long k0, final long k1)
    {
        final long[] t = table;
        return t[record] == k0 && t[record + 1] == k1 && t[record + 2] != MISSING;
    }

    /** The value of a record {@link #find2} returned. */
    long valueAt(final int record)
    {
        return table[record + keyLongs];
    }

    /**
     * Adds one to the spare long of a record (two-long keys only: their 32-byte record has one long to spare). A
     * plain increment, not atomic: the map's one writer on the data path owns it.
     */
    void incrementSpare(final int record)
    {
        table[record + 3]++;
    }

    /** The spare long of a record (two-long keys only). */
    long spareAt(final int record)
    {
        return table[record + 3];
    }

    /** Lookup for a two-long key of a map with long values; {@link #MISSING} when absent. */
    long get2Long(final long k0, final long k1)
    {
        final long[] t = table;
        int slot = hash2(k0, k1) & homeMask;
        while (true)
        {
            final int base = ORIGIN + (slot << 2);
            final long value = t[base + 2];
            if (value == MISSING)
            {
                return MISSING;
            }
            if (t[base] == k0 && t[base + 1] == k1)
            {
                return value;
            }
            slot = (slot + 1) & mask;
        }
    }

    /** Lookup for a three-long key. */
    int get3(final long k0, final long k1, final long k2)
    {
        final long[] t = table;
        int slot = hash3(k0, k1, k2) & mask;
        while (true)
        {
            final int base = ORIGIN + (slot << 2);
            final long value = t[base + 3];
            if (value == MISSING)
            {
                return MISSING;
            }
            if (t[base] == k0 && t[base + 1] == k1 && t[base + 2] == k2)
            {
                return (int)value;
            }
            slot = (slot + 1) & mask;
        }
    }

    /** Lookup for a five-long key. */
    int get5(final long k0, final long k1, final long k2, final long k3, final long k4)
    {
        final long[] t = table;
        int slot = hash5(k0, k1, k2, k3, k4) & mask;
        while (true)
        {
            final int base = ORIGIN + (slot << 3);
            final long value = t[base + 5];
            if (value == MISSING)
            {
                return MISSING;
            }
            if (t[base] == k0 && t[base + 1] == k1 && t[base + 2] == k2 && t[base + 3] == k3 && t[base + 4] == k4)
            {
                return (int)value;
            }
            slot = (slot + 1) & mask;
        }
    }
}
