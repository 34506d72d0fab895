package io.vfplane.dataplane.headers;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * TCP header (RFC 9293; AE bit per RFC 9768 AccECN, formerly NS of RFC 3540). The 12-bit flags field is the 3
 * reserved bits, AE and the 8 classic flags; sequence and acknowledgment numbers are unsigned, returned as long.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          Source Port          |       Destination Port        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        Sequence Number                        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Acknowledgment Number                      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Data |     |A|C|E|U|A|P|R|S|F|                               |
 *  | Offset| Rsrv|E|W|C|R|C|S|S|Y|I|            Window             |
 *  |       |     | |R|E|G|K|H|T|N|N|                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |           Checksum            |         Urgent Pointer        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Options                    |    Padding    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class TcpFlyweight extends HeaderFlyweight
{
    public static final int SOURCE_PORT_OFFSET = 0;
    public static final int DESTINATION_PORT_OFFSET = 2;
    public static final int SEQUENCE_OFFSET = 4;
    public static final int ACKNOWLEDGMENT_OFFSET = 8;
    public static final int DATA_OFFSET_FLAGS_OFFSET = 12;
    public static final int WINDOW_OFFSET = 14;
    public static final int CHECKSUM_OFFSET = 16;
    public static final int URGENT_POINTER_OFFSET = 18;
    public static final int OPTIONS_OFFSET = 20;
    public static final int MIN_HEADER_LENGTH = 20;
    public static final int MAX_HEADER_LENGTH = 60;

    public static final int FLAG_FIN = 0x001;
    public static final int FLAG_SYN = 0x002;
    public static final int FLAG_RST = 0x004;
    public static final int FLAG_PSH = 0x008;
    public static final int FLAG_ACK = 0x010;
    public static final int FLAG_URG = 0x020;
    public static final int FLAG_ECE = 0x040;
    public static final int FLAG_CWR = 0x080;
    public static final int FLAG_AE = 0x100;
    public static final int FLAGS_RESERVED_MASK = 0xE00;
    public static final int FLAGS_MASK = 0xFFF;

    public static final int OPTION_MSS = 2;
    public static final int OPTION_WINDOW_SCALE = 3;
    public static final int OPTION_SACK_PERMITTED = 4;
    public static final int OPTION_SACK = 5;
    public static final int OPTION_TIMESTAMP = 8;

    public TcpFlyweight wrap(final DirectBuffer buffer, final int offset)
    {
        wrapReadOnly(buffer, offset);
        return this;
    }

    public TcpFlyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        wrapMutable(buffer, offset);
        return this;
    }

    public int sourcePort()
    {
        return u16(SOURCE_PORT_OFFSET);
    }

    public TcpFlyweight sourcePort(final int port)
    {
        u16(SOURCE_PORT_OFFSET, port);
        return this;
    }

    public int destinationPort()
    {
        return u16(DESTINATION_PORT_OFFSET);
    }

    public TcpFlyweight destinationPort(final int port)
    {
        u16(DESTINATION_PORT_OFFSET, port);
        return this;
    }

    public long sequenceNumber()
    {
        return u32(SEQUENCE_OFFSET);
    }

    public TcpFlyweight sequenceNumber(final long sequence)
    {
        i32(SEQUENCE_OFFSET, (int)sequence);
        return this;
    }

    public long acknowledgmentNumber()
    {
        return u32(ACKNOWLEDGMENT_OFFSET);
    }

    public TcpFlyweight acknowledgmentNumber(final long acknowledgment)
    {
        i32(ACKNOWLEDGMENT_OFFSET, (int)acknowledgment);
        return this;
    }

    /** Data offset in 32-bit words. */
    public int dataOffset()
    {
        return u8(DATA_OFFSET_FLAGS_OFFSET) >>> 4;
    }

    public TcpFlyweight dataOffset(final int words)
    {
        bits8(DATA_OFFSET_FLAGS_OFFSET, 0xF0, words << 4);
        return this;
    }

    /** Header length in bytes (data offset * 4). */
    public int headerLength()
    {
        return dataOffset() * 4;
    }

    /** The 12-bit flags field: reserved (0xE00), AE (0x100), CWR .. FIN (0x080 .. 0x001). */
    public int flags()
    {
        return u16(DATA_OFFSET_FLAGS_OFFSET) & FLAGS_MASK;
    }

    public TcpFlyweight flags(final int flags)
    {
        bits16(DATA_OFFSET_FLAGS_OFFSET, FLAGS_MASK, flags);
        return this;
    }

    public boolean flag(final int flag)
    {
        return (flags() & flag) == flag;
    }

    public TcpFlyweight flag(final int flag, final boolean set)
    {
        bits16(DATA_OFFSET_FLAGS_OFFSET, flag & FLAGS_MASK, set ? flag : 0);
        return this;
    }

    public int window()
    {
        return u16(WINDOW_OFFSET);
    }

    public TcpFlyweight window(final int window)
    {
        u16(WINDOW_OFFSET, window);
        return this;
    }

    public int checksum()
    {
        return u16(CHECKSUM_OFFSET);
    }

    public TcpFlyweight checksum(final int checksum)
    {
        u16(CHECKSUM_OFFSET, checksum);
        return this;
    }

    public int urgentPointer()
    {
        return u16(URGENT_POINTER_OFFSET);
    }

    public TcpFlyweight urgentPointer(final int urgentPointer)
    {
        u16(URGENT_POINTER_OFFSET, urgentPointer);
        return this;
    }

    public int optionsLength()
    {
        return Math.max(0, headerLength() - MIN_HEADER_LENGTH);
    }

    /**
     * Position iterator over this header's options (kind / length), never beyond limit.
     *
     * @param iterator reused iterator.
     * @param limit    absolute exclusive bound (captured end).
     * @return iterator.
     */
    public KindLengthOptionIterator options(final KindLengthOptionIterator iterator, final int limit)
    {
        return iterator.reset(buffer, offset + OPTIONS_OFFSET, Math.min(limit, offset + headerLength()));
    }
}
