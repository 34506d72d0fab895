package io.vfplane.vf.port.packet;

import io.vfplane.vf.port.sys.LibC;

/**
 * Sends whole Ethernet frames out of the process: an AF_PACKET socket on an interface ({@link PacketSocket}) or the
 * file descriptor of a TAP device ({@link TapWriter}). One thread at a time.
 */
public interface FrameTransmitter extends AutoCloseable
{
    /**
     * Send every frame of the batch, in order. Afterwards {@link TxBatch#result(int)} holds, for each frame, the bytes
     * the kernel took or {@code -errno}. Transient refusals ({@code ENOBUFS}, {@code EAGAIN}, {@code EINTR}) are
     * retried (and counted) a bounded number of times before the frame counts as failed; other errors fail only the
     * frame they belong to. No allocation, no exception for a refused frame.
     *
     * @param batch frames to send.
     */
    void transmit(TxBatch batch);

    /** @return sends retried after {@code ENOBUFS} since this transmitter was opened. */
    long retriedNoBuffers();

    /** @return sends retried after {@code EAGAIN} or {@code EINTR} since this transmitter was opened. */
    long retriedAgain();

    /** @return what the frames go into, for people: {@code interface veth0} or {@code tap tap0}. */
    String describe();

    @Override
    void close();

    /**
     * @param errno a positive error number from a {@link TxBatch#result(int)} (negated).
     * @return the C library's text for it.
     */
    static String errorText(final int errno)
    {
        return LibC.strerror(errno);
    }
}
