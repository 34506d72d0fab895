package io.vfplane.pcap;

import org.agrona.DirectBuffer;

/**
 * What the pcap and pcapng cursors share: the mapped file, the read position, the current record's place and
 * lengths and timestamp, the record count, and the first error. Each format's {@link #next()} fills these in.
 */
abstract class MappedCaptureCursor implements CaptureCursor
{
    protected final MappedCaptureFile file;
    protected long position;
    protected long records;
    protected int offset;
    protected int caplen;
    protected int len;
    protected long timestampNanos;
    protected CaptureError error;

    /**
     * @param file     the mapped capture.
     * @param position where the first record (or block) starts.
     */
    MappedCaptureCursor(final MappedCaptureFile file, final long position)
    {
        this.file = file;
        this.position = position;
    }

    /** Records the first error, naming how many records were read before it; returns false for {@code next()}. */
    protected final boolean fail(final CaptureError.Kind kind, final String message)
    {
        error = new CaptureError(kind, records, position, message + " (" + records + " records read)");
        return false;
    }

    @Override
    public final DirectBuffer buffer()
    {
        return file.view();
    }

    @Override
    public final int offset()
    {
        return offset;
    }

    @Override
    public final int capturedLength()
    {
        return caplen;
    }

    @Override
    public final int originalLength()
    {
        return len;
    }

    @Override
    public final long timestampNanos()
    {
        return timestampNanos;
    }

    @Override
    public final long recordNumber()
    {
        return records;
    }

    @Override
    public final CaptureError error()
    {
        return error;
    }

    @Override
    public final void close()
    {
        file.close();
    }
}
