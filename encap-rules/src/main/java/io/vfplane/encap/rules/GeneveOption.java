package io.vfplane.encap.rules;

/**
 * One Geneve TLV option (RFC 8926 section 3.5) written on encap.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Option Class         |      Type     |R|R|R| Length  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 Variable-Length Option Data                   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param optionClass 0..65535.
 * @param type        0..255; bit 0x80 is the critical bit.
 * @param data        a multiple of 4 bytes, at most 124.
 */
public record GeneveOption(int optionClass, int type, byte[] data)
{
    public GeneveOption
    {
        if (optionClass < 0 || optionClass > 0xFFFF)
        {
            throw new IllegalArgumentException("class: " + optionClass + " is out of range 0..65535");
        }
        if (type < 0 || type > 0xFF)
        {
            throw new IllegalArgumentException("type: " + type + " is out of range 0..255");
        }
        if (data.length % 4 != 0 || data.length > 124)
        {
            throw new IllegalArgumentException("data: " + data.length +
                " bytes; must be a multiple of 4 and at most 124");
        }
        data = data.clone();
    }

    /** Bytes this option takes on the wire. */
    public int wireLength()
    {
        return 4 + data.length;
    }

    /** The class and type packed as the decap stage's known-option key. */
    public static int key(final int optionClass, final int type)
    {
        return optionClass << 8 | type;
    }
}
