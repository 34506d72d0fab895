package io.vfplane.vf.port;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.packet.PacketDescriptor;

/**
 * A port: a source of received packets and a sink for packets to send, over one pool.
 *
 * <h2>Threads</h2>
 * The receive side runs on the port's own thread(s) (one per TAP queue, or the Netty event loop) from
 * {@link #start(PacketSink)} until {@link #close()}: a pipeline fed by more than one receive thread must be built
 * multi-producer. {@link #send} and {@link #flush} are called from one thread at a time (the pipeline's tx thread).
 *
 * <h2>Ownership</h2>
 * A received packet's buffer belongs to the sink once handed over. {@link #send} that returns true owns the buffer
 * and returns it to the pool once the bytes are gone; false leaves it with the caller.
 */
public interface PacketPort extends AutoCloseable
{
    /**
     * @return the port's name in counters and {@code show}.
     */
    String name();

    /**
     * Starts receiving: every packet received from now on goes to {@code sink}.
     */
    void start(PacketSink sink);

    /**
     * Sends one packet (or queues it until {@link #flush()}).
     *
     * @return true when the port took the buffer; false when it refused (full, or a frame it cannot send).
     */
    boolean send(PacketDescriptor packet, PacketPool pool);

    /**
     * Sends what {@link #send} queued; called at the end of a batch.
     */
    void flush();

    /**
     * Stops receiving and releases the port's resources; buffers in flight are returned to the pool.
     */
    @Override
    void close();
}
