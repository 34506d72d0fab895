package io.vfplane.tsorsc;

/**
 * What segmentation and coalescing need to know of a tunnel format that the parser does not know (a custom format
 * declared in config): where its outer headers end and which of their fields change from segment to segment. It is
 * neutral on purpose: the format definitions live elsewhere (encap-rules) and map their declarations onto this, so
 * this module needs no dependency on them and holds no per-format logic.
 *
 * <pre>
 *  frame start                                                        outerHeaderLength
 *  |                                                                  |
 *  +----------+-------------+---------+----------------------------+--+------------------------------+
 *  | Ethernet | IPv4 / IPv6 | UDP (?) | format header ... [opaque] ... | inner Ethernet | IP | TCP ... |
 *  +----------+-------------+---------+----------------------------+--+------------------------------+
 *             ^ ipOffset    ^ udpOffset (or NONE)  ^ opaqueOffset, opaqueLength (or NONE)
 * </pre>
 *
 * All offsets count from the first byte of the frame. Per segment: the outer IP length (IPv4 total length or IPv6
 * payload length) and the UDP length are set, the outer IPv4 identification increments and its header checksum is
 * recomputed, the UDP checksum is recomputed if the frame had one (left 0 if it had 0). The format header itself
 * (everything from the end of UDP, or of IP, to {@code outerHeaderLength}) is copied unchanged onto every segment,
 * except the opaque field, which an {@link OpaqueFieldWriter} may rewrite per segment. A length field inside the
 * format header is not supported (no declared format has one; say so if one does).
 */
public final class TunnelDescription
{
    /** No such field. */
    public static final int NONE = -1;

    private int outerHeaderLength;
    private int ipOffset = NONE;
    private int udpOffset = NONE;
    private int opaqueOffset = NONE;
    private int opaqueLength;

    /**
     * Sets every field at once and checks them.
     *
     * @param outerHeaderLength bytes from frame start to the inner Ethernet header.
     * @param ipOffset          where the outer IPv4/IPv6 header starts (version read from the header).
     * @param udpOffset         where the outer UDP header starts, or {@link #NONE} (e.g. a format over raw IP).
     * @param opaqueOffset      where a declared opaque field starts, or {@link #NONE}.
     * @param opaqueLength      its length in bytes (0 if none).
     * @return this.
     */
    public TunnelDescription set(
        final int outerHeaderLength,
        final int ipOffset,
        final int udpOffset,
        final int opaqueOffset,
        final int opaqueLength)
    {
        if (ipOffset < 0 || ipOffset + 20 > outerHeaderLength)
        {
            throw new IllegalArgumentException("ipOffset " + ipOffset + " outside outer header " + outerHeaderLength);
        }
        if (udpOffset != NONE && (udpOffset <= ipOffset || udpOffset + 8 > outerHeaderLength))
        {
            throw new IllegalArgumentException("udpOffset " + udpOffset + " outside outer header");
        }
        if (opaqueOffset != NONE && (opaqueOffset < 0 || opaqueLength < 1 ||
            opaqueOffset + opaqueLength > outerHeaderLength))
        {
            throw new IllegalArgumentException("opaque field " + opaqueOffset + "+" + opaqueLength +
                " outside outer header " + outerHeaderLength);
        }
        this.outerHeaderLength = outerHeaderLength;
        this.ipOffset = ipOffset;
        this.udpOffset = udpOffset;
        this.opaqueOffset = opaqueOffset;
        this.opaqueLength = opaqueOffset == NONE ? 0 : opaqueLength;
        return this;
    }

    public int outerHeaderLength()
    {
        return outerHeaderLength;
    }

    public int ipOffset()
    {
        return ipOffset;
    }

    public int udpOffset()
    {
        return udpOffset;
    }

    public int opaqueOffset()
    {
        return opaqueOffset;
    }

    public int opaqueLength()
    {
        return opaqueLength;
    }
}
