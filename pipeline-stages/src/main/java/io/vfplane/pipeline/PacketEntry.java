package io.vfplane.pipeline;

import io.vfplane.dataplane.packet.PacketDescriptor;

/**
 * One ring entry: the packet's descriptor and room for the copies a fan-out stage makes of it. Allocated once with
 * the ring and reused. The copies travel with their original to the tx stage, so a flood or replication keeps the
 * order of the flow on every output and every output is written by one thread only.
 */
public final class PacketEntry
{
    final PacketDescriptor packet = new PacketDescriptor();
    final PacketDescriptor[] clones;
    int cloneCount;

    PacketEntry(final int maxClones)
    {
        clones = new PacketDescriptor[maxClones];
        for (int i = 0; i < maxClones; i++)
        {
            clones[i] = new PacketDescriptor();
        }
    }

    /**
     * @return the packet.
     */
    public PacketDescriptor packet()
    {
        return packet;
    }

    /**
     * @return how many copies a fan-out stage attached.
     */
    public int cloneCount()
    {
        return cloneCount;
    }

    /**
     * @return copy {@code i}, {@code 0 <= i < cloneCount()}.
     */
    public PacketDescriptor clone(final int i)
    {
        return clones[i];
    }
}
