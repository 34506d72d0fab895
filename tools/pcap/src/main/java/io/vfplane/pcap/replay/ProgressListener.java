package io.vfplane.pcap.replay;

/**
 * Told how a replay is going, from the sending thread, at most every {@link Replayer#PROGRESS_INTERVAL_NANOS}
 * (checked once per batch, so never per packet). Must return quickly.
 */
@FunctionalInterface
public interface ProgressListener
{
    /** Listens to nothing. */
    ProgressListener NONE = (packets, bytes, expected, elapsed) ->
    {
    };

    /**
     * @param packetsSent     packets sent successfully so far.
     * @param bytesSent       their bytes.
     * @param expectedPackets packets the whole replay will try to send, or -1 while unknown (a streamed capture
     *                        before its first loop ends).
     * @param elapsedNanos    time since the first packet was sent.
     */
    void progress(long packetsSent, long bytesSent, long expectedPackets, long elapsedNanos);
}
