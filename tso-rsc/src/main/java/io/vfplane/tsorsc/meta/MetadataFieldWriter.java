package io.vfplane.tsorsc.meta;

import io.vfplane.tsorsc.OpaqueFieldWriter;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * Writes a {@link MetadataField} on each segment of a frame: set the frame's metadata with {@link #begin}, then hand
 * this to the {@link io.vfplane.tsorsc.gso.Segmenter} as its opaque field writer. No allocation per frame.
 */
public final class MetadataFieldWriter implements OpaqueFieldWriter
{
    private final MetadataField field;
    private final byte[] data;
    private final byte[] shard;
    private int hash;

    public MetadataFieldWriter(final MetadataField field)
    {
        this.field = field;
        this.data = new byte[field.k() * field.shardSize()];
        this.shard = new byte[field.shardSize()];
    }

    /**
     * @param metadata the frame's full metadata, {@code field.metadataLength()} bytes at offset.
     * @param offset   where.
     */
    public void begin(final byte[] metadata, final int offset)
    {
        System.arraycopy(metadata, offset, data, 0, field.metadataLength());
        for (int i = field.metadataLength(); i < data.length; i++)
        {
            data[i] = 0;
        }
        hash = MetadataField.hash(metadata, offset, field.metadataLength());
    }

    public int hash()
    {
        return hash;
    }

    @Override
    public void write(
        final MutableDirectBuffer buffer,
        final int fieldOffset,
        final int fieldLength,
        final int segmentIndex,
        final int segmentCount)
    {
        final int index = segmentIndex % ReedSolomon.MAX_N;
        ReedSolomon.encodeShard(data, field.k(), field.shardSize(), index, shard, 0);
        buffer.putInt(fieldOffset + MetadataField.HASH_OFFSET, hash, BIG_ENDIAN);
        buffer.putByte(fieldOffset + MetadataField.INDEX_OFFSET, (byte)index);
        buffer.putBytes(fieldOffset + MetadataField.SHARD_OFFSET, shard);
    }
}
