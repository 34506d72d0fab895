package io.vfplane.pcap.replay;

import java.nio.file.Path;

import org.agrona.MutableDirectBuffer;

import io.vfplane.pcap.CaptureCursor;
import io.vfplane.pcap.CaptureError;
import io.vfplane.pcap.CaptureException;
import io.vfplane.pcap.CaptureReader;

/**
 * Frames read from the memory-mapped file while sending: a record's bytes are valid only until the next record, so
 * the sender copies each into its staging area (a memory copy, no system call, no allocation).
 */
final class StreamingCapture implements FrameSource
{
    private final Path path;
    private CaptureCursor cursor;
    private CaptureError error;
    private long records;
    private long recordsPerLoop = -1;

    StreamingCapture(final Path path) throws CaptureException
    {
        this.path = path;
        this.cursor = CaptureReader.open(path);
    }

    @Override
    public boolean next()
    {
        if (cursor.next())
        {
            records++;
            return true;
        }
        if (error == null)
        {
            error = cursor.error();
        }
        if (recordsPerLoop < 0)
        {
            recordsPerLoop = records;
        }
        return false;
    }

    @Override
    public int linkType()
    {
        return cursor.linkType();
    }

    @Override
    public int length()
    {
        return cursor.capturedLength();
    }

    @Override
    public long timestampNanos()
    {
        return cursor.timestampNanos();
    }

    @Override
    public boolean stable()
    {
        return false;
    }

    @Override
    public long address()
    {
        return NO_ADDRESS; // the mapped window slides: the sender copies each record (copyTo)
    }

    @Override
    public void copyTo(final MutableDirectBuffer destination, final int index)
    {
        destination.putBytes(index, cursor.buffer(), cursor.offset(), cursor.capturedLength());
    }

    @Override
    public boolean rewind()
    {
        cursor.close();
        try
        {
            cursor = CaptureReader.open(path);
            return true;
        }
        catch (final CaptureException ex)
        {
            return false;
        }
    }

    @Override
    public long recordsPerLoop()
    {
        return recordsPerLoop;
    }

    @Override
    public CaptureError error()
    {
        return error;
    }

    @Override
    public void close()
    {
        cursor.close();
    }
}
