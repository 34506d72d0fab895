package io.vfplane.pcap.replay;

import org.agrona.MutableDirectBuffer;

import io.vfplane.pcap.CaptureError;

/**
 * The records of a capture, one loop after another, for {@link Replayer}: a flyweight like
 * {@link io.vfplane.pcap.CaptureCursor}, plus a native address per frame when the frames sit still
 * ({@link #stable()}, preloaded) or a copy into the sender's staging area when they do not (streamed from the file).
 */
interface FrameSource extends AutoCloseable
{
    /** @return whether there is a next record (false at the end of a loop or on an error). */
    boolean next();

    /** @return LINKTYPE_* of the current record. */
    int linkType();

    /** @return captured length of the current record. */
    int length();

    /** @return timestamp of the current record, nanoseconds since the epoch. */
    long timestampNanos();

    /** @return whether {@link #address()} stays valid until {@link #close()}. */
    boolean stable();

    /** What {@link #address()} gives for a source whose records move. */
    long NO_ADDRESS = 0;

    /** @return native address of the current record's bytes when {@link #stable()}, else {@link #NO_ADDRESS}. */
    long address();

    /**
     * Copy the current record's bytes.
     *
     * @param destination where to.
     * @param index       at which index.
     */
    void copyTo(MutableDirectBuffer destination, int index);

    /**
     * Start the next loop from the first record.
     *
     * @return false if that is not possible (the file went away).
     */
    boolean rewind();

    /** @return records in one loop, or -1 while unknown. */
    long recordsPerLoop();

    /** @return why reading stopped early, or null. */
    CaptureError error();

    @Override
    void close();
}
