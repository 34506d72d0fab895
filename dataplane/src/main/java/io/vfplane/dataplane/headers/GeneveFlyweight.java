package io.vfplane.dataplane.headers;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Geneve header (RFC 8926 3.4) with its variable-length options (walk them with
 * {@link #options(GeneveOptionIterator, int)}).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Ver|  Opt Len  |O|C|    Rsvd.  |          Protocol Type        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        Virtual Network Identifier (VNI)       |    Reserved   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                                                               |
 *  ~                    Variable-Length Options                    ~
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * Opt Len counts 4-byte words of options; O marks a control (OAM) packet; C says a critical option is present.
 */
public final class GeneveFlyweight extends HeaderFlyweight
{
    public static final int VERSION_OPTLEN_OFFSET = 0;
    public static final int FLAGS_OFFSET = 1;
    public static final int PROTOCOL_TYPE_OFFSET = 2;
    public static final int VNI_OFFSET = 4;
    public static final int RESERVED_OFFSET = 7;
    public static final int OPTIONS_OFFSET = 8;
    public static final int BASE_HEADER_LENGTH = 8;
    public static final int MAX_OPTIONS_LENGTH = 63 * 4;

    public static final int FLAG_OAM = 0x80;
    public static final int FLAG_CRITICAL = 0x40;
    public static final int PORT = 6081;

    public GeneveFlyweight wrap(final DirectBuffer buffer, final int offset)
    {
        wrapReadOnly(buffer, offset);
        return this;
    }

    public GeneveFlyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        wrapMutable(buffer, offset);
        return this;
    }

    public int version()
    {
        return u8(VERSION_OPTLEN_OFFSET) >>> 6;
    }

    public GeneveFlyweight version(final int version)
    {
        bits8(VERSION_OPTLEN_OFFSET, 0xC0, version << 6);
        return this;
    }

    /** Options length in 4-byte words (6 bits). */
    public int optionsLengthWords()
    {
        return u8(VERSION_OPTLEN_OFFSET) & 0x3F;
    }

    public GeneveFlyweight optionsLengthWords(final int words)
    {
        bits8(VERSION_OPTLEN_OFFSET, 0x3F, words);
        return this;
    }

    public int optionsLength()
    {
        return optionsLengthWords() * 4;
    }

    /** Header length with options in bytes. */
    public int headerLength()
    {
        return BASE_HEADER_LENGTH + optionsLength();
    }

    public boolean oam()
    {
        return (u8(FLAGS_OFFSET) & FLAG_OAM) != 0;
    }

    public GeneveFlyweight oam(final boolean set)
    {
        bits8(FLAGS_OFFSET, FLAG_OAM, set ? FLAG_OAM : 0);
        return this;
    }

    public boolean critical()
    {
        return (u8(FLAGS_OFFSET) & FLAG_CRITICAL) != 0;
    }

    public GeneveFlyweight critical(final boolean set)
    {
        bits8(FLAGS_OFFSET, FLAG_CRITICAL, set ? FLAG_CRITICAL : 0);
        return this;
    }

    /** The 6 reserved bits after O and C. */
    public int reservedFlags()
    {
        return u8(FLAGS_OFFSET) & 0x3F;
    }

    public int protocolType()
    {
        return u16(PROTOCOL_TYPE_OFFSET);
    }

    public GeneveFlyweight protocolType(final int protocolType)
    {
        u16(PROTOCOL_TYPE_OFFSET, protocolType);
        return this;
    }

    public int vni()
    {
        return u24(VNI_OFFSET);
    }

    public GeneveFlyweight vni(final int vni)
    {
        u24(VNI_OFFSET, vni);
        return this;
    }

    public int reserved()
    {
        return u8(RESERVED_OFFSET);
    }

    public GeneveFlyweight reserved(final int reserved)
    {
        u8(RESERVED_OFFSET, reserved);
        return this;
    }

    /**
     * Position iterator over the options.
     *
     * @param iterator reused iterator.
     * @param limit    absolute exclusive bound (captured end); options are read up to the smaller of it and the end
     *                 of the header.
     * @return iterator.
     */
    public GeneveOptionIterator options(final GeneveOptionIterator iterator, final int limit)
    {
        return iterator.reset(buffer, offset + OPTIONS_OFFSET, Math.min(limit, offset + headerLength()));
    }

    /**
     * Write an option header at an absolute offset (data is written by the caller).
     *
     * @return the option's total length in bytes.
     */
    public static int putOptionHeader(
        final MutableDirectBuffer buffer, final int at, final int optionClass, final int type, final int lengthWords)
    {
        buffer.putShort(at, (short)optionClass, BIG_ENDIAN);
        buffer.putByte(at + 2, (byte)type);
        buffer.putByte(at + 3, (byte)(lengthWords & 0x1F));
        return GeneveOptionIterator.OPTION_HEADER_LENGTH + (lengthWords & 0x1F) * 4;
    }
}
