package io.vfplane.tsorsc.meta;

import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.dataplane.parse.DropReason;
import io.vfplane.tsorsc.ModuleCounters;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * The receive side of {@link MetadataField}: rebuilds each segment's metadata before coalescing, in two passes over
 * a batch.
 * <ol>
 *   <li>{@link #collect}: every segment whose hash is not known offers its shard; once k distinct shards of a hash
 *       are in, the metadata is decoded, checked against the hash, and cached (hash to metadata).</li>
 *   <li>{@link #resolve}: each segment is given the cached metadata its hash names, and its field is rewritten
 *       into the canonical form (hash, {@link MetadataField#RESOLVED}, zeros) so segments of one flow compare equal
 *       for the coalescer. A hash that names nothing known resolves to -1: the caller drops the segment and counts
 *       it, it is never delivered to a wrong VF.</li>
 *   <li>{@link #endBatch}: forgets the shards of the batch.</li>
 * </ol>
 * Two different metadata values with the same 32-bit hash would make the cache ambiguous: the second one seen
 * marks the hash ambiguous, and from then on that hash resolves only for segments whose own batch rebuilt it from
 * shards (a segment is never given a guess).
 * <p>
 * Fixed capacity, open addressing, no allocation per segment. Not thread safe (one per pipeline shard).
 */
public final class MetadataResolver
{
    private static final byte EMPTY = 0;
    private static final byte VALID = 1;
    private static final byte AMBIGUOUS = 2;

    private final MetadataField field;
    private final ReedSolomon codec = new ReedSolomon();
    private final int cacheMask;
    private final int[] cacheHash;
    private final byte[] cacheState;
    private final byte[][] cacheValue;

    private final int pendingCapacity;
    private final int[] pendingHash;
    private final int[] pendingCount;
    private final int[][] pendingIndex;
    private final byte[][] pendingShards;
    private final byte[][] pendingDecoded;
    private final boolean[] pendingDone;
    private final boolean[] pendingOk;
    private int pendingUsed;

    private final byte[] decoded;

    private long rebuilt;
    private long unknownHash;
    private long hashMismatch;
    private long collisions;
    private ModuleCounters published;

    /**
     * @param field         the field layout.
     * @param cacheCapacity metadata values cached, a power of two.
     * @param pendingHashes distinct unknown hashes tracked per batch.
     */
    public MetadataResolver(final MetadataField field, final int cacheCapacity, final int pendingHashes)
    {
        if (Integer.bitCount(cacheCapacity) != 1)
        {
            throw new IllegalArgumentException("cacheCapacity must be a power of two: " + cacheCapacity);
        }
        this.field = field;
        this.cacheMask = cacheCapacity - 1;
        this.cacheHash = new int[cacheCapacity];
        this.cacheState = new byte[cacheCapacity];
        this.cacheValue = new byte[cacheCapacity][field.metadataLength()];
        this.pendingCapacity = pendingHashes;
        this.pendingHash = new int[pendingHashes];
        this.pendingCount = new int[pendingHashes];
        this.pendingIndex = new int[pendingHashes][field.k()];
        this.pendingShards = new byte[pendingHashes][field.k() * field.shardSize()];
        this.pendingDecoded = new byte[pendingHashes][field.k() * field.shardSize()];
        this.pendingDone = new boolean[pendingHashes];
        this.pendingOk = new boolean[pendingHashes];
        this.decoded = new byte[field.k() * field.shardSize()];
    }

    /**
     * Pass 1: offers a segment's shard.
     *
     * @param buffer      holding the segment.
     * @param fieldOffset where its metadata field is.
     */
    public void collect(final DirectBuffer buffer, final int fieldOffset)
    {
        final int hash = buffer.getInt(fieldOffset + MetadataField.HASH_OFFSET, BIG_ENDIAN);
        final int index = buffer.getByte(fieldOffset + MetadataField.INDEX_OFFSET) & 0xFF;
        if (index == MetadataField.RESOLVED || find(hash) >= 0)
        {
            return;
        }
        final int p = pending(hash);
        if (p < 0 || pendingDone[p])
        {
            return;
        }
        final int[] indices = pendingIndex[p];
        for (int i = 0; i < pendingCount[p]; i++)
        {
            if (indices[i] == index)
            {
                return;
            }
        }
        final int shardSize = field.shardSize();
        buffer.getBytes(fieldOffset + MetadataField.SHARD_OFFSET, pendingShards[p], pendingCount[p] * shardSize,
            shardSize);
        indices[pendingCount[p]++] = index;
        if (pendingCount[p] == field.k())
        {
            codec.decode(field.k(), shardSize, indices, pendingShards[p], decoded);
            if (MetadataField.hash(decoded, 0, field.metadataLength()) != hash)
            {
                // shards of two values under one hash, or corruption: rebuild nothing from them
                hashMismatch++;
                pendingDone[p] = true;
                return;
            }
            System.arraycopy(decoded, 0, pendingDecoded[p], 0, decoded.length);
            pendingDone[p] = true;
            pendingOk[p] = true;
            rebuilt++;
            insert(hash, decoded);
        }
    }

    /**
     * Pass 2: finds a segment's metadata and rewrites its field into the canonical form.
     *
     * @param buffer      holding the segment.
     * @param fieldOffset where its metadata field is.
     * @param out         receives the metadata ({@code field.metadataLength()} bytes at 0) when found.
     * @return true if found; false: drop the segment and count it (also counted here as unknown).
     */
    public boolean resolve(final MutableDirectBuffer buffer, final int fieldOffset, final byte[] out)
    {
        final int hash = buffer.getInt(fieldOffset + MetadataField.HASH_OFFSET, BIG_ENDIAN);
        final int p = findPending(hash);
        final byte[] value;
        if (p >= 0 && pendingOk[p])
        {
            value = pendingDecoded[p];
        }
        else
        {
            final int c = find(hash);
            if (c < 0)
            {
                unknownHash++;
                return false;
            }
            value = cacheValue[c];
        }
        System.arraycopy(value, 0, out, 0, field.metadataLength());
        buffer.putByte(fieldOffset + MetadataField.INDEX_OFFSET, (byte)MetadataField.RESOLVED);
        buffer.setMemory(fieldOffset + MetadataField.SHARD_OFFSET, field.shardSize(), (byte)0);
        return true;
    }

    /**
     * Pass 2 for a packet: as {@link #resolve(MutableDirectBuffer, int, byte[])}, and a segment whose hash names
     * nothing known is marked dropped with {@link DropReason#UNKNOWN_METADATA_HASH} (the caller releases it).
     *
     * @param packet      the segment's descriptor.
     * @param buffer      holding the segment.
     * @param fieldOffset where its metadata field is.
     * @param out         receives the metadata when found.
     * @return true if found; false: the packet is marked dropped.
     */
    public boolean resolve(
        final PacketDescriptor packet, final MutableDirectBuffer buffer, final int fieldOffset, final byte[] out)
    {
        if (resolve(buffer, fieldOffset, out))
        {
            return true;
        }
        packet.drop(DropReason.UNKNOWN_METADATA_HASH);
        return false;
    }

    /**
     * Registers the counters {@code tsorsc.<name>.metadata.rebuilt / drop.unknown_metadata_hash / hash_mismatch /
     * collisions}, published at each {@link #endBatch()}. Setup time only.
     *
     * @param counters where.
     * @param name     names this resolver in the labels (no dots).
     * @return this.
     */
    public MetadataResolver counters(final Counters counters, final String name)
    {
        published = new ModuleCounters(counters, ModuleCounters.prefix(name, "metadata"),
            "rebuilt", "drop." + DropReason.UNKNOWN_METADATA_HASH.label(), "hash_mismatch", "collisions");
        return this;
    }

    /**
     * Forgets the shards collected in this batch (the cache stays), and publishes the counters.
     */
    public void endBatch()
    {
        if (published != null)
        {
            published.publish(0, rebuilt);
            published.publish(1, unknownHash);
            published.publish(2, hashMismatch);
            published.publish(3, collisions);
        }
        for (int i = 0; i < pendingUsed; i++)
        {
            pendingCount[i] = 0;
            pendingDone[i] = false;
            pendingOk[i] = false;
        }
        pendingUsed = 0;
    }

    /**
     * Seeds the cache, e.g. from a frame that carried the full metadata.
     *
     * @param metadata the value.
     */
    public void learn(final byte[] metadata)
    {
        insert(MetadataField.hash(metadata, 0, field.metadataLength()), metadata);
    }

    /**
     * @return segments whose hash named nothing known (the caller dropped them).
     */
    public long unknownHash()
    {
        return unknownHash;
    }

    public long rebuilt()
    {
        return rebuilt;
    }

    public long hashMismatch()
    {
        return hashMismatch;
    }

    public long collisions()
    {
        return collisions;
    }

    private int find(final int hash)
    {
        int i = mix(hash) & cacheMask;
        for (int probes = 0; probes <= cacheMask; probes++)
        {
            final byte state = cacheState[i];
            if (state == EMPTY)
            {
                return -1;
            }
            if (cacheHash[i] == hash)
            {
                return state == VALID ? i : -1;
            }
            i = (i + 1) & cacheMask;
        }
        return -1;
    }

    private void insert(final int hash, final byte[] value)
    {
        int i = mix(hash) & cacheMask;
        for (int probes = 0; probes <= cacheMask; probes++)
        {
            if (cacheState[i] == EMPTY)
            {
                cacheState[i] = VALID;
                cacheHash[i] = hash;
                System.arraycopy(value, 0, cacheValue[i], 0, field.metadataLength());
                return;
            }
            if (cacheHash[i] == hash)
            {
                if (cacheState[i] == VALID && !java.util.Arrays.equals(cacheValue[i], 0, field.metadataLength(),
                    value, 0, field.metadataLength()))
                {
                    cacheState[i] = AMBIGUOUS;
                    collisions++;
                }
                return;
            }
            i = (i + 1) & cacheMask;
        }
        // full: replace the home slot (a cache, not a store: a value evicted is rebuilt from shards again)
        final int home = mix(hash) & cacheMask;
        cacheState[home] = VALID;
        cacheHash[home] = hash;
        System.arraycopy(value, 0, cacheValue[home], 0, field.metadataLength());
    }

    private int pending(final int hash)
    {
        final int p = findPending(hash);
        if (p >= 0)
        {
            return p;
        }
        if (pendingUsed == pendingCapacity)
        {
            return -1;
        }
        pendingHash[pendingUsed] = hash;
        pendingCount[pendingUsed] = 0;
        pendingDone[pendingUsed] = false;
        pendingOk[pendingUsed] = false;
        return pendingUsed++;
    }

    private int findPending(final int hash)
    {
        for (int i = 0; i < pendingUsed; i++)
        {
            if (pendingHash[i] == hash)
            {
                return i;
            }
        }
        return -1;
    }

    private static int mix(final int hash)
    {
        final int h = hash * 0x9E3779B1;
        return h ^ (h >>> 16);
    }
}
