package io.vfplane.dataplane.parse;

import io.vfplane.dataplane.headers.ArpFlyweight;
import io.vfplane.dataplane.headers.EthernetFlyweight;
import io.vfplane.dataplane.headers.GeneveFlyweight;
import io.vfplane.dataplane.headers.GeneveOptionIterator;
import io.vfplane.dataplane.headers.GreFlyweight;
import io.vfplane.dataplane.headers.IcmpFlyweight;
import io.vfplane.dataplane.headers.Icmpv6Flyweight;
import io.vfplane.dataplane.headers.Ipv4Flyweight;
import io.vfplane.dataplane.headers.Ipv6ExtensionFlyweight;
import io.vfplane.dataplane.headers.Ipv6Flyweight;
import io.vfplane.dataplane.headers.Ipv6FragmentFlyweight;
import io.vfplane.dataplane.headers.Ipv6OptionIterator;
import io.vfplane.dataplane.headers.KindLengthOptionIterator;
import io.vfplane.dataplane.headers.MplsFlyweight;
import io.vfplane.dataplane.headers.TcpFlyweight;
import io.vfplane.dataplane.headers.UdpFlyweight;
import io.vfplane.dataplane.headers.VlanTagFlyweight;
import io.vfplane.dataplane.headers.VxlanFlyweight;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Bounded, allocation-free parser of captured frames into a {@link ParseResult}.
 * <p>
 * Every read is checked against the captured end (and, inside an IP datagram, against the datagram's end), never
 * against a length field alone: length fields only ever shrink the region a later header may occupy. The parser never
 * throws on packet content and allocates nothing per packet, so it can sit on the data path.
 * <p>
 * What it decodes:
 * <pre>
 *   link:    Ethernet (+ stacked 802.1Q / 802.1ad tags), Linux SLL, raw IPv4 / IPv6
 *   L2.5:    MPLS label stack (then IPv4 / IPv6 by first nibble), ARP
 *   L3:      IPv4 (options checked), IPv6 (+ hop-by-hop, routing, fragment, destination options; jumbo payload)
 *   L4:      UDP, TCP (options checked), ICMP, ICMPv6
 *   tunnels: IPv4/IPv6-in-IP (4, 41), GRE (47; Ethernet/IPv4/IPv6/MPLS), VXLAN (configured UDP ports),
 *            Geneve (Ethernet/IPv4/IPv6/ARP), MPLS-in-UDP (6635), GRE-in-UDP (4754); nested to any depth up to the
 *            layer limit
 * </pre>
 * Anything else ends the parse with a PAYLOAD layer over the remaining bytes.
 * Non-first IPv4 / IPv6 fragments stop at the IP layer: their bytes are not an L4 header.
 * <p>
 * Not thread safe: one parser per thread (it keeps the cursor of the frame being parsed in fields).
 */
public final class PacketParser
{
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;

    // Field offsets, header lengths, flags and the protocol numbers they name come from the flyweights in
    // io.vfplane.dataplane.headers (static final ints, folded by javac and the JIT), so the parser and the code that
    // reads the layers it finds cannot disagree on a layout. Only values no flyweight names are kept here.

    /** 802.1Q tag protocol identifier used for QinQ before 802.1ad (0x88A8) was assigned. */
    private static final int ETHERTYPE_QINQ_OLD = 0x9100;
    private static final int ETHERTYPE_MPLS_MULTICAST = 0x8848;

    // Linux "cooked" capture header (SLL, LINKTYPE_LINUX_SLL): a capture format, not a wire header, so no flyweight.
    private static final int SLL_HEADER_LENGTH = 16;
    private static final int SLL_PROTOCOL_OFFSET = 14;

    // GRE version field: 0 is RFC 2784 / 2890 GRE, 1 is the enhanced GRE of PPTP (RFC 2637).
    private static final int GRE_VERSION_STANDARD = 0;
    private static final int GRE_VERSION_ENHANCED = 1;

    // What the cursor points at next.
    private static final int NEXT_DONE = 0;
    private static final int NEXT_ETHERNET = 1;
    private static final int NEXT_ETHERTYPE = 2;
    private static final int NEXT_SLL = 3;
    private static final int NEXT_RAW_IP = 4;
    private static final int NEXT_IPV4 = 5;
    private static final int NEXT_IPV6 = 6;
    private static final int NEXT_IP_PROTOCOL = 7;
    private static final int NEXT_MPLS = 8;
    private static final int NEXT_ARP = 9;
    private static final int NEXT_UDP = 10;
    private static final int NEXT_TCP = 11;
    private static final int NEXT_ICMP = 12;
    private static final int NEXT_ICMPV6 = 13;
    private static final int NEXT_VXLAN = 14;
    private static final int NEXT_GENEVE = 15;
    private static final int NEXT_GRE = 16;
    private static final int NEXT_PAYLOAD = 17;

    private final boolean[] vxlanPorts = new boolean[65536];
    private final int genevePort;
    private final int mplsUdpPort;
    private final int greUdpPort;
    private final int maxLayers;
    private final boolean descendIntoTunnels;

    // Cursor of the frame being parsed; fields rather than locals so the step methods can return the next state.
    private DirectBuffer buffer;
    private ParseResult out;
    private int position;
    private int limit;
    private int nextValue;
    private int capturedEnd;
    private long fragmentEnd;
    private DropReason drop;

    /**
     * Parser with the default {@link ParserConfig}.
     */
    public PacketParser()
    {
        this(new ParserConfig());
    }

    /**
     * @param config settings, copied: later changes to config do not affect this parser.
     */
    public PacketParser(final ParserConfig config)
    {
        System.arraycopy(config.vxlanPortTable(), 0, vxlanPorts, 0, vxlanPorts.length);
        genevePort = config.genevePort();
        mplsUdpPort = config.mplsUdpPort();
        greUdpPort = config.greUdpPort();
        maxLayers = config.maxLayers();
        descendIntoTunnels = config.descendIntoTunnels();
    }

    /**
     * Parse one captured frame.
     *
     * @param buffer         holding the frame.
     * @param offset         of the first byte of the frame in buffer.
     * @param capturedLength bytes captured (may be less than on the wire); reads never go beyond it, nor beyond the
     *                       buffer's capacity.
     * @param linkType       a {@link LinkType} of the capture.
     * @param out            reset and filled with the layers found.
     * @return out.dropReason().
     */
    public DropReason parse(
        final DirectBuffer buffer, final int offset, final int capturedLength, final int linkType, final ParseResult out)
    {
        out.reset();
        final long capacity = buffer.capacity();
        if (offset < 0 || capturedLength < 0 || offset > capacity)
        {
            out.capturedEnd(Math.max(0, offset));
            out.payloadOffset(Math.max(0, offset));
            out.dropReason(DropReason.TRUNCATED);
            return DropReason.TRUNCATED;
        }
        final int end = (int)Math.min((long)offset + capturedLength, capacity);
        out.capturedEnd(end);
        out.payloadOffset(offset);

        this.buffer = buffer;
        this.out = out;
        this.position = offset;
        this.limit = end;
        this.nextValue = 0;
        this.capturedEnd = end;
        this.fragmentEnd = -1;
        this.drop = DropReason.NONE;

        int next;
        switch (linkType)
        {
            case LinkType.ETHERNET:
                next = NEXT_ETHERNET;
                break;
            case LinkType.LINUX_SLL:
                next = NEXT_SLL;
                break;
            case LinkType.RAW:
            case LinkType.RAW_BSD:
            case LinkType.RAW_OPENBSD:
                next = NEXT_RAW_IP;
                break;
            case LinkType.IPV4:
                next = NEXT_IPV4;
                break;
            case LinkType.IPV6:
                next = NEXT_IPV6;
                break;
            default:
                next = NEXT_DONE;
                drop = DropReason.UNSUPPORTED_LINK_TYPE;
                break;
        }

        // Every step either records a layer and advances the cursor, or ends the parse, so this loop is bounded by
        // the captured length and the layer limit.
        while (next != NEXT_DONE)
        {
            switch (next)
            {
                case NEXT_ETHERNET:
                    next = ethernet();
                    break;
                case NEXT_ETHERTYPE:
                    next = ethertype(nextValue);
                    break;
                case NEXT_SLL:
                    next = sll();
                    break;
                case NEXT_RAW_IP:
                    next = rawIp();
                    break;
                case NEXT_IPV4:
                    next = ipv4();
                    break;
                case NEXT_IPV6:
                    next = ipv6();
                    break;
                case NEXT_IP_PROTOCOL:
                    next = ipProtocol(nextValue);
                    break;
                case NEXT_MPLS:
                    next = mpls();
                    break;
                case NEXT_ARP:
                    next = arp();
                    break;
                case NEXT_UDP:
                    next = udp();
                    break;
                case NEXT_TCP:
                    next = tcp();
                    break;
                case NEXT_ICMP:
                    next = fixed(LayerType.ICMP, IcmpFlyweight.HEADER_LENGTH);
                    break;
                case NEXT_ICMPV6:
                    next = fixed(LayerType.ICMPV6, Icmpv6Flyweight.HEADER_LENGTH);
                    break;
                case NEXT_VXLAN:
                    next = vxlan();
                    break;
                case NEXT_GENEVE:
                    next = geneve();
                    break;
                case NEXT_GRE:
                    next = gre();
                    break;
                case NEXT_PAYLOAD:
                    next = payload();
                    break;
                default:
                    next = NEXT_DONE;
                    break;
            }
        }

        final DropReason reason = drop;
        out.dropReason(reason);
        this.buffer = null;
        this.out = null;
        return reason;
    }

    private int remaining()
    {
        return limit - position;
    }

    /**
     * A header does not fit in the bytes left. If that is because the datagram is a first fragment that ends inside
     * the header (tiny fragments are legal, if suspicious), the rest is payload of the fragment; otherwise the capture
     * or the packet is cut.
     */
    private int truncated()
    {
        if (fragmentEnd >= 0 && fragmentEnd <= capturedEnd && position < limit)
        {
            return NEXT_PAYLOAD;
        }
        return fail(DropReason.TRUNCATED);
    }

    private int fail(final DropReason reason)
    {
        drop = reason;
        return NEXT_DONE;
    }

    private boolean add(final int type, final int headerLength, final int layerLimit)
    {
        if (out.layerCount() >= maxLayers || !out.addLayer(type, position, headerLength, layerLimit))
        {
            drop = DropReason.TOO_MANY_LAYERS;
            return false;
        }
        return true;
    }

    private int u8(final int at)
    {
        return buffer.getByte(at) & 0xFF;
    }

    private int u16(final int at)
    {
        return buffer.getShort(at, BE) & 0xFFFF;
    }

    /** The version nibble of an IPv4 or IPv6 header at the cursor: the same first four bits in both. */
    private int ipVersion()
    {
        return u8(position + Ipv4Flyweight.VERSION_IHL_OFFSET) >>> 4;
    }

    private int tunnel(final int next)
    {
        return descendIntoTunnels ? next : NEXT_PAYLOAD;
    }

    private int payload()
    {
        final int length = remaining();
        if (length > 0)
        {
            if (!add(LayerType.PAYLOAD, length, limit))
            {
                return NEXT_DONE;
            }
            // payloadOffset stays where the payload starts, not after it.
            out.payloadOffset(position);
        }
        return NEXT_DONE;
    }

    private int fixed(final int type, final int headerLength)
    {
        if (remaining() < headerLength)
        {
            return truncated();
        }
        if (!add(type, headerLength, limit))
        {
            return NEXT_DONE;
        }
        position += headerLength;
        return NEXT_PAYLOAD;
    }

    private int ethernet()
    {
        if (remaining() < EthernetFlyweight.HEADER_LENGTH)
        {
            return truncated();
        }
        if (!add(LayerType.ETHERNET, EthernetFlyweight.HEADER_LENGTH, limit))
        {
            return NEXT_DONE;
        }
        nextValue = u16(position + EthernetFlyweight.ETHERTYPE_OFFSET);
        position += EthernetFlyweight.HEADER_LENGTH;
        return NEXT_ETHERTYPE;
    }

    private int ethertype(final int ethertype)
    {
        switch (ethertype)
        {
            case EthernetFlyweight.ETHERTYPE_VLAN:
                return vlan(LayerType.VLAN);
            case EthernetFlyweight.ETHERTYPE_QINQ:
            case ETHERTYPE_QINQ_OLD:
                return vlan(LayerType.QINQ);
            case EthernetFlyweight.ETHERTYPE_IPV4:
                return NEXT_IPV4;
            case EthernetFlyweight.ETHERTYPE_IPV6:
                return NEXT_IPV6;
            case EthernetFlyweight.ETHERTYPE_ARP:
                return NEXT_ARP;
            case EthernetFlyweight.ETHERTYPE_MPLS:
            case ETHERTYPE_MPLS_MULTICAST:
                return NEXT_MPLS;
            default:
                // 802.3 length field (LLC: STP, CDP, ...) or an ethertype we do not decode.
                return NEXT_PAYLOAD;
        }
    }

    private int vlan(final int type)
    {
        if (remaining() < VlanTagFlyweight.HEADER_LENGTH)
        {
            return truncated();
        }
        if (!add(type, VlanTagFlyweight.HEADER_LENGTH, limit))
        {
            return NEXT_DONE;
        }
        nextValue = u16(position + VlanTagFlyweight.ETHERTYPE_OFFSET);
        position += VlanTagFlyweight.HEADER_LENGTH;
        return NEXT_ETHERTYPE;
    }

    private int sll()
    {
        if (remaining() < SLL_HEADER_LENGTH)
        {
            return truncated();
        }
        if (!add(LayerType.SLL, SLL_HEADER_LENGTH, limit))
        {
            return NEXT_DONE;
        }
        nextValue = u16(position + SLL_PROTOCOL_OFFSET);
        position += SLL_HEADER_LENGTH;
        // Protocol values below 0x0600 are Linux pseudo protocols (802.3, 802.2 LLC, ...), not ethertypes.
        return nextValue >= EthernetFlyweight.ETHERTYPE_MIN ? NEXT_ETHERTYPE : NEXT_PAYLOAD;
    }

    private int rawIp()
    {
        if (remaining() < 1)
        {
            return truncated();
        }
        final int version = ipVersion();
        if (version == Ipv4Flyweight.VERSION)
        {
            return NEXT_IPV4;
        }
        if (version == Ipv6Flyweight.VERSION)
        {
            return NEXT_IPV6;
        }
        return fail(DropReason.BAD_VERSION);
    }

    private int mpls()
    {
        final int start = position;
        int at = start;
        boolean bottom = false;
        while (!bottom)
        {
            if (limit - at < MplsFlyweight.ENTRY_LENGTH)
            {
                return truncated();
            }
            bottom = (buffer.getInt(at + MplsFlyweight.ENTRY_OFFSET, BE) & MplsFlyweight.BOTTOM_OF_STACK_BIT) != 0;
            at += MplsFlyweight.ENTRY_LENGTH;
        }
        // The whole label stack is one layer; MplsFlyweight reads its entries.
        if (!add(LayerType.MPLS, at - start, limit))
        {
            return NEXT_DONE;
        }
        position = at;
        if (remaining() < 1)
        {
            // A label stack carries something: nothing after the bottom of stack means the packet was cut.
            return truncated();
        }
        // MPLS does not say what it carries: guess from the first nibble as routers and tshark do.
        final int version = ipVersion();
        if (version == Ipv4Flyweight.VERSION)
        {
            return NEXT_IPV4;
        }
        if (version == Ipv6Flyweight.VERSION)
        {
            return NEXT_IPV6;
        }
        return NEXT_PAYLOAD;
    }

    private int arp()
    {
        if (remaining() < ArpFlyweight.FIXED_LENGTH)
        {
            return truncated();
        }
        final int hardwareLength = u8(position + ArpFlyweight.HARDWARE_LENGTH_OFFSET);
        final int protocolLength = u8(position + ArpFlyweight.PROTOCOL_LENGTH_OFFSET);
        final int length = ArpFlyweight.FIXED_LENGTH + 2 * hardwareLength + 2 * protocolLength;
        if (remaining() < length)
        {
            return truncated();
        }
        if (!add(LayerType.ARP, length, limit))
        {
            return NEXT_DONE;
        }
        position += length;
        // Whatever follows ARP in a frame is Ethernet padding: not payload.
        return NEXT_DONE;
    }

    private int ipv4()
    {
        if (remaining() < 1)
        {
            return truncated();
        }
        final int versionIhl = u8(position + Ipv4Flyweight.VERSION_IHL_OFFSET);
        if ((versionIhl >>> 4) != Ipv4Flyweight.VERSION)
        {
            return fail(DropReason.BAD_VERSION);
        }
        if (remaining() < Ipv4Flyweight.MIN_HEADER_LENGTH)
        {
            return truncated();
        }
        final int headerLength = (versionIhl & 0x0F) * 4;
        if (headerLength < Ipv4Flyweight.MIN_HEADER_LENGTH)
        {
            return fail(DropReason.BAD_HEADER_LENGTH);
        }
        // The total length lies in the first 20 bytes: a length that cannot even hold the header is the more
        // precise reason than the header being cut.
        final int totalLength = u16(position + Ipv4Flyweight.TOTAL_LENGTH_OFFSET);
        if (totalLength != 0 && totalLength < headerLength)
        {
            return fail(DropReason.BAD_TOTAL_LENGTH);
        }
        if (remaining() < headerLength)
        {
            return truncated();
        }
        final int datagramEnd;
        if (totalLength == 0)
        {
            // TSO / BIG TCP: the stack left the length for the NIC to fill in; the datagram is what was captured.
            datagramEnd = limit;
        }
        else
        {
            // Shorter than the frame: Ethernet trailer excluded. Longer: cut by snaplen, parse what is there.
            datagramEnd = (int)Math.min((long)position + totalLength, limit);
        }
        if (!checkKindLengthOptions(position + Ipv4Flyweight.OPTIONS_OFFSET, position + headerLength))
        {
            return fail(DropReason.BAD_OPTION_LENGTH);
        }
        if (!add(LayerType.IPV4, headerLength, datagramEnd))
        {
            return NEXT_DONE;
        }
        final int fragmentField = u16(position + Ipv4Flyweight.FLAGS_FRAGMENT_OFFSET);
        final int fragmentOffset = fragmentField & Ipv4Flyweight.FRAGMENT_OFFSET_MASK;
        if (fragmentOffset == 0 && (fragmentField & Ipv4Flyweight.FLAG_MORE_FRAGMENTS) != 0 && totalLength != 0)
        {
            fragmentEnd = (long)position + totalLength;
        }
        nextValue = u8(position + Ipv4Flyweight.PROTOCOL_OFFSET);
        position += headerLength;
        limit = datagramEnd;
        if (fragmentOffset != 0)
        {
            // Non-first fragment: its bytes continue an L4 payload, they are not a header.
            return NEXT_PAYLOAD;
        }
        return NEXT_IP_PROTOCOL;
    }

    /** IPv4 (RFC 791) and TCP (RFC 9293) options share one layout: EOL 0, NOP 1, else kind, length, data. */
    private boolean checkKindLengthOptions(final int start, final int end)
    {
        int at = start;
        while (at < end)
        {
            final int type = u8(at);
            if (type == KindLengthOptionIterator.KIND_END)
            {
                return true;
            }
            if (type == KindLengthOptionIterator.KIND_NOP)
            {
                at++;
                continue;
            }
            if (end - at < KindLengthOptionIterator.OPTION_HEADER_LENGTH)
            {
                return false;
            }
            // The length counts the kind and length bytes too.
            final int length = u8(at + KindLengthOptionIterator.LENGTH_OFFSET);
            if (length < KindLengthOptionIterator.OPTION_HEADER_LENGTH || length > end - at)
            {
                return false;
            }
            at += length;
        }
        return true;
    }

    private int ipv6()
    {
        if (remaining() < 1)
        {
            return truncated();
        }
        if ((u8(position + Ipv6Flyweight.VERSION_CLASS_FLOW_OFFSET) >>> 4) != Ipv6Flyweight.VERSION)
        {
            return fail(DropReason.BAD_VERSION);
        }
        if (remaining() < Ipv6Flyweight.HEADER_LENGTH)
        {
            return truncated();
        }
        final int payloadLength = u16(position + Ipv6Flyweight.PAYLOAD_LENGTH_OFFSET);
        // Payload length 0 is a jumbogram (RFC 2675) or a BIG TCP / GSO frame: until a jumbo option says otherwise,
        // the datagram is what was captured.
        final int datagramEnd = payloadLength == 0 ?
            limit : (int)Math.min((long)position + Ipv6Flyweight.HEADER_LENGTH + payloadLength, limit);
        final int ipv6Index = out.layerCount();
        if (!add(LayerType.IPV6, Ipv6Flyweight.HEADER_LENGTH, datagramEnd))
        {
            return NEXT_DONE;
        }
        final int ipv6Start = position;
        int nextHeader = u8(position + Ipv6Flyweight.NEXT_HEADER_OFFSET);
        position += Ipv6Flyweight.HEADER_LENGTH;
        limit = datagramEnd;

        // Extension headers: each records a layer, so this loop is bounded by the layer limit and the bytes.
        while (true)
        {
            final int type;
            switch (nextHeader)
            {
                case Ipv6Flyweight.NEXT_HEADER_HOPOPT:
                    type = LayerType.IPV6_HOPOPT;
                    break;
                case Ipv6Flyweight.NEXT_HEADER_ROUTING:
                    type = LayerType.IPV6_ROUTING;
                    break;
                case Ipv6Flyweight.NEXT_HEADER_FRAGMENT:
                    type = LayerType.IPV6_FRAGMENT;
                    break;
                case Ipv6Flyweight.NEXT_HEADER_DSTOPTS:
                    type = LayerType.IPV6_DSTOPTS;
                    break;
                default:
                    nextValue = nextHeader;
                    return NEXT_IP_PROTOCOL;
            }
            // Next Header and Hdr Ext Len: the fields the length of every extension header depends on.
            if (remaining() < Ipv6ExtensionFlyweight.HDR_EXT_LEN_OFFSET + 1)
            {
                return truncated();
            }
            if (type == LayerType.IPV6_FRAGMENT && payloadLength == 0)
            {
                // Payload length 0 means jumbogram / BIG TCP, and those are never fragmented (RFC 2675 3).
                return fail(DropReason.BAD_TOTAL_LENGTH);
            }
            // Hdr Ext Len counts 8-octet units beyond the first 8; the fragment header has no length field.
            final int headerLength = type == LayerType.IPV6_FRAGMENT ?
                Ipv6FragmentFlyweight.HEADER_LENGTH :
                (u8(position + Ipv6ExtensionFlyweight.HDR_EXT_LEN_OFFSET) + 1) * 8;
            if (remaining() < headerLength)
            {
                return truncated();
            }
            if (type == LayerType.IPV6_HOPOPT || type == LayerType.IPV6_DSTOPTS)
            {
                final long jumbo = ipv6Options(
                    position + Ipv6ExtensionFlyweight.OPTIONS_OFFSET, position + headerLength);
                if (jumbo < 0)
                {
                    return fail(DropReason.BAD_OPTION_LENGTH);
                }
                if (jumbo > 0 && payloadLength == 0 && type == LayerType.IPV6_HOPOPT)
                {
                    limit = (int)Math.min(ipv6Start + Ipv6Flyweight.HEADER_LENGTH + jumbo, limit);
                    if (position + headerLength > limit)
                    {
                        return fail(DropReason.BAD_TOTAL_LENGTH);
                    }
                    out.limit(ipv6Index, limit);
                }
            }
            if (!add(type, headerLength, limit))
            {
                return NEXT_DONE;
            }
            // The fragment header starts with Next Header as the other extension headers do.
            nextHeader = u8(position + Ipv6ExtensionFlyweight.NEXT_HEADER_OFFSET);
            if (type == LayerType.IPV6_FRAGMENT)
            {
                final int fragmentField = u16(position + Ipv6FragmentFlyweight.FRAGMENT_OFFSET);
                if ((fragmentField & Ipv6FragmentFlyweight.FRAGMENT_OFFSET_MASK) != 0)
                {
                    position += headerLength;
                    return NEXT_PAYLOAD;
                }
                if ((fragmentField & Ipv6FragmentFlyweight.FLAG_MORE_FRAGMENTS) != 0 && payloadLength != 0)
                {
                    fragmentEnd = (long)ipv6Start + Ipv6Flyweight.HEADER_LENGTH + payloadLength;
                }
            }
            position += headerLength;
        }
    }

    /**
     * Walk the TLV options of a hop-by-hop or destination options header.
     *
     * @return -1 if an option overruns the header, the jumbo payload length if a jumbo option is present, else 0.
     */
    private long ipv6Options(final int start, final int end)
    {
        long jumbo = 0;
        int at = start;
        while (at < end)
        {
            final int type = u8(at);
            if (type == Ipv6OptionIterator.TYPE_PAD1)
            {
                at++;
                continue;
            }
            if (end - at < Ipv6OptionIterator.OPTION_HEADER_LENGTH)
            {
                return -1;
            }
            // The data length does not count the type and length bytes.
            final int length = u8(at + Ipv6OptionIterator.LENGTH_OFFSET);
            if (length > end - at - Ipv6OptionIterator.OPTION_HEADER_LENGTH)
            {
                return -1;
            }
            if (type == Ipv6OptionIterator.TYPE_JUMBO_PAYLOAD && length == Ipv6OptionIterator.JUMBO_PAYLOAD_DATA_LENGTH)
            {
                jumbo = buffer.getInt(at + Ipv6OptionIterator.OPTION_HEADER_LENGTH, BE) & 0xFFFF_FFFFL;
            }
            at += Ipv6OptionIterator.OPTION_HEADER_LENGTH + length;
        }
        return jumbo;
    }

    private int ipProtocol(final int protocol)
    {
        switch (protocol)
        {
            case Ipv4Flyweight.PROTOCOL_TCP:
                return NEXT_TCP;
            case Ipv4Flyweight.PROTOCOL_UDP:
                return NEXT_UDP;
            case Ipv4Flyweight.PROTOCOL_ICMP:
                return NEXT_ICMP;
            case Ipv4Flyweight.PROTOCOL_ICMPV6:
                return NEXT_ICMPV6;
            case Ipv4Flyweight.PROTOCOL_IPIP:
                return tunnel(NEXT_IPV4);
            case Ipv4Flyweight.PROTOCOL_IPV6:
                return tunnel(NEXT_IPV6);
            case Ipv4Flyweight.PROTOCOL_GRE:
                return NEXT_GRE;
            default:
                return NEXT_PAYLOAD;
        }
    }

    private int udp()
    {
        if (remaining() < UdpFlyweight.HEADER_LENGTH)
        {
            return truncated();
        }
        final int length = u16(position + UdpFlyweight.LENGTH_OFFSET);
        // 0 is legal for a UDP length only in BIG TCP / GSO frames: the datagram bounds it instead.
        if (length != 0 && length < UdpFlyweight.HEADER_LENGTH)
        {
            return fail(DropReason.BAD_HEADER_LENGTH);
        }
        if (!add(LayerType.UDP, UdpFlyweight.HEADER_LENGTH, limit))
        {
            return NEXT_DONE;
        }
        final int sourcePort = u16(position + UdpFlyweight.SOURCE_PORT_OFFSET);
        final int destinationPort = u16(position + UdpFlyweight.DESTINATION_PORT_OFFSET);
        position += UdpFlyweight.HEADER_LENGTH;
        // Like tshark: try the lower port first, then the higher one; port 0 is never a service.
        final int low = Math.min(sourcePort, destinationPort);
        final int high = Math.max(sourcePort, destinationPort);
        int next = udpPort(low);
        if (next == NEXT_PAYLOAD)
        {
            next = udpPort(high);
        }
        // VXLAN, Geneve and GRE record their header and then look at descendIntoTunnels themselves.
        return next == NEXT_MPLS ? tunnel(NEXT_MPLS) : next;
    }

    private int udpPort(final int port)
    {
        if (port == 0)
        {
            return NEXT_PAYLOAD;
        }
        if (vxlanPorts[port])
        {
            return NEXT_VXLAN;
        }
        if (port == genevePort)
        {
            return NEXT_GENEVE;
        }
        if (port == mplsUdpPort)
        {
            return NEXT_MPLS;
        }
        if (port == greUdpPort)
        {
            return NEXT_GRE;
        }
        return NEXT_PAYLOAD;
    }

    private int tcp()
    {
        if (remaining() < TcpFlyweight.MIN_HEADER_LENGTH)
        {
            return truncated();
        }
        final int headerLength = (u8(position + TcpFlyweight.DATA_OFFSET_FLAGS_OFFSET) >>> 4) * 4;
        if (headerLength < TcpFlyweight.MIN_HEADER_LENGTH)
        {
            return fail(DropReason.BAD_HEADER_LENGTH);
        }
        if (remaining() < headerLength)
        {
            return truncated();
        }
        if (!checkKindLengthOptions(position + TcpFlyweight.OPTIONS_OFFSET, position + headerLength))
        {
            return fail(DropReason.BAD_OPTION_LENGTH);
        }
        if (!add(LayerType.TCP, headerLength, limit))
        {
            return NEXT_DONE;
        }
        position += headerLength;
        return NEXT_PAYLOAD;
    }

    private int vxlan()
    {
        if (remaining() < VxlanFlyweight.HEADER_LENGTH)
        {
            return truncated();
        }
        // RFC 7348: the I flag must be set for the VNI to be valid.
        if ((u8(position + VxlanFlyweight.FLAGS_OFFSET) & VxlanFlyweight.FLAG_I) == 0)
        {
            return fail(DropReason.BAD_TUNNEL_HEADER);
        }
        if (!add(LayerType.VXLAN, VxlanFlyweight.HEADER_LENGTH, limit))
        {
            return NEXT_DONE;
        }
        position += VxlanFlyweight.HEADER_LENGTH;
        return tunnel(NEXT_ETHERNET);
    }

    private int geneve()
    {
        if (remaining() < GeneveFlyweight.BASE_HEADER_LENGTH)
        {
            return truncated();
        }
        final int first = u8(position + GeneveFlyweight.VERSION_OPTLEN_OFFSET);
        if ((first >>> 6) != 0)
        {
            return fail(DropReason.BAD_TUNNEL_HEADER);
        }
        final int headerLength = GeneveFlyweight.BASE_HEADER_LENGTH + (first & 0x3F) * 4;
        if (remaining() < headerLength)
        {
            return truncated();
        }
        // Options: 4-byte TLV header (class 16, type 8, reserved 3, length 5 in 4-byte words) plus data.
        int at = position + GeneveFlyweight.OPTIONS_OFFSET;
        final int end = position + headerLength;
        while (at < end)
        {
            if (end - at < GeneveOptionIterator.OPTION_HEADER_LENGTH)
            {
                return fail(DropReason.BAD_OPTION_LENGTH);
            }
            final int optionLength = GeneveOptionIterator.OPTION_HEADER_LENGTH +
                (u8(at + GeneveOptionIterator.LENGTH_OFFSET) & 0x1F) * 4;
            if (optionLength > end - at)
            {
                return fail(DropReason.BAD_OPTION_LENGTH);
            }
            at += optionLength;
        }
        if (!add(LayerType.GENEVE, headerLength, limit))
        {
            return NEXT_DONE;
        }
        final int protocol = u16(position + GeneveFlyweight.PROTOCOL_TYPE_OFFSET);
        position += headerLength;
        if (!descendIntoTunnels)
        {
            return NEXT_PAYLOAD;
        }
        switch (protocol)
        {
            case EthernetFlyweight.ETHERTYPE_TEB:
                return NEXT_ETHERNET;
            case EthernetFlyweight.ETHERTYPE_IPV4:
                return NEXT_IPV4;
            case EthernetFlyweight.ETHERTYPE_IPV6:
                return NEXT_IPV6;
            case EthernetFlyweight.ETHERTYPE_ARP:
                return NEXT_ARP;
            default:
                return NEXT_PAYLOAD;
        }
    }

    private int gre()
    {
        if (remaining() < GreFlyweight.BASE_HEADER_LENGTH)
        {
            return truncated();
        }
        final int flags = u16(position + GreFlyweight.FLAGS_VERSION_OFFSET);
        final int version = flags & GreFlyweight.VERSION_MASK;
        int headerLength = GreFlyweight.BASE_HEADER_LENGTH;
        if (version == GRE_VERSION_STANDARD)
        {
            // RFC 2784 / 2890: C, K, S each add 4 bytes; R (RFC 1701 routing) is not supported.
            if ((flags & GreFlyweight.FLAG_ROUTING) != 0)
            {
                return fail(DropReason.BAD_TUNNEL_HEADER);
            }
            if ((flags & GreFlyweight.FLAG_CHECKSUM) != 0)
            {
                headerLength += GreFlyweight.OPTIONAL_FIELD_LENGTH;
            }
            if ((flags & GreFlyweight.FLAG_KEY) != 0)
            {
                headerLength += GreFlyweight.OPTIONAL_FIELD_LENGTH;
            }
            if ((flags & GreFlyweight.FLAG_SEQUENCE) != 0)
            {
                headerLength += GreFlyweight.OPTIONAL_FIELD_LENGTH;
            }
        }
        else if (version == GRE_VERSION_ENHANCED)
        {
            // Enhanced GRE (RFC 2637, PPTP): key always present, optional sequence and acknowledgment numbers.
            headerLength += GreFlyweight.OPTIONAL_FIELD_LENGTH;
            if ((flags & GreFlyweight.FLAG_SEQUENCE) != 0)
            {
                headerLength += GreFlyweight.OPTIONAL_FIELD_LENGTH;
            }
            if ((flags & GreFlyweight.FLAG_ACKNOWLEDGMENT) != 0)
            {
                headerLength += GreFlyweight.OPTIONAL_FIELD_LENGTH;
            }
        }
        else
        {
            return fail(DropReason.BAD_TUNNEL_HEADER);
        }
        if (remaining() < headerLength)
        {
            return truncated();
        }
        if (!add(LayerType.GRE, headerLength, limit))
        {
            return NEXT_DONE;
        }
        final int protocol = u16(position + GreFlyweight.PROTOCOL_TYPE_OFFSET);
        position += headerLength;
        if (version != GRE_VERSION_STANDARD || !descendIntoTunnels)
        {
            return NEXT_PAYLOAD;
        }
        switch (protocol)
        {
            case EthernetFlyweight.ETHERTYPE_TEB:
                return NEXT_ETHERNET;
            case EthernetFlyweight.ETHERTYPE_IPV4:
                return NEXT_IPV4;
            case EthernetFlyweight.ETHERTYPE_IPV6:
                return NEXT_IPV6;
            case EthernetFlyweight.ETHERTYPE_MPLS:
                return NEXT_MPLS;
            default:
                return NEXT_PAYLOAD;
        }
    }
}
