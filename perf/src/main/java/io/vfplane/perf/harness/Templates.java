package io.vfplane.perf.harness;

import java.nio.ByteBuffer;

import org.agrona.concurrent.UnsafeBuffer;

import io.vfplane.dataplane.packet.Offload;

/**
 * The frames a generator sends, built once before the run: one template per entry, copied into a pool slot for each
 * packet, with the descriptor fields the source port would set (source VF, flow hash, GSO request). The generator
 * cycles through the entries in order, so the order of the entries is the order on the wire.
 *
 * <pre>
 *  bytes: | entry 0 ....| entry 1 ....| ... |   each entry at i * stride (64-byte aligned), length(i) bytes used
 * </pre>
 */
final class Templates
{
    /** The most template memory a run may take (1 GiB): flows x frame size beyond it is refused. */
    static final long MAX_BYTES = 1L << 30;

    private final UnsafeBuffer bytes;
    private final int stride;
    private final int count;
    private final int[] lengths;
    private final int[] vfs;
    private final int[] flowHashes;
    private int gsoType = Offload.GSO_NONE;
    private int gsoSize;
    private int maxLength;

    /**
     * @param count     entries.
     * @param maxLength the longest entry.
     */
    Templates(final int count, final int maxLength)
    {
        if (count < 1)
        {
            throw new IllegalArgumentException("need at least one template");
        }
        this.stride = (maxLength + 63) & ~63;
        if ((long)count * stride > MAX_BYTES)
        {
            throw new IllegalArgumentException(count + " templates of " + maxLength + " bytes take more than " +
                (MAX_BYTES >> 20) + " MiB: use fewer --flows");
        }
        this.count = count;
        this.bytes = new UnsafeBuffer(ByteBuffer.allocateDirect(count * stride));
        this.lengths = new int[count];
        this.vfs = new int[count];
        this.flowHashes = new int[count];
    }

    UnsafeBuffer bytes()
    {
        return bytes;
    }

    int count()
    {
        return count;
    }

    /** Where entry {@code i} starts in {@link #bytes()}. */
    int offset(final int i)
    {
        return i * stride;
    }

    int length(final int i)
    {
        return lengths[i];
    }

    int vf(final int i)
    {
        return vfs[i];
    }

    int flowHash(final int i)
    {
        return flowHashes[i];
    }

    int maxLength()
    {
        return maxLength;
    }

    /** Records entry {@code i}, whose bytes the caller wrote at {@link #offset(int)}. */
    void set(final int i, final int length, final int vf, final int flowHash)
    {
        if (length > stride)
        {
            throw new IllegalArgumentException("template " + i + ": " + length + " bytes exceed " + stride);
        }
        lengths[i] = length;
        vfs[i] = vf;
        flowHashes[i] = flowHash;
        maxLength = Math.max(maxLength, length);
    }

    /** Every entry asks for segmentation: gso type and size as a guest's virtio_net_hdr would. */
    Templates gso(final int type, final int size)
    {
        this.gsoType = type;
        this.gsoSize = size;
        return this;
    }

    int gsoType()
    {
        return gsoType;
    }

    int gsoSize()
    {
        return gsoSize;
    }

    /** Sum of the entries' lengths, for the mean frame size. */
    long totalLength()
    {
        long total = 0;
        for (final int length : lengths)
        {
            total += length;
        }
        return total;
    }
}
