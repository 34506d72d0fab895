package io.vfplane.vf.port;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.pipeline.Output;

/**
 * Plugs a port's send side into a pipeline's tx stage ({@code Pipeline.Builder.tx(...)}). Kept apart from
 * {@link PacketPort} so the SPI does not depend on the pipeline engine.
 */
public final class PortOutput implements Output
{
    private final PacketPort port;

    public PortOutput(final PacketPort port)
    {
        this.port = port;
    }

    @Override
    public boolean offer(final PacketDescriptor packet, final PacketPool pool)
    {
        return port.send(packet, pool);
    }

    @Override
    public void flush()
    {
        port.flush();
    }

    public PacketPort port()
    {
        return port;
    }
}
