package io.vfplane.dataplane.headers;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * GRE header (RFC 2784 with the key and sequence number of RFC 2890; NVGRE of RFC 7637 is GRE with K set, protocol
 * 0x6558, and a key made of a 24-bit VSID and an 8-bit FlowID).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |C| |K|S| Reserved0       | Ver |         Protocol Type         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      Checksum (optional)      |       Reserved1 (Optional)    |  if C
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                         Key (optional)                        |  if K
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 Sequence Number (Optional)                    |  if S
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * The optional fields move with the flags: set the flags first, then the fields.
 */
public final class GreFlyweight extends HeaderFlyweight
{
    public static final int FLAGS_VERSION_OFFSET = 0;
    public static final int PROTOCOL_TYPE_OFFSET = 2;
    public static final int OPTIONAL_FIELDS_OFFSET = 4;
    public static final int BASE_HEADER_LENGTH = 4;
    public static final int MAX_HEADER_LENGTH = 16;
    /** Each optional field present (checksum + reserved1, key, sequence number, acknowledgment) takes 4 bytes. */
    public static final int OPTIONAL_FIELD_LENGTH = 4;

    public static final int FLAG_CHECKSUM = 0x8000;
    public static final int FLAG_ROUTING = 0x4000;
    public static final int FLAG_KEY = 0x2000;
    public static final int FLAG_SEQUENCE = 0x1000;
    /** A: acknowledgment number present; enhanced GRE (version 1, RFC 2637) only. */
    public static final int FLAG_ACKNOWLEDGMENT = 0x0080;
    public static final int VERSION_MASK = 0x0007;

    public static final int PROTOCOL_TEB = 0x6558;

    public GreFlyweight wrap(final DirectBuffer buffer, final int offset)
    {
        wrapReadOnly(buffer, offset);
        return this;
    }

    public GreFlyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        wrapMutable(buffer, offset);
        return this;
    }

    /** The first 16 bits: flags, reserved0 and version. */
    public int flagsAndVersion()
    {
        return u16(FLAGS_VERSION_OFFSET);
    }

    public GreFlyweight flagsAndVersion(final int value)
    {
        u16(FLAGS_VERSION_OFFSET, value);
        return this;
    }

    public boolean checksumPresent()
    {
        return (flagsAndVersion() & FLAG_CHECKSUM) != 0;
    }

    public GreFlyweight checksumPresent(final boolean present)
    {
        bits16(FLAGS_VERSION_OFFSET, FLAG_CHECKSUM, present ? FLAG_CHECKSUM : 0);
        return this;
    }

    public boolean keyPresent()
    {
        return (flagsAndVersion() & FLAG_KEY) != 0;
    }

    public GreFlyweight keyPresent(final boolean present)
    {
        bits16(FLAGS_VERSION_OFFSET, FLAG_KEY, present ? FLAG_KEY : 0);
        return this;
    }

    public boolean sequencePresent()
    {
        return (flagsAndVersion() & FLAG_SEQUENCE) != 0;
    }

    public GreFlyweight sequencePresent(final boolean present)
    {
        bits16(FLAGS_VERSION_OFFSET, FLAG_SEQUENCE, present ? FLAG_SEQUENCE : 0);
        return this;
    }

    public int version()
    {
        return flagsAndVersion() & VERSION_MASK;
    }

    public GreFlyweight version(final int version)
    {
        bits16(FLAGS_VERSION_OFFSET, VERSION_MASK, version);
        return this;
    }

    public int protocolType()
    {
        return u16(PROTOCOL_TYPE_OFFSET);
    }

    public GreFlyweight protocolType(final int protocolType)
    {
        u16(PROTOCOL_TYPE_OFFSET, protocolType);
        return this;
    }

    /** Header length in bytes implied by C, K and S (version 0). */
    public int headerLength()
    {
        return BASE_HEADER_LENGTH +
            (checksumPresent() ? 4 : 0) + (keyPresent() ? 4 : 0) + (sequencePresent() ? 4 : 0);
    }

    /** Relative offset of the checksum (valid when C is set). */
    public int checksumOffset()
    {
        return OPTIONAL_FIELDS_OFFSET;
    }

    /** Relative offset of the key (valid when K is set): after the checksum word if C is set. */
    public int keyOffset()
    {
        return OPTIONAL_FIELDS_OFFSET + (checksumPresent() ? 4 : 0);
    }

    /** Relative offset of the sequence number (valid when S is set). */
    public int sequenceOffset()
    {
        return keyOffset() + (keyPresent() ? 4 : 0);
    }

    public int checksum()
    {
        return u16(checksumOffset());
    }

    public GreFlyweight checksum(final int checksum)
    {
        u16(checksumOffset(), checksum);
        return this;
    }

    public int reserved1()
    {
        return u16(checksumOffset() + 2);
    }

    public GreFlyweight reserved1(final int value)
    {
        u16(checksumOffset() + 2, value);
        return this;
    }

    public int key()
    {
        return i32(keyOffset());
    }

    public GreFlyweight key(final int key)
    {
        i32(keyOffset(), key);
        return this;
    }

    public long sequenceNumber()
    {
        return u32(sequenceOffset());
    }

    public GreFlyweight sequenceNumber(final long sequence)
    {
        i32(sequenceOffset(), (int)sequence);
        return this;
    }

    /** NVGRE Virtual Subnet ID: the high 24 bits of the key. */
    public int vsid()
    {
        return key() >>> 8;
    }

    /** NVGRE FlowID: the low 8 bits of the key. */
    public int flowId()
    {
        return key() & 0xFF;
    }

    /** Set the key from an NVGRE VSID and FlowID. */
    public GreFlyweight nvgreKey(final int vsid, final int flowId)
    {
        return key((vsid << 8) | (flowId & 0xFF));
    }
}
