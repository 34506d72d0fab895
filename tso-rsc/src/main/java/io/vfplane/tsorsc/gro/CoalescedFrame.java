package io.vfplane.tsorsc.gro;

import io.vfplane.dataplane.packet.PacketDescriptor;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A frame the coalescer hands out: the first segment's buffer holds the (rewritten) headers and the first piece of
 * payload; the other segments' payloads stay where they arrived, as fragments (scatter-gather, like an skb's frags),
 * so merging copies nothing. {@link #copyTo} makes it contiguous for a consumer that needs one buffer; a TAP writer
 * can instead write the fragments with one {@code writev}.
 * <p>
 * Valid only during {@link CoalescedFrameHandler#onFrame}: the coalescer releases the buffers after it returns.
 */
public final class CoalescedFrame
{
    final PacketDescriptor metadata = new PacketDescriptor();
    final int[] fragmentBufferIds;
    final int[] fragmentOffsets;
    final int[] fragmentLengths;
    DirectBuffer buffer;
    int headBufferId;
    int headOffset;
    int headLength;
    int fragmentCount;
    int length;
    int segmentCount;

    CoalescedFrame(final int maxFragments)
    {
        fragmentBufferIds = new int[maxFragments];
        fragmentOffsets = new int[maxFragments];
        fragmentLengths = new int[maxFragments];
    }

    /**
     * @return offload metadata: gso type and size, header length, checksum state (see {@link Coalescer}).
     */
    public PacketDescriptor metadata()
    {
        return metadata;
    }

    /**
     * @return the buffer every offset refers to (the pool's single view).
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return where the headers (then the first segment's payload) start.
     */
    public int headOffset()
    {
        return headOffset;
    }

    /**
     * @return bytes at {@link #headOffset()}: headers plus the first segment's payload.
     */
    public int headLength()
    {
        return headLength;
    }

    /**
     * @return payload fragments after the head.
     */
    public int fragmentCount()
    {
        return fragmentCount;
    }

    /**
     * @return the pool buffer holding the head (its owner decides when it is released, see
     * {@link Coalescer#releaseBuffers(boolean)}).
     */
    public int headBufferId()
    {
        return headBufferId;
    }

    /**
     * @param i fragment index.
     * @return the pool buffer holding fragment i (the whole segment it arrived in).
     */
    public int fragmentBufferId(final int i)
    {
        return fragmentBufferIds[i];
    }

    public int fragmentOffset(final int i)
    {
        return fragmentOffsets[i];
    }

    public int fragmentLength(final int i)
    {
        return fragmentLengths[i];
    }

    /**
     * @return total frame length.
     */
    public int length()
    {
        return length;
    }

    /**
     * @return segments merged into this frame (1: passed through unchanged).
     */
    public int segmentCount()
    {
        return segmentCount;
    }

    /**
     * Copies the whole frame, contiguous, to {@code dst}.
     *
     * @param dst where to.
     * @param at  offset in dst; {@link #length()} bytes are written.
     */
    public void copyTo(final MutableDirectBuffer dst, final int at)
    {
        dst.putBytes(at, buffer, headOffset, headLength);
        int position = at + headLength;
        for (int i = 0; i < fragmentCount; i++)
        {
            dst.putBytes(position, buffer, fragmentOffsets[i], fragmentLengths[i]);
            position += fragmentLengths[i];
        }
    }
}
