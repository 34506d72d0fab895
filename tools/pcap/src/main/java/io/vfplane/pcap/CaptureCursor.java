package io.vfplane.pcap;

import org.agrona.DirectBuffer;

/**
 * A cursor over the records of a capture file: a flyweight that moves from record to record without allocating.
 * After {@link #next()} returned true, the accessors describe the current record; its bytes are
 * {@code buffer()[offset(), offset() + capturedLength())}, valid until the next call to {@link #next()} or
 * {@link #close()}.
 * <p>
 * Reading never throws for bad content: when the file ends in the middle of a record, or a block is malformed, or an
 * interface has a link type that is not supported, {@link #next()} returns false and {@link #error()} says why.
 * A cursor is used by one thread at a time.
 */
public interface CaptureCursor extends AutoCloseable
{
    /**
     * Move to the next record.
     *
     * @return true if a record is available, false at the end of the file or on an error (see {@link #error()}).
     */
    boolean next();

    /**
     * @return the buffer holding the current record's bytes (a view over the file mapping).
     */
    DirectBuffer buffer();

    /**
     * @return index in {@link #buffer()} of the first byte of the current record.
     */
    int offset();

    /**
     * @return number of bytes captured for the current record (caplen).
     */
    int capturedLength();

    /**
     * @return length of the packet on the wire (len), at least {@link #capturedLength()} in a well-formed file.
     */
    int originalLength();

    /**
     * @return timestamp of the current record in nanoseconds since the Unix epoch.
     */
    long timestampNanos();

    /**
     * @return link type (LINKTYPE_* number) of the interface the current record was captured on.
     */
    int linkType();

    /**
     * @return interface id of the current record (0 for pcap files and pcapng simple packet blocks).
     */
    int interfaceId();

    /**
     * @return 1-based index of the current record in the file (records of all interfaces and sections counted).
     */
    long recordNumber();

    /**
     * @return why reading stopped early, or null if it did not (yet).
     */
    CaptureError error();

    /**
     * @return the capture format of the file.
     */
    CaptureFormat format();

    @Override
    void close();
}
