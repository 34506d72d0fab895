package io.vfplane.tsorsc.gso;

import io.vfplane.dataplane.packet.PacketDescriptor;
import org.agrona.MutableDirectBuffer;

/**
 * Where a {@link Segmenter} writes segments: one claim, then one commit, per segment.
 */
public interface SegmentSink
{
    /**
     * @return the buffer that claimed offsets refer to.
     */
    MutableDirectBuffer buffer();

    /**
     * Reserves room for the next segment.
     *
     * @param length the segment's length.
     * @return absolute offset in {@link #buffer()} to write it at, or -1 if there is no room (the segmenter stops
     * and reports the frame as failed; segments already committed stay committed).
     */
    int claim(int length);

    /**
     * The segment at the last claimed offset is written.
     *
     * @param length  its length.
     * @param segment its offload metadata (checksum partial or not, header length), valid only during the call; the
     *                buffer binding is not set: the sink knows where it put the bytes.
     */
    void commit(int length, PacketDescriptor segment);
}
