package io.vfplane.pcap;

import java.nio.ByteOrder;
import java.util.Arrays;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads a pcapng file from a memory mapping: section header blocks (several sections, each in its own byte order),
 * interface description blocks (several interfaces, each with its link type, {@code if_tsresol} and
 * {@code if_tsoffset}), enhanced, simple and (obsolete) packet blocks. Other blocks are skipped.
 * <pre>
 * Every block:                                       Enhanced Packet Block body:
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+   +---------------------------------+
 * |                          Block Type                           |   | Interface ID                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+   | Timestamp (upper 32 bits)       |
 * |                      Block Total Length                       |   | Timestamp (lower 32 bits)       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+   | Captured Packet Length          |
 * /                          Block Body                           /   | Original Packet Length          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+   / Packet Data (padded to 32 bits) /
 * |                      Block Total Length                       |   / Options                         /
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+   +---------------------------------+
 *
 * Section Header Block body: Byte-Order Magic 0x1A2B3C4D, Major, Minor (16 bits each), Section Length (64), options.
 * Interface Description Block body: LinkType (16), Reserved (16), SnapLen (32), options.
 * Simple Packet Block body: Original Packet Length (32), Packet Data.
 * </pre>
 */
final class PcapngFileCursor extends MappedCaptureCursor
{
    static final int SECTION_HEADER_BLOCK = 0x0A0D0D0A;
    static final int INTERFACE_DESCRIPTION_BLOCK = 1;
    static final int PACKET_BLOCK = 2;
    static final int SIMPLE_PACKET_BLOCK = 3;
    static final int ENHANCED_PACKET_BLOCK = 6;
    static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;

    static final int BLOCK_TYPE_OFFSET = 0;
    static final int BLOCK_LENGTH_OFFSET = 4;
    static final int BLOCK_BODY_OFFSET = 8;
    static final int MIN_BLOCK_LENGTH = 12;
    static final int SHB_BYTE_ORDER_OFFSET = 8;

    static final int IDB_LINKTYPE_OFFSET = 8;
    static final int IDB_OPTIONS_OFFSET = 16;
    static final int OPTION_END = 0;
    static final int OPTION_IF_TSRESOL = 9;
    static final int OPTION_IF_TSOFFSET = 14;
    /** Default resolution when an interface has no if_tsresol: 10^-6 s. */
    static final int DEFAULT_TSRESOL = 6;

    static final int EPB_INTERFACE_OFFSET = 8;
    static final int EPB_TS_HIGH_OFFSET = 12;
    static final int EPB_TS_LOW_OFFSET = 16;
    static final int EPB_CAPLEN_OFFSET = 20;
    static final int EPB_LEN_OFFSET = 24;
    static final int EPB_DATA_OFFSET = 28;

    static final int OPB_INTERFACE_OFFSET = 8;
    static final int OPB_TS_HIGH_OFFSET = 12;
    static final int OPB_TS_LOW_OFFSET = 16;
    static final int OPB_CAPLEN_OFFSET = 20;
    static final int OPB_LEN_OFFSET = 24;
    static final int OPB_DATA_OFFSET = 28;

    static final int SPB_LEN_OFFSET = 8;
    static final int SPB_DATA_OFFSET = 12;

    private ByteOrder order = ByteOrder.LITTLE_ENDIAN;
    private boolean inSection;
    private int interfaceCount;
    private int[] linkTypes = new int[4];
    private int[] tsResolutions = new int[4];
    private long[] tsOffsetSeconds = new long[4];

    private int interfaceId;

    PcapngFileCursor(final MappedCaptureFile file)
    {
        super(file, 0);
    }

    @Override
    public boolean next()
    {
        final UnsafeBuffer view = file.view();
        while (error == null)
        {
            final long remaining = file.size() - position;
            if (remaining == 0)
            {
                return false;
            }
            if (remaining < MIN_BLOCK_LENGTH)
            {
                return fail(CaptureError.Kind.TRUNCATED_HEADER, "truncated block header at byte " + position +
                    ": " + remaining + " bytes remain");
            }
            int index = file.index(position, MIN_BLOCK_LENGTH);
            final int type = view.getInt(index + BLOCK_TYPE_OFFSET, order);
            if (type == SECTION_HEADER_BLOCK)
            {
                final int magic = view.getInt(index + SHB_BYTE_ORDER_OFFSET, ByteOrder.BIG_ENDIAN);
                if (magic == BYTE_ORDER_MAGIC)
                {
                    order = ByteOrder.BIG_ENDIAN;
                }
                else if (Integer.reverseBytes(magic) == BYTE_ORDER_MAGIC)
                {
                    order = ByteOrder.LITTLE_ENDIAN;
                }
                else
                {
                    return fail(CaptureError.Kind.MALFORMED, "section header block at byte " + position +
                        " has no valid byte-order magic");
                }
            }
            else if (!inSection)
            {
                return fail(CaptureError.Kind.MALFORMED, "block at byte " + position +
                    " is not inside a section (no section header block first)");
            }
            final long blockLength = view.getInt(index + BLOCK_LENGTH_OFFSET, order) & 0xFFFF_FFFFL;
            if (blockLength < MIN_BLOCK_LENGTH || (blockLength & 3) != 0)
            {
                return fail(CaptureError.Kind.MALFORMED, "block at byte " + position + " has invalid length " +
                    blockLength);
            }
            if (blockLength > remaining)
            {
                return fail(CaptureError.Kind.TRUNCATED_DATA, "truncated block at byte " + position + ": needs " +
                    blockLength + " bytes, " + remaining + " remain");
            }
            if (blockLength > file.viewSize())
            {
                return fail(CaptureError.Kind.MALFORMED, "block at byte " + position + " is " + blockLength +
                    " bytes long, more than any block can hold");
            }
            final int length = (int)blockLength;
            index = file.index(position, length);
            if (view.getInt(index + length - 4, order) != length)
            {
                return fail(CaptureError.Kind.MALFORMED, "block at byte " + position +
                    ": trailing length does not match leading length " + length);
            }
            final boolean packet = switch (type)
            {
                case SECTION_HEADER_BLOCK -> startSection();
                case INTERFACE_DESCRIPTION_BLOCK -> addInterface(view, index, length);
                case ENHANCED_PACKET_BLOCK -> enhancedPacket(view, index, length);
                case SIMPLE_PACKET_BLOCK -> simplePacket(view, index, length);
                case PACKET_BLOCK -> obsoletePacket(view, index, length);
                default -> false;
            };
            if (error != null)
            {
                return false;
            }
            position += length;
            if (packet)
            {
                records++;
                return true;
            }
        }
        return false;
    }

    private boolean startSection()
    {
        inSection = true;
        interfaceCount = 0;
        return false;
    }

    private boolean addInterface(final UnsafeBuffer view, final int index, final int length)
    {
        if (length < IDB_OPTIONS_OFFSET + 4)
        {
            fail(CaptureError.Kind.MALFORMED, "interface description block at byte " + position + " is too short");
            return false;
        }
        final int linkType = view.getShort(index + IDB_LINKTYPE_OFFSET, order) & 0xFFFF;
        if (!LinkTypeNames.isSupported(linkType))
        {
            fail(CaptureError.Kind.UNSUPPORTED_LINK_TYPE, "interface " + interfaceCount + ": " +
                LinkTypeNames.unsupportedMessage(linkType));
            return false;
        }
        int tsresol = DEFAULT_TSRESOL;
        long tsoffset = 0;
        int option = index + IDB_OPTIONS_OFFSET;
        final int end = index + length - 4;
        while (option + 4 <= end)
        {
            final int code = view.getShort(option, order) & 0xFFFF;
            final int optionLength = view.getShort(option + 2, order) & 0xFFFF;
            if (code == OPTION_END || option + 4 + optionLength > end)
            {
                break;
            }
            if (code == OPTION_IF_TSRESOL && optionLength >= 1)
            {
                tsresol = view.getByte(option + 4) & 0xFF;
            }
            else if (code == OPTION_IF_TSOFFSET && optionLength >= 8)
            {
                tsoffset = view.getLong(option + 4, order);
            }
            option += 4 + ((optionLength + 3) & ~3);
        }
        if (interfaceCount == linkTypes.length)
        {
            linkTypes = Arrays.copyOf(linkTypes, interfaceCount * 2);
            tsResolutions = Arrays.copyOf(tsResolutions, interfaceCount * 2);
            tsOffsetSeconds = Arrays.copyOf(tsOffsetSeconds, interfaceCount * 2);
        }
        linkTypes[interfaceCount] = linkType;
        tsResolutions[interfaceCount] = tsresol;
        tsOffsetSeconds[interfaceCount] = tsoffset;
        interfaceCount++;
        return false;
    }

    private boolean enhancedPacket(final UnsafeBuffer view, final int index, final int length)
    {
        if (length < EPB_DATA_OFFSET + 4)
        {
            fail(CaptureError.Kind.MALFORMED, "enhanced packet block at byte " + position + " is too short");
            return false;
        }
        final long id = view.getInt(index + EPB_INTERFACE_OFFSET, order) & 0xFFFF_FFFFL;
        final long high = view.getInt(index + EPB_TS_HIGH_OFFSET, order) & 0xFFFF_FFFFL;
        final long low = view.getInt(index + EPB_TS_LOW_OFFSET, order) & 0xFFFF_FFFFL;
        final long capturedLength = view.getInt(index + EPB_CAPLEN_OFFSET, order) & 0xFFFF_FFFFL;
        return packet(index, length, id, (high << 32) | low, capturedLength,
            view.getInt(index + EPB_LEN_OFFSET, order), EPB_DATA_OFFSET);
    }

    private boolean obsoletePacket(final UnsafeBuffer view, final int index, final int length)
    {
        if (length < OPB_DATA_OFFSET + 4)
        {
            fail(CaptureError.Kind.MALFORMED, "packet block at byte " + position + " is too short");
            return false;
        }
        final long id = view.getShort(index + OPB_INTERFACE_OFFSET, order) & 0xFFFF;
        final long high = view.getInt(index + OPB_TS_HIGH_OFFSET, order) & 0xFFFF_FFFFL;
        final long low = view.getInt(index + OPB_TS_LOW_OFFSET, order) & 0xFFFF_FFFFL;
        final long capturedLength = view.getInt(index + OPB_CAPLEN_OFFSET, order) & 0xFFFF_FFFFL;
        return packet(index, length, id, (high << 32) | low, capturedLength,
            view.getInt(index + OPB_LEN_OFFSET, order), OPB_DATA_OFFSET);
    }

    private boolean simplePacket(final UnsafeBuffer view, final int index, final int length)
    {
        if (length < SPB_DATA_OFFSET + 4)
        {
            fail(CaptureError.Kind.MALFORMED, "simple packet block at byte " + position + " is too short");
            return false;
        }
        final int originalLength = view.getInt(index + SPB_LEN_OFFSET, order);
        // The captured length is implied: the original length, cut by the block (which the snaplen bounds).
        final long room = length - SPB_DATA_OFFSET - 4;
        final long capturedLength = Math.min(originalLength & 0xFFFF_FFFFL, room);
        if (interfaceCount == 0)
        {
            fail(CaptureError.Kind.MALFORMED, "simple packet block at byte " + position +
                " before any interface description block");
            return false;
        }
        // A simple packet block has no timestamp: report the interface's offset only.
        return packet(index, length, 0, Long.MIN_VALUE, capturedLength, originalLength, SPB_DATA_OFFSET);
    }

    private boolean packet(
        final int index,
        final int length,
        final long id,
        final long timestamp,
        final long capturedLength,
        final int originalLength,
        final int dataOffset)
    {
        if (id >= interfaceCount)
        {
            fail(CaptureError.Kind.MALFORMED, "packet block at byte " + position + " names interface " + id +
                " but the section has " + interfaceCount);
            return false;
        }
        if (capturedLength > length - dataOffset - 4)
        {
            fail(CaptureError.Kind.MALFORMED, "packet block at byte " + position + " claims " + capturedLength +
                " captured bytes but holds at most " + (length - dataOffset - 4));
            return false;
        }
        interfaceId = (int)id;
        offset = index + dataOffset;
        caplen = (int)capturedLength;
        len = originalLength;
        final long offsetNanos = tsOffsetSeconds[interfaceId] * 1_000_000_000L;
        timestampNanos = timestamp == Long.MIN_VALUE ? offsetNanos :
            offsetNanos + toNanos(timestamp, tsResolutions[interfaceId]);
        return true;
    }

    /**
     * Convert a pcapng timestamp in units of the interface's {@code if_tsresol} to nanoseconds.
     *
     * @param timestamp units since the epoch.
     * @param tsresol   if_tsresol: bit 7 clear, 10^-n seconds; bit 7 set, 2^-n seconds.
     * @return nanoseconds since the epoch.
     */
    static long toNanos(final long timestamp, final int tsresol)
    {
        final int exponent = tsresol & 0x7F;
        if ((tsresol & 0x80) == 0)
        {
            if (exponent <= 9)
            {
                return timestamp * POWERS_OF_TEN[9 - exponent];
            }
            return exponent - 9 < POWERS_OF_TEN.length ? Long.divideUnsigned(timestamp, POWERS_OF_TEN[exponent - 9]) : 0;
        }
        if (exponent == 0)
        {
            return timestamp * 1_000_000_000L;
        }
        if (exponent >= 64)
        {
            return 0;
        }
        final long seconds = timestamp >>> exponent;
        final long fraction = timestamp & ((1L << exponent) - 1);
        // fraction * 10^9 can exceed 64 bits: take the 128-bit product and shift it right by the exponent.
        final long high = Math.multiplyHigh(fraction, 1_000_000_000L);
        final long low = fraction * 1_000_000_000L;
        final long fractionNanos = (low >>> exponent) | (high << (64 - exponent));
        return seconds * 1_000_000_000L + fractionNanos;
    }

    private static final long[] POWERS_OF_TEN =
    {
        1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L, 100_000_000L, 1_000_000_000L,
        10_000_000_000L, 100_000_000_000L, 1_000_000_000_000L, 10_000_000_000_000L, 100_000_000_000_000L,
        1_000_000_000_000_000L, 10_000_000_000_000_000L, 100_000_000_000_000_000L, 1_000_000_000_000_000_000L
    };

    @Override
    public int linkType()
    {
        return linkTypes[interfaceId];
    }

    @Override
    public int interfaceId()
    {
        return interfaceId;
    }

    @Override
    public CaptureFormat format()
    {
        return CaptureFormat.PCAPNG;
    }

}
