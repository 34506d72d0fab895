package io.vfplane.vf.port;

import io.vfplane.dataplane.packet.PacketDescriptor;

/**
 * Where a port's receive side puts packets; {@code Pipeline::offer} fits.
 */
@FunctionalInterface
public interface PacketSink
{
    /**
     * Takes one received packet. Ownership of its buffer passes to the sink whatever the result.
     *
     * @param packet valid only during the call: the sink copies what it keeps.
     * @return true when it was taken; false when refused (the sink has released the buffer and counted it).
     */
    boolean accept(PacketDescriptor packet);
}
