package io.vfplane.vf.port;

import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.pipeline.Pipeline;

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

    /**
     * The port has handed on everything one receive call gave it. A sink that gathers packets into batches (an
     * inline pipeline, which runs its stages on this thread) processes them now. By default nothing happens.
     */
    default void endOfBurst()
    {
    }

    /**
     * A sink that offers each packet to {@code pipeline} and flushes it at the end of each burst: with an inline
     * placement the port's receive thread runs the pipeline's stages.
     */
    static PacketSink of(final Pipeline pipeline)
    {
        return new PacketSink()
        {
            @Override
            public boolean accept(final PacketDescriptor packet)
            {
                return pipeline.offer(packet);
            }

            @Override
            public void endOfBurst()
            {
                pipeline.flush();
            }
        };
    }
}
