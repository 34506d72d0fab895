package io.vfplane.pcap;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Opens capture files: recognises pcap (microsecond and nanosecond magic, both byte orders) and pcapng by their first
 * bytes, memory-maps the file and returns a {@link CaptureCursor} over its records.
 */
public final class CaptureReader
{
    private CaptureReader()
    {
    }

    /**
     * Open a capture file.
     *
     * @param path the file.
     * @return a cursor positioned before the first record; close it when done.
     * @throws CaptureException if the file is missing, unreadable, not a capture, or (pcap) has a link type that is
     *                          not supported. pcapng interfaces with unsupported link types are reported by the
     *                          cursor's {@link CaptureCursor#error()} when their description block is reached.
     */
    public static CaptureCursor open(final Path path) throws CaptureException
    {
        return open(path, MappedCaptureFile.DEFAULT_VIEW_SIZE);
    }

    /**
     * Open a capture file with a given view size (tests use small views to exercise re-windowing).
     *
     * @param path     the file.
     * @param viewSize largest window of the mapping visible at once; bounds the largest record or block.
     * @return a cursor positioned before the first record.
     * @throws CaptureException as {@link #open(Path)}.
     */
    static CaptureCursor open(final Path path, final int viewSize) throws CaptureException
    {
        if (!Files.exists(path))
        {
            throw new CaptureException("no such file");
        }
        if (Files.isDirectory(path))
        {
            throw new CaptureException("is a directory, not a capture file");
        }
        final MappedCaptureFile file;
        try
        {
            file = MappedCaptureFile.open(path, viewSize);
        }
        catch (final NoSuchFileException ex)
        {
            throw new CaptureException("no such file", ex);
        }
        catch (final AccessDeniedException ex)
        {
            throw new CaptureException("permission denied", ex);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new CaptureException("cannot map file: " + ex.getMessage(), ex);
        }
        try
        {
            return cursor(file);
        }
        catch (final CaptureException ex)
        {
            file.close();
            throw ex;
        }
    }

    private static CaptureCursor cursor(final MappedCaptureFile file) throws CaptureException
    {
        if (file.size() < 4)
        {
            throw new CaptureException("not a capture file: only " + file.size() + " bytes");
        }
        final UnsafeBuffer view = file.view();
        final int magic = view.getInt(file.index(0, 4), ByteOrder.BIG_ENDIAN);
        if (magic == PcapngFileCursor.SECTION_HEADER_BLOCK)
        {
            return new PcapngFileCursor(file);
        }
        final ByteOrder order;
        final boolean nanos;
        if (magic == PcapFileCursor.MAGIC_MICROS || magic == PcapFileCursor.MAGIC_NANOS)
        {
            order = ByteOrder.BIG_ENDIAN;
            nanos = magic == PcapFileCursor.MAGIC_NANOS;
        }
        else if (Integer.reverseBytes(magic) == PcapFileCursor.MAGIC_MICROS ||
            Integer.reverseBytes(magic) == PcapFileCursor.MAGIC_NANOS)
        {
            order = ByteOrder.LITTLE_ENDIAN;
            nanos = Integer.reverseBytes(magic) == PcapFileCursor.MAGIC_NANOS;
        }
        else
        {
            throw new CaptureException(String.format("not a pcap or pcapng file (magic 0x%08x)", magic));
        }
        if (file.size() < PcapFileCursor.FILE_HEADER_LENGTH)
        {
            throw new CaptureException("truncated pcap file header: " + file.size() + " of " +
                PcapFileCursor.FILE_HEADER_LENGTH + " bytes");
        }
        final PcapFileCursor cursor = new PcapFileCursor(file, order, nanos);
        if (!LinkTypeNames.isSupported(cursor.linkType()))
        {
            throw new CaptureException(LinkTypeNames.unsupportedMessage(cursor.linkType()));
        }
        return cursor;
    }
}
