package io.vfplane.tsorsc;

import io.vfplane.dataplane.parse.LayerType;
import io.vfplane.dataplane.parse.LinkType;
import io.vfplane.dataplane.parse.PacketParser;
import io.vfplane.dataplane.parse.ParseResult;
import org.agrona.DirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * The shape of a frame as segmentation and coalescing see it: a run of headers that is copied onto every segment,
 * the fields in it that change per segment ("fixups"), and the L4 payload that is cut into pieces.
 *
 * <pre>
 *  frame start                                                  headerLength            payload end
 *  |<------------------------- headers (copied per segment) --------->|<-- payload (split) -->|
 *  +-----+------+------+------------------+-----+------+-------------+-----------------------+
 *  | Eth | IPv4 | UDP  | VXLAN/Geneve/... | Eth | IPv6 | TCP (+opts) | data ...              |
 *  +-----+------+------+------------------+-----+------+-------------+-----------------------+
 *        fixup  fixup                           fixup  l4Offset
 *        IPV4   UDP                             IPV6
 * </pre>
 *
 * Fixups are listed outermost first. Every format reduces to this list, whether the parser recognised it (VXLAN,
 * Geneve, NVGRE/GRE, plain) or a {@link TunnelDescription} declared it: the segmenter and the coalescer act on the
 * list only and hold no per-format code. Offsets are relative to the frame start, in the coordinates of the
 * <em>output</em> headers: a BIG TCP IPv6 hop-by-hop jumbo header present in the input is cut out of every segment
 * ({@link #cutOffset()}), so offsets after it are 8 less than in the input.
 * <p>
 * Mutable and reused: build one per frame with {@link #parse} or {@link #describe}; no allocation.
 */
public final class SegmentLayout
{
    /** An IPv4 header: total length, identification (+1 per segment) and header checksum change. */
    public static final int FIXUP_IPV4 = 1;
    /** An IPv6 header: payload length changes. */
    public static final int FIXUP_IPV6 = 2;
    /** A tunnel's UDP header: length changes, and the checksum if the frame had one. */
    public static final int FIXUP_UDP = 3;

    /** Layout built. */
    public static final int OK = 0;
    /** The parser refused the frame. */
    public static final int UNSUPPORTED_PARSE = 1;
    /** No TCP or UDP layer to segment. */
    public static final int UNSUPPORTED_NO_L4 = 2;
    /** Something between the headers that cannot be replicated per segment (fragment, GRE checksum, MPLS...). */
    public static final int UNSUPPORTED_LAYER = 3;
    /** More tunnel levels than {@link #MAX_FIXUPS} fixups. */
    public static final int UNSUPPORTED_DEPTH = 4;

    /** Most fixups a layout holds: three levels of IP-in-UDP tunnels. */
    public static final int MAX_FIXUPS = 8;

    private static final int IPV6_HEADER_LENGTH = 40;
    private static final int IPV6_PAYLOAD_LENGTH_OFFSET = 4;
    private static final int IPV6_NEXT_HEADER_OFFSET = 6;
    private static final int IPV4_FLAGS_FRAGMENT_OFFSET = 6;
    private static final int IPV4_MF_AND_OFFSET_MASK = 0x3FFF;
    private static final int HBH_JUMBO_LENGTH = 8;
    private static final int HBH_OPTION_TYPE_OFFSET = 2;
    private static final int OPTION_JUMBO = 0xC2;
    private static final int GRE_CHECKSUM_PRESENT = 0x80;
    private static final int UDP_CHECKSUM_OFFSET = 6;

    private final int[] fixupKind = new int[MAX_FIXUPS];
    private final int[] fixupOffset = new int[MAX_FIXUPS];
    private final boolean[] fixupChecksum = new boolean[MAX_FIXUPS];
    private int fixupCount;

    private int l4Protocol;
    private int l4Offset;
    private int l4HeaderLength;
    private int l4IpIndex;
    private int headerLength;
    private int payloadLength;

    private int cutOffset;
    private int cutLength;
    private int cutIpv6Offset;
    private int cutNextHeader;

    private int opaqueOffset = TunnelDescription.NONE;
    private int opaqueLength;

    /**
     * Builds the layout of a frame the parser understands (plain, VXLAN, Geneve, GRE/NVGRE, nested).
     *
     * @param parser  a parser (its configuration decides which UDP ports are tunnels).
     * @param scratch a parse result to fill.
     * @param buffer  holding the frame.
     * @param offset  where the frame starts.
     * @param length  frame length.
     * @return {@link #OK} or an UNSUPPORTED_ reason.
     */
    public int parse(
        final PacketParser parser,
        final ParseResult scratch,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        clear();
        parser.parse(buffer, offset, length, LinkType.ETHERNET, scratch);
        if (!scratch.ok())
        {
            return UNSUPPORTED_PARSE;
        }
        return addLayers(buffer, offset, scratch, 0);
    }

    /**
     * Builds the layout of a frame in a declared (custom) tunnel format: the outer fixups come from the description,
     * the inner frame is parsed from {@link TunnelDescription#outerHeaderLength()} on.
     *
     * @param description the format's description.
     * @param parser      a parser for the inner frame.
     * @param scratch     a parse result to fill.
     * @param buffer      holding the frame.
     * @param offset      where the frame starts.
     * @param length      frame length.
     * @return {@link #OK} or an UNSUPPORTED_ reason.
     */
    public int describe(
        final TunnelDescription description,
        final PacketParser parser,
        final ParseResult scratch,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        clear();
        final int outer = description.outerHeaderLength();
        if (length < outer)
        {
            return UNSUPPORTED_PARSE;
        }
        final int version = (buffer.getByte(offset + description.ipOffset()) >> 4) & 0x0F;
        add(version == 4 ? FIXUP_IPV4 : FIXUP_IPV6, description.ipOffset(), false);
        if (description.udpOffset() != TunnelDescription.NONE)
        {
            add(FIXUP_UDP, description.udpOffset(),
                buffer.getShort(offset + description.udpOffset() + UDP_CHECKSUM_OFFSET, BIG_ENDIAN) != 0);
        }
        if (description.opaqueOffset() != TunnelDescription.NONE)
        {
            opaque(description.opaqueOffset(), description.opaqueLength());
        }
        parser.parse(buffer, offset + outer, length - outer, LinkType.ETHERNET, scratch);
        if (!scratch.ok())
        {
            return UNSUPPORTED_PARSE;
        }
        return addLayers(buffer, offset, scratch, 0);
    }

    /**
     * Declares an opaque field in the headers (offset from frame start, before any cut), rewritten per segment by an
     * {@link OpaqueFieldWriter} and compared as part of the flow by the coalescer like any other header byte.
     *
     * @param offset from frame start.
     * @param length bytes.
     */
    public void opaque(final int offset, final int length)
    {
        opaqueOffset = offset;
        opaqueLength = length;
    }

    private void clear()
    {
        fixupCount = 0;
        l4Protocol = 0;
        l4Offset = 0;
        l4HeaderLength = 0;
        l4IpIndex = -1;
        headerLength = 0;
        payloadLength = 0;
        cutOffset = 0;
        cutLength = 0;
        cutIpv6Offset = 0;
        cutNextHeader = 0;
        opaqueOffset = TunnelDescription.NONE;
        opaqueLength = 0;
    }

    private boolean add(final int kind, final int offset, final boolean checksum)
    {
        if (fixupCount == MAX_FIXUPS)
        {
            return false;
        }
        fixupKind[fixupCount] = kind;
        fixupOffset[fixupCount] = offset;
        fixupChecksum[fixupCount] = checksum;
        fixupCount++;
        return true;
    }

    private int addLayers(final DirectBuffer buffer, final int frameOffset, final ParseResult r, final int from)
    {
        final int count = r.layerCount();
        for (int i = from; i < count; i++)
        {
            final int type = r.layerType(i);
            final int at = r.layerOffset(i);
            final int rel = at - frameOffset - cutLength;
            final boolean last = i + 1 == count || r.layerType(i + 1) == LayerType.PAYLOAD;
            switch (type)
            {
                case LayerType.ETHERNET, LayerType.VLAN, LayerType.QINQ, LayerType.VXLAN, LayerType.GENEVE,
                     LayerType.IPV6_ROUTING, LayerType.IPV6_DSTOPTS:
                    break;
                case LayerType.GRE:
                    if ((buffer.getByte(at) & GRE_CHECKSUM_PRESENT) != 0)
                    {
                        return UNSUPPORTED_LAYER;
                    }
                    break;
                case LayerType.IPV4:
                    if ((buffer.getShort(at + IPV4_FLAGS_FRAGMENT_OFFSET, BIG_ENDIAN) & IPV4_MF_AND_OFFSET_MASK) != 0)
                    {
                        return UNSUPPORTED_LAYER;
                    }
                    if (!add(FIXUP_IPV4, rel, false))
                    {
                        return UNSUPPORTED_DEPTH;
                    }
                    break;
                case LayerType.IPV6:
                    if (!add(FIXUP_IPV6, rel, false))
                    {
                        return UNSUPPORTED_DEPTH;
                    }
                    if (i + 1 < count && r.layerType(i + 1) == LayerType.IPV6_HOPOPT &&
                        buffer.getShort(at + IPV6_PAYLOAD_LENGTH_OFFSET, BIG_ENDIAN) == 0 && cutLength == 0)
                    {
                        // BIG TCP: payload length 0 and a jumbo option. Segments are small: drop the hop-by-hop
                        // header and let payload length speak, as the kernel's GSO does.
                        final int hbh = r.layerOffset(i + 1);
                        if (r.layerHeaderLength(i + 1) != HBH_JUMBO_LENGTH ||
                            (buffer.getByte(hbh + HBH_OPTION_TYPE_OFFSET) & 0xFF) != OPTION_JUMBO)
                        {
                            return UNSUPPORTED_LAYER;
                        }
                        cutOffset = hbh - frameOffset;
                        cutLength = HBH_JUMBO_LENGTH;
                        cutIpv6Offset = rel;
                        cutNextHeader = buffer.getByte(hbh) & 0xFF;
                        i++;
                    }
                    break;
                case LayerType.IPV6_HOPOPT:
                    break;
                case LayerType.UDP:
                    if (last)
                    {
                        return l4(r, i, frameOffset, rel, 17);
                    }
                    if (!add(FIXUP_UDP, rel, buffer.getShort(at + UDP_CHECKSUM_OFFSET, BIG_ENDIAN) != 0))
                    {
                        return UNSUPPORTED_DEPTH;
                    }
                    break;
                case LayerType.TCP:
                    return last ? l4(r, i, frameOffset, rel, 6) : UNSUPPORTED_LAYER;
                default:
                    return UNSUPPORTED_LAYER;
            }
        }
        return UNSUPPORTED_NO_L4;
    }

    private int l4(final ParseResult r, final int i, final int frameOffset, final int rel, final int protocol)
    {
        l4IpIndex = -1;
        for (int f = fixupCount - 1; f >= 0; f--)
        {
            if (fixupKind[f] == FIXUP_IPV4 || fixupKind[f] == FIXUP_IPV6)
            {
                l4IpIndex = f;
                break;
            }
        }
        if (l4IpIndex < 0)
        {
            return UNSUPPORTED_NO_L4;
        }
        l4Protocol = protocol;
        l4Offset = rel;
        l4HeaderLength = r.layerHeaderLength(i);
        headerLength = rel + l4HeaderLength;
        payloadLength = r.layerLimit(i) - (r.layerOffset(i) + l4HeaderLength);
        return payloadLength < 0 ? UNSUPPORTED_PARSE : OK;
    }

    public int fixupCount()
    {
        return fixupCount;
    }

    public int fixupKind(final int i)
    {
        return fixupKind[i];
    }

    public int fixupOffset(final int i)
    {
        return fixupOffset[i];
    }

    /**
     * @param i a {@link #FIXUP_UDP} fixup.
     * @return true if the frame carried a UDP checksum (kept and recomputed), false if it carried 0 (left 0).
     */
    public boolean fixupChecksum(final int i)
    {
        return fixupChecksum[i];
    }

    /**
     * @return 6 (TCP) or 17 (UDP).
     */
    public int l4Protocol()
    {
        return l4Protocol;
    }

    /**
     * @return where the segmented L4 header starts (output coordinates).
     */
    public int l4Offset()
    {
        return l4Offset;
    }

    public int l4HeaderLength()
    {
        return l4HeaderLength;
    }

    /**
     * @return offset of the IP header the L4 checksum's pseudo header is taken from (output coordinates).
     */
    public int l4IpOffset()
    {
        return fixupOffset[l4IpIndex];
    }

    /**
     * @return headers of one output segment, L4 header included.
     */
    public int headerLength()
    {
        return headerLength;
    }

    /**
     * @return headers as they stand in the input frame (headerLength plus any cut).
     */
    public int inputHeaderLength()
    {
        return headerLength + cutLength;
    }

    /**
     * @return L4 payload bytes of the input frame (Ethernet padding excluded).
     */
    public int payloadLength()
    {
        return payloadLength;
    }

    public int cutOffset()
    {
        return cutOffset;
    }

    public int cutLength()
    {
        return cutLength;
    }

    public int cutIpv6Offset()
    {
        return cutIpv6Offset;
    }

    public int cutNextHeader()
    {
        return cutNextHeader;
    }

    public int opaqueOffset()
    {
        return opaqueOffset;
    }

    public int opaqueLength()
    {
        return opaqueLength;
    }

    /**
     * @return true if the frame is tunnelled (more than one IP header).
     */
    public boolean isTunnel()
    {
        return l4IpIndex > 0;
    }
}
