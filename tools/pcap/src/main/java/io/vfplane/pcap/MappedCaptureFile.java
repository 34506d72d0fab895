package io.vfplane.pcap;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A whole capture file mapped read-only into memory, seen through a sliding {@link UnsafeBuffer} view.
 * <p>
 * Why a view: Agrona buffers are int-indexed, so one buffer cannot cover a file larger than 2 GiB. The file is mapped
 * once ({@link FileChannel#map(FileChannel.MapMode, long, long, Arena)}: one mapping of any size, unmapped
 * deterministically when the arena closes), and the view is a window of at most {@code viewSize} bytes over it. When a
 * record does not fit in the current view, the view is re-wrapped to start at that record: a pointer move, no system
 * call and no allocation. So files larger than 2 GiB are read through windows of one mapping, never by streaming.
 */
final class MappedCaptureFile implements AutoCloseable
{
    /** Default view size: 1 GiB, far above any record and well below the int limit. */
    static final int DEFAULT_VIEW_SIZE = 1 << 30;

    private final Arena arena;
    private final MemorySegment segment;
    private final long address;
    private final long size;
    private final int viewSize;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private long viewStart;
    private long viewEnd;

    private MappedCaptureFile(final Arena arena, final MemorySegment segment, final int viewSize)
    {
        this.arena = arena;
        this.segment = segment;
        this.address = segment.address();
        this.size = segment.byteSize();
        this.viewSize = viewSize;
        wrapAt(0);
    }

    static MappedCaptureFile open(final Path path, final int viewSize) throws IOException
    {
        final Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            final MemorySegment segment = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            return new MappedCaptureFile(arena, segment, viewSize);
        }
        catch (final IOException | RuntimeException ex)
        {
            arena.close();
            throw ex;
        }
    }

    /**
     * @return file size in bytes.
     */
    long size()
    {
        return size;
    }

    /**
     * @return largest number of bytes {@link #index(long, int)} can make visible at once.
     */
    int viewSize()
    {
        return viewSize;
    }

    /**
     * @return the current view; indexes into it come from {@link #index(long, int)}.
     */
    UnsafeBuffer view()
    {
        return view;
    }

    /**
     * Make {@code [position, position + length)} of the file visible in the view.
     *
     * @param position file offset.
     * @param length   number of bytes, at most {@link #viewSize()}.
     * @return index of {@code position} in {@link #view()}, or -1 if the range goes past the end of the file or is
     * larger than the view.
     */
    int index(final long position, final int length)
    {
        if (length < 0 || length > viewSize || position < 0 || position + length > size)
        {
            return -1;
        }
        if (position < viewStart || position + length > viewEnd)
        {
            wrapAt(position);
        }
        return (int)(position - viewStart);
    }

    private void wrapAt(final long position)
    {
        viewStart = position;
        viewEnd = Math.min(size, position + viewSize);
        view.wrap(address + viewStart, (int)(viewEnd - viewStart));
    }

    @Override
    public void close()
    {
        view.wrap(0, 0);
        if (segment.scope().isAlive())
        {
            arena.close();
        }
    }
}
