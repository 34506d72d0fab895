package io.vfplane.tsorsc;

import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.tsorsc.gso.SegmentSink;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * A segment sink for tests: writes segments one after another into one buffer and keeps copies with their metadata.
 */
public final class CollectingSink implements SegmentSink
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1 << 20]);
    private int position;
    private int claimed;
    public final List<byte[]> segments = new ArrayList<>();
    public final List<PacketDescriptor> metadata = new ArrayList<>();

    @Override
    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    @Override
    public int claim(final int length)
    {
        if (position + length > buffer.capacity())
        {
            return -1;
        }
        claimed = position;
        position += length;
        return claimed;
    }

    @Override
    public void commit(final int length, final PacketDescriptor segment)
    {
        final byte[] copy = new byte[length];
        buffer.getBytes(claimed, copy);
        segments.add(copy);
        metadata.add(new PacketDescriptor().copyFrom(segment));
    }
}
