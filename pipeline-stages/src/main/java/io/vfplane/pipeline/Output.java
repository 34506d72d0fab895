package io.vfplane.pipeline;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.packet.PacketDescriptor;

/**
 * Where the tx stage hands packets, by {@link PacketDescriptor#outPort()}: a port's transmit queue, a VF's receive
 * ring, a pcap writer. Called from one thread (the pipeline's tx thread).
 */
public interface Output
{
    /**
     * Takes one packet.
     *
     * @param packet the descriptor; valid only during the call: copy what is kept.
     * @param pool   the pool that owns the packet's buffer.
     * @return true when the output took ownership of the buffer (it releases it to {@code pool} once sent or
     * copied); false when it refused (full): the buffer stays with the caller, who releases it and counts the drop.
     */
    boolean offer(PacketDescriptor packet, PacketPool pool);

    /**
     * Called at the end of every batch that offered this output a packet: send what is buffered.
     */
    void flush();
}
