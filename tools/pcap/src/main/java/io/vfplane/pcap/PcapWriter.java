package io.vfplane.pcap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes a libpcap file (version 2.4, little-endian) with microsecond or nanosecond timestamps, streaming through a
 * reusable direct buffer: records are copied into the buffer and the buffer goes to the file when full, on
 * {@link #flush()} and on {@link #close()}. Records longer than the snaplen are cut to it (caplen = min(length,
 * snaplen), len = the original length). No allocation per record.
 * <p>
 * See {@link PcapFileCursor} for the layout of the file and record headers.
 */
public final class PcapWriter implements AutoCloseable
{
    /** Timestamp precision of the written file. */
    public enum Precision
    {
        /** Magic 0xa1b2c3d4, fractions in microseconds. */
        MICROS,
        /** Magic 0xa1b23c4d, fractions in nanoseconds. */
        NANOS
    }

    /** Default snaplen: what tcpdump uses, and large enough for GSO/BIG TCP super-frames. */
    public static final int DEFAULT_SNAPLEN = 262_144;
    static final int DEFAULT_BUFFER_SIZE = 1 << 16;
    private static final short VERSION_MAJOR = 2;
    private static final short VERSION_MINOR = 4;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private final FileChannel channel;
    private final ByteBuffer byteBuffer;
    private final UnsafeBuffer buffer;
    private final Precision precision;
    private final int snaplen;
    private int position;
    private long recordsWritten;

    private PcapWriter(final FileChannel channel, final int linkType, final int snaplen, final Precision precision,
        final int bufferSize) throws IOException
    {
        this.channel = channel;
        this.precision = precision;
        this.snaplen = snaplen;
        this.byteBuffer = ByteBuffer.allocateDirect(Math.max(bufferSize, PcapFileCursor.FILE_HEADER_LENGTH +
            PcapFileCursor.RECORD_HEADER_LENGTH));
        this.buffer = new UnsafeBuffer(byteBuffer);
        buffer.putInt(0, precision == Precision.NANOS ? PcapFileCursor.MAGIC_NANOS : PcapFileCursor.MAGIC_MICROS,
            ORDER);
        buffer.putShort(4, VERSION_MAJOR, ORDER);
        buffer.putShort(6, VERSION_MINOR, ORDER);
        buffer.putInt(8, 0, ORDER);
        buffer.putInt(12, 0, ORDER);
        buffer.putInt(PcapFileCursor.SNAPLEN_OFFSET, snaplen, ORDER);
        buffer.putInt(PcapFileCursor.LINKTYPE_OFFSET, linkType, ORDER);
        position = PcapFileCursor.FILE_HEADER_LENGTH;
    }

    /**
     * Create (or truncate) a pcap file.
     *
     * @param path      the file.
     * @param linkType  LINKTYPE_* of the records.
     * @param snaplen   largest number of bytes stored per record (positive).
     * @param precision timestamp precision.
     * @return the writer; close it to flush the last records.
     * @throws IOException if the file cannot be created.
     */
    public static PcapWriter create(final Path path, final int linkType, final int snaplen, final Precision precision)
        throws IOException
    {
        if (snaplen <= 0)
        {
            throw new IllegalArgumentException("snaplen must be positive: " + snaplen);
        }
        final FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
        try
        {
            return new PcapWriter(channel, linkType, snaplen, precision, DEFAULT_BUFFER_SIZE);
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
    }

    /**
     * Append one record.
     *
     * @param source         bytes of the packet.
     * @param offset         index of the first byte in {@code source}.
     * @param length         bytes available in {@code source} (cut to the snaplen).
     * @param originalLength length of the packet on the wire (at least {@code length} normally).
     * @param timestampNanos nanoseconds since the Unix epoch.
     * @throws IOException if writing to the file fails.
     */
    public void write(final DirectBuffer source, final int offset, final int length, final int originalLength,
        final long timestampNanos) throws IOException
    {
        final int caplen = Math.min(length, snaplen);
        if (position + PcapFileCursor.RECORD_HEADER_LENGTH > buffer.capacity())
        {
            drain();
        }
        final long seconds = Math.floorDiv(timestampNanos, 1_000_000_000L);
        final long nanos = Math.floorMod(timestampNanos, 1_000_000_000L);
        buffer.putInt(position + PcapFileCursor.TS_SEC_OFFSET, (int)seconds, ORDER);
        buffer.putInt(position + PcapFileCursor.TS_FRAC_OFFSET,
            (int)(precision == Precision.NANOS ? nanos : nanos / 1_000L), ORDER);
        buffer.putInt(position + PcapFileCursor.CAPLEN_OFFSET, caplen, ORDER);
        buffer.putInt(position + PcapFileCursor.LEN_OFFSET, Math.max(originalLength, caplen), ORDER);
        position += PcapFileCursor.RECORD_HEADER_LENGTH;
        int copied = 0;
        while (copied < caplen)
        {
            if (position == buffer.capacity())
            {
                drain();
            }
            final int chunk = Math.min(caplen - copied, buffer.capacity() - position);
            buffer.putBytes(position, source, offset + copied, chunk);
            position += chunk;
            copied += chunk;
        }
        recordsWritten++;
    }

    /**
     * @return records written so far.
     */
    public long recordsWritten()
    {
        return recordsWritten;
    }

    /**
     * @return the snaplen records are cut to.
     */
    public int snaplen()
    {
        return snaplen;
    }

    /**
     * Write buffered records to the file.
     *
     * @throws IOException if writing fails.
     */
    public void flush() throws IOException
    {
        drain();
    }

    private void drain() throws IOException
    {
        byteBuffer.clear().limit(position);
        while (byteBuffer.hasRemaining())
        {
            channel.write(byteBuffer);
        }
        position = 0;
    }

    @Override
    public void close() throws IOException
    {
        try
        {
            drain();
        }
        finally
        {
            channel.close();
        }
    }
}
