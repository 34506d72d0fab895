package io.vfplane.vf.port.packet;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A batch of frames to send with one {@code sendmmsg(2)}: a native array of {@code struct mmsghdr}, each with one
 * {@code struct iovec} pointing at a frame's bytes, allocated once and refilled for every batch. Frames are given by
 * native address and length, so nothing is copied and nothing is allocated per frame. After
 * {@link FrameTransmitter#transmit(TxBatch)}, {@link #result(int)} tells what happened to each frame.
 *
 * <pre>
 *  struct mmsghdr (64 bytes, x86-64)                 struct iovec (16 bytes)
 *  +0  msg_name       (NULL: the socket is bound)     +0 iov_base  frame address
 *  +8  msg_namelen    (0)                             +8 iov_len   frame length
 *  +16 msg_iov        -> iovec[i]
 *  +24 msg_iovlen     (1)
 *  +32 msg_control    (NULL)
 *  +40 msg_controllen (0)
 *  +48 msg_flags
 *  +56 msg_len        bytes sent, written by the kernel
 * </pre>
 *
 * Used by one thread at a time.
 */
public final class TxBatch implements AutoCloseable
{
    static final int MMSGHDR_SIZE = 64;
    static final int MSG_IOV_OFFSET = 16;
    static final int MSG_IOVLEN_OFFSET = 24;
    static final int MSG_LEN_OFFSET = 56;
    static final int IOVEC_SIZE = 16;
    static final int IOV_BASE_OFFSET = 0;
    static final int IOV_LEN_OFFSET = 8;

    private final Arena arena = Arena.ofShared();
    private final int capacity;
    private final MemorySegment messages;
    private final MemorySegment iovecs;
    private final long messagesAddress;
    private final int[] results;
    private final long[] addresses;
    private final int[] lengths;
    private int count;

    /**
     * @param capacity most frames in one batch (the kernel caps one {@code sendmmsg} at 1024, UIO_MAXIOV).
     */
    public TxBatch(final int capacity)
    {
        if (capacity < 1 || capacity > 1024)
        {
            throw new IllegalArgumentException("batch capacity 1..1024: " + capacity);
        }
        this.capacity = capacity;
        messages = arena.allocate((long)MMSGHDR_SIZE * capacity, 64);
        iovecs = arena.allocate((long)IOVEC_SIZE * capacity, 64);
        messagesAddress = messages.address();
        results = new int[capacity];
        addresses = new long[capacity];
        lengths = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            final long m = (long)i * MMSGHDR_SIZE;
            messages.set(ValueLayout.JAVA_LONG, m + MSG_IOV_OFFSET, iovecs.address() + (long)i * IOVEC_SIZE);
            messages.set(ValueLayout.JAVA_LONG, m + MSG_IOVLEN_OFFSET, 1L);
        }
    }

    /** @return most frames in one batch. */
    public int capacity()
    {
        return capacity;
    }

    /** @return frames added since the last {@link #clear()}. */
    public int count()
    {
        return count;
    }

    /** @return whether no more frames fit. */
    public boolean isFull()
    {
        return count == capacity;
    }

    /** Empty the batch for refilling. */
    public void clear()
    {
        count = 0;
    }

    /**
     * Add a frame.
     *
     * @param address native address of the frame's first byte; must stay valid until the batch is sent.
     * @param length  frame length in bytes.
     * @return the frame's index in the batch.
     */
    public int add(final long address, final int length)
    {
        final int i = count;
        final long v = (long)i * IOVEC_SIZE;
        iovecs.set(ValueLayout.JAVA_LONG, v + IOV_BASE_OFFSET, address);
        iovecs.set(ValueLayout.JAVA_LONG, v + IOV_LEN_OFFSET, length);
        addresses[i] = address;
        lengths[i] = length;
        results[i] = 0;
        count = i + 1;
        return i;
    }

    /** @return native address of frame {@code i}. */
    public long address(final int i)
    {
        return addresses[i];
    }

    /** @return length of frame {@code i}. */
    public int length(final int i)
    {
        return lengths[i];
    }

    /**
     * @return after a transmit: bytes the kernel took for frame {@code i} (less than {@link #length(int)} means
     * truncated), or {@code -errno} if it was refused.
     */
    public int result(final int i)
    {
        return results[i];
    }

    void result(final int i, final int value)
    {
        results[i] = value;
    }

    /** @return bytes sent for frame {@code i} as the kernel wrote them into {@code msg_len}. */
    int messageLength(final int i)
    {
        return messages.get(ValueLayout.JAVA_INT, (long)i * MMSGHDR_SIZE + MSG_LEN_OFFSET);
    }

    /** @return native address of message {@code i}'s {@code struct mmsghdr}. */
    long messageAddress(final int i)
    {
        return messagesAddress + (long)i * MMSGHDR_SIZE;
    }

    @Override
    public void close()
    {
        if (arena.scope().isAlive())
        {
            arena.close();
        }
    }
}
