package io.vfplane.pcap.replay;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.vfplane.pcap.CaptureCursor;
import io.vfplane.pcap.CaptureError;
import io.vfplane.pcap.CaptureException;
import io.vfplane.pcap.CaptureReader;

/**
 * The whole capture copied into one native arena before sending (tcpreplay's {@code --preload-pcap}): frames sit
 * still at known addresses, so batches point straight at them and a loop never touches the file again.
 *
 * <pre>
 *  arena:     | frame 0 bytes | frame 1 bytes | ... |      (packed, in file order)
 *  addresses: long[records]   native address of each frame
 *  lengths:   int[records]    captured length
 *  times:     long[records]   timestamp, ns since the epoch
 *  linkTypes: int[records]    LINKTYPE_* (pcapng may mix interfaces)
 * </pre>
 */
final class PreloadedCapture implements FrameSource
{
    private final Arena arena = Arena.ofShared();
    private final long[] addresses;
    private final int[] lengths;
    private final long[] times;
    private final int[] linkTypes;
    private final int count;
    private final CaptureError error;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private int current = -1;

    PreloadedCapture(final Path path) throws CaptureException
    {
        long records = 0;
        long bytes = 0;
        try (CaptureCursor cursor = CaptureReader.open(path))
        {
            while (cursor.next())
            {
                records++;
                bytes += cursor.capturedLength();
            }
        }
        if (records > Integer.MAX_VALUE - 8)
        {
            throw new CaptureException("too many records to preload: " + records);
        }
        count = (int)records;
        addresses = new long[count];
        lengths = new int[count];
        times = new long[count];
        linkTypes = new int[count];
        final MemorySegment segment;
        try
        {
            segment = arena.allocate(Math.max(1, bytes), 64);
        }
        catch (final OutOfMemoryError | IllegalArgumentException ex)
        {
            arena.close();
            throw new CaptureException("cannot preload " + bytes + " bytes: " + ex.getMessage(), ex);
        }
        final UnsafeBuffer target = new UnsafeBuffer(0, 0);
        long position = 0;
        int i = 0;
        CaptureError readError = null;
        try (CaptureCursor cursor = CaptureReader.open(path))
        {
            while (i < count && cursor.next())
            {
                final int length = cursor.capturedLength();
                final long address = segment.address() + position;
                target.wrap(address, length);
                target.putBytes(0, cursor.buffer(), cursor.offset(), length);
                addresses[i] = address;
                lengths[i] = length;
                times[i] = cursor.timestampNanos();
                linkTypes[i] = cursor.linkType();
                position += length;
                i++;
            }
            // the first pass stopped where the file went bad; the second stops there too, and says why
            readError = cursor.next() ? null : cursor.error();
        }
        catch (final CaptureException | RuntimeException ex)
        {
            arena.close();
            throw ex;
        }
        error = readError;
    }

    /** @return records held. */
    int count()
    {
        return count;
    }

    @Override
    public boolean next()
    {
        if (current + 1 < count)
        {
            current++;
            return true;
        }
        return false;
    }

    @Override
    public int linkType()
    {
        return linkTypes[current];
    }

    @Override
    public int length()
    {
        return lengths[current];
    }

    @Override
    public long timestampNanos()
    {
        return times[current];
    }

    @Override
    public boolean stable()
    {
        return true;
    }

    @Override
    public long address()
    {
        return addresses[current];
    }

    @Override
    public void copyTo(final MutableDirectBuffer destination, final int index)
    {
        view.wrap(addresses[current], lengths[current]);
        destination.putBytes(index, view, 0, lengths[current]);
    }

    @Override
    public boolean rewind()
    {
        current = -1;
        return true;
    }

    @Override
    public long recordsPerLoop()
    {
        return count;
    }

    @Override
    public CaptureError error()
    {
        return error;
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
