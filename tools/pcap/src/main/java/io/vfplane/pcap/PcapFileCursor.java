package io.vfplane.pcap;

import java.nio.ByteOrder;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads a libpcap file (microsecond or nanosecond magic, either byte order) from a memory mapping.
 * <pre>
 * File header (24 bytes):                       Record header (16 bytes), then caplen bytes of data:
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Magic (a1b2c3d4 = us, a1b23c4d = ns)                 |  |   Timestamp (seconds)           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        Major Version          |         Minor Version         |  |   Timestamp (us or ns)          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Reserved1 (thiszone)                       |  |   Captured Packet Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Reserved2 (sigfigs)                        |  |   Original Packet Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        SnapLen                                |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | FCS |f|  reserved           |           LinkType              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * All fields are in the byte order the magic reveals.
 */
final class PcapFileCursor extends MappedCaptureCursor
{
    static final int MAGIC_MICROS = 0xa1b2c3d4;
    static final int MAGIC_NANOS = 0xa1b23c4d;
    static final int FILE_HEADER_LENGTH = 24;
    static final int SNAPLEN_OFFSET = 16;
    static final int LINKTYPE_OFFSET = 20;
    static final int RECORD_HEADER_LENGTH = 16;
    static final int TS_SEC_OFFSET = 0;
    static final int TS_FRAC_OFFSET = 4;
    static final int CAPLEN_OFFSET = 8;
    static final int LEN_OFFSET = 12;
    /** The link type is the low 16 bits of the field; the high bits carry FCS information. */
    static final int LINKTYPE_MASK = 0xFFFF;

    private final ByteOrder order;
    private final boolean nanos;
    private final int linkType;
    private final int snaplen;

    PcapFileCursor(final MappedCaptureFile file, final ByteOrder order, final boolean nanos)
    {
        super(file, FILE_HEADER_LENGTH);
        this.order = order;
        this.nanos = nanos;
        final UnsafeBuffer view = file.view();
        final int base = file.index(0, FILE_HEADER_LENGTH);
        this.snaplen = view.getInt(base + SNAPLEN_OFFSET, order);
        this.linkType = view.getInt(base + LINKTYPE_OFFSET, order) & LINKTYPE_MASK;
    }

    /**
     * @return the snapshot length in the file header.
     */
    int snaplen()
    {
        return snaplen;
    }

    @Override
    public boolean next()
    {
        if (error != null)
        {
            return false;
        }
        final long remaining = file.size() - position;
        if (remaining == 0)
        {
            return false;
        }
        if (remaining < RECORD_HEADER_LENGTH)
        {
            return fail(CaptureError.Kind.TRUNCATED_HEADER, "truncated record header: record " + (records + 1) +
                " at byte " + position + " needs " + RECORD_HEADER_LENGTH + " header bytes, " + remaining + " remain");
        }
        final UnsafeBuffer view = file.view();
        int index = file.index(position, RECORD_HEADER_LENGTH);
        final long capturedLength = view.getInt(index + CAPLEN_OFFSET, order) & 0xFFFF_FFFFL;
        if (capturedLength > file.viewSize() - RECORD_HEADER_LENGTH)
        {
            return fail(CaptureError.Kind.MALFORMED, "record " + (records + 1) + " at byte " + position +
                " claims " + capturedLength + " captured bytes, more than any record can hold");
        }
        if (capturedLength > remaining - RECORD_HEADER_LENGTH)
        {
            return fail(CaptureError.Kind.TRUNCATED_DATA, "truncated record data: record " + (records + 1) +
                " at byte " + position + " needs " + capturedLength + " data bytes, " +
                (remaining - RECORD_HEADER_LENGTH) + " remain");
        }
        index = file.index(position, RECORD_HEADER_LENGTH + (int)capturedLength);
        final long seconds = view.getInt(index + TS_SEC_OFFSET, order) & 0xFFFF_FFFFL;
        final long fraction = view.getInt(index + TS_FRAC_OFFSET, order) & 0xFFFF_FFFFL;
        timestampNanos = seconds * 1_000_000_000L + (nanos ? fraction : fraction * 1_000L);
        caplen = (int)capturedLength;
        len = view.getInt(index + LEN_OFFSET, order);
        offset = index + RECORD_HEADER_LENGTH;
        position += RECORD_HEADER_LENGTH + capturedLength;
        records++;
        return true;
    }

    @Override
    public int linkType()
    {
        return linkType;
    }

    @Override
    public int interfaceId()
    {
        return 0;
    }

    @Override
    public CaptureFormat format()
    {
        return nanos ? CaptureFormat.PCAP_NANOS : CaptureFormat.PCAP_MICROS;
    }

}
