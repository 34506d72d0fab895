package io.vfplane.pcap.inspect;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.collections.IntArrayList;

import io.vfplane.dataplane.headers.GeneveFlyweight;
import io.vfplane.dataplane.headers.GeneveOptionIterator;
import io.vfplane.dataplane.headers.GreFlyweight;
import io.vfplane.dataplane.headers.TcpFlyweight;
import io.vfplane.dataplane.headers.UdpFlyweight;
import io.vfplane.dataplane.headers.VxlanFlyweight;
import io.vfplane.dataplane.parse.LayerType;
import io.vfplane.dataplane.parse.ParseResult;
import io.vfplane.dataplane.text.AddressText;
import io.vfplane.dataplane.text.JsonText;

/**
 * The key fields of one parsed frame, as {@code vfplane pcap inspect} shows them (schema in README.md).
 * Built from the parser's layers: which header a field comes from is decided by layer indexes (first IP, first UDP,
 * first tunnel header of each kind, last Ethernet / IP after the first tunnel, last TCP); the values are read from
 * the headers at the offsets the parser recorded, so every read is within what the parser checked.
 * <p>
 * A tool object: reused from frame to frame, but the address strings it makes are allocated per frame.
 */
public final class PacketSummary
{
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;

    // IPv4 (RFC 791) and IPv6 (RFC 8200) fields.
    private static final int IPV4_TOTAL_LENGTH_OFFSET = 2;
    private static final int IPV4_FRAGMENT_OFFSET = 6;
    private static final int IPV4_MORE_FRAGMENTS_AND_OFFSET_MASK = 0x3FFF;
    private static final int IPV4_SRC_OFFSET = 12;
    private static final int IPV4_DST_OFFSET = 16;
    private static final int IPV6_PAYLOAD_LENGTH_OFFSET = 4;
    private static final int IPV6_SRC_OFFSET = 8;
    private static final int IPV6_DST_OFFSET = 24;
    private static final int IPV6_HEADER_LENGTH = 40;
    // NVGRE (RFC 7637): GRE carrying transparent Ethernet bridging.
    private static final int ETHERTYPE_TEB = 0x6558;
    // Ethernet.
    private static final int ETH_DST_OFFSET = 0;
    private static final int ETH_SRC_OFFSET = 6;

    private final UdpFlyweight udpHeader = new UdpFlyweight();
    private final TcpFlyweight tcpHeader = new TcpFlyweight();
    private final VxlanFlyweight vxlanHeader = new VxlanFlyweight();
    private final GeneveFlyweight geneveHeader = new GeneveFlyweight();
    private final GeneveOptionIterator geneveOption = new GeneveOptionIterator();
    private final GreFlyweight greHeader = new GreFlyweight();

    /** Absent numeric field. */
    public static final long ABSENT = -1;

    String outerIpSrc;
    String outerIpDst;
    int outerUdpSport;
    int outerUdpDport;
    long vxlanVni;
    long geneveVni;
    boolean hasGeneve;
    final IntArrayList geneveOptions = new IntArrayList();
    long nvgreVsid;
    String innerEthSrc;
    String innerEthDst;
    String innerIpSrc;
    String innerIpDst;
    boolean hasTcp;
    long tcpSeq;
    long tcpAck;
    boolean hasTcpLen;
    int tcpLen;
    int tcpFlags;

    /**
     * Fill this summary from a parsed frame.
     *
     * @param buffer         the frame's buffer.
     * @param frameOffset    index of the frame's first byte.
     * @param originalLength the frame's length on the wire (for IP length 0, "presumed" from the wire length).
     * @param capturedLength bytes captured.
     * @param result         what the parser found in it.
     */
    public void fill(final DirectBuffer buffer, final int frameOffset, final int originalLength,
        final int capturedLength, final ParseResult result)
    {
        reset();
        final int outerIp = firstIp(result, 0);
        if (outerIp >= 0)
        {
            outerIpSrc = ipSource(buffer, result, outerIp);
            outerIpDst = ipDestination(buffer, result, outerIp);
        }
        final int udp = result.firstIndexOf(LayerType.UDP);
        if (udp >= 0)
        {
            udpHeader.wrap(buffer, result.layerOffset(udp));
            outerUdpSport = udpHeader.sourcePort();
            outerUdpDport = udpHeader.destinationPort();
        }
        final int vxlan = result.firstIndexOf(LayerType.VXLAN);
        if (vxlan >= 0)
        {
            vxlanVni = vxlanHeader.wrap(buffer, result.layerOffset(vxlan)).vni();
        }
        final int geneve = result.firstIndexOf(LayerType.GENEVE);
        if (geneve >= 0)
        {
            fillGeneve(buffer, result.layerOffset(geneve), result.layerOffset(geneve) +
                result.layerHeaderLength(geneve));
        }
        final int gre = result.firstIndexOf(LayerType.GRE);
        if (gre >= 0)
        {
            greHeader.wrap(buffer, result.layerOffset(gre));
            if (greHeader.version() == 0 && greHeader.keyPresent() && greHeader.protocolType() == ETHERTYPE_TEB)
            {
                nvgreVsid = greHeader.vsid() & 0xFF_FFFFL;
            }
        }
        final int tunnel = result.firstTunnelIndex();
        if (tunnel >= 0)
        {
            final int eth = lastAfter(result, LayerType.ETHERNET, tunnel);
            if (eth >= 0)
            {
                innerEthSrc = AddressText.mac(buffer, result.layerOffset(eth) + ETH_SRC_OFFSET);
                innerEthDst = AddressText.mac(buffer, result.layerOffset(eth) + ETH_DST_OFFSET);
            }
            final int ip = Math.max(lastAfter(result, LayerType.IPV4, tunnel), lastAfter(result, LayerType.IPV6,
                tunnel));
            if (ip >= 0)
            {
                innerIpSrc = ipSource(buffer, result, ip);
                innerIpDst = ipDestination(buffer, result, ip);
            }
        }
        final int tcp = result.lastIndexOf(LayerType.TCP);
        if (tcp >= 0)
        {
            final int at = result.layerOffset(tcp);
            tcpHeader.wrap(buffer, at);
            hasTcp = true;
            tcpSeq = tcpHeader.sequenceNumber();
            tcpAck = tcpHeader.acknowledgmentNumber();
            tcpFlags = tcpHeader.flags();
            final int ipEnd = ipEnd(buffer, frameOffset, originalLength, capturedLength, result, tcp);
            hasTcpLen = ipEnd >= 0;
            tcpLen = ipEnd - at - result.layerHeaderLength(tcp);
        }
    }

    private void fillGeneve(final DirectBuffer buffer, final int at, final int headerEnd)
    {
        hasGeneve = true;
        geneveHeader.wrap(buffer, at);
        geneveVni = geneveHeader.vni();
        // The parser checked the options fit the header; the header end bounds the iterator all the same.
        geneveHeader.options(geneveOption, headerEnd);
        while (geneveOption.next())
        {
            geneveOptions.addInt(geneveOption.optionClass());
            geneveOptions.addInt(geneveOption.type());
            geneveOptions.addInt(geneveOption.lengthWords());
        }
    }

    /**
     * End of the IP datagram that holds layer {@code inner}, as the IP length field says. tshark computes tcp.len the
     * same way: from the IP length, not from what was captured. Length 0 (TSO, BIG TCP) is presumed from the wire
     * length, as tshark does; a resolved jumbogram comes from the parser's limit. In a fragment (IPv4 MF or
     * offset, or an IPv6 fragment header) the TCP length is unknown, as for tshark without reassembly: -1.
     */
    private static int ipEnd(final DirectBuffer buffer, final int frameOffset, final int originalLength,
        final int capturedLength, final ParseResult result, final int inner)
    {
        int ip = -1;
        for (int i = inner - 1; i >= 0; i--)
        {
            final int type = result.layerType(i);
            if (type == LayerType.IPV6_FRAGMENT)
            {
                return -1;
            }
            if (type == LayerType.IPV4 || type == LayerType.IPV6)
            {
                ip = i;
                break;
            }
        }
        if (ip < 0)
        {
            return result.layerLimit(inner);
        }
        final int at = result.layerOffset(ip);
        final int length;
        if (result.layerType(ip) == LayerType.IPV4)
        {
            if ((buffer.getShort(at + IPV4_FRAGMENT_OFFSET, BE) & IPV4_MORE_FRAGMENTS_AND_OFFSET_MASK) != 0)
            {
                return -1;
            }
            length = buffer.getShort(at + IPV4_TOTAL_LENGTH_OFFSET, BE) & 0xFFFF;
        }
        else
        {
            final int payload = buffer.getShort(at + IPV6_PAYLOAD_LENGTH_OFFSET, BE) & 0xFFFF;
            length = payload == 0 ? 0 : IPV6_HEADER_LENGTH + payload;
        }
        if (length != 0)
        {
            return at + length;
        }
        if (capturedLength >= originalLength)
        {
            return result.layerLimit(ip);
        }
        return frameOffset + originalLength;
    }

    private static int firstIp(final ParseResult result, final int from)
    {
        for (int i = from; i < result.layerCount(); i++)
        {
            final int type = result.layerType(i);
            if (type == LayerType.IPV4 || type == LayerType.IPV6)
            {
                return i;
            }
        }
        return -1;
    }

    private static int lastAfter(final ParseResult result, final int layerType, final int after)
    {
        final int i = result.lastIndexOf(layerType);
        return i > after ? i : -1;
    }

    private static String ipSource(final DirectBuffer buffer, final ParseResult result, final int i)
    {
        final int at = result.layerOffset(i);
        return result.layerType(i) == LayerType.IPV4 ?
            AddressText.ipv4(buffer, at + IPV4_SRC_OFFSET) : AddressText.ipv6(buffer, at + IPV6_SRC_OFFSET);
    }

    private static String ipDestination(final DirectBuffer buffer, final ParseResult result, final int i)
    {
        final int at = result.layerOffset(i);
        return result.layerType(i) == LayerType.IPV4 ?
            AddressText.ipv4(buffer, at + IPV4_DST_OFFSET) : AddressText.ipv6(buffer, at + IPV6_DST_OFFSET);
    }

    private void reset()
    {
        outerIpSrc = null;
        outerIpDst = null;
        outerUdpSport = -1;
        outerUdpDport = -1;
        vxlanVni = ABSENT;
        geneveVni = ABSENT;
        hasGeneve = false;
        geneveOptions.clear();
        nvgreVsid = ABSENT;
        innerEthSrc = null;
        innerEthDst = null;
        innerIpSrc = null;
        innerIpDst = null;
        hasTcp = false;
        tcpSeq = ABSENT;
        tcpAck = ABSENT;
        hasTcpLen = false;
        tcpLen = 0;
        tcpFlags = -1;
    }

    /**
     * Append the summary as a JSON object (keys of absent layers left out).
     *
     * @param sb where to append.
     */
    public void appendJson(final StringBuilder sb)
    {
        sb.append('{');
        final int start = sb.length();
        stringField(sb, start, "outer_ip_src", outerIpSrc);
        stringField(sb, start, "outer_ip_dst", outerIpDst);
        numberField(sb, start, "outer_udp_sport", outerUdpSport);
        numberField(sb, start, "outer_udp_dport", outerUdpDport);
        numberField(sb, start, "vxlan_vni", vxlanVni);
        if (hasGeneve)
        {
            numberField(sb, start, "geneve_vni", geneveVni);
            separator(sb, start);
            sb.append("\"geneve_options\":[");
            for (int i = 0; i < geneveOptions.size(); i += 3)
            {
                sb.append(i == 0 ? "[" : ",[").append(geneveOptions.getInt(i)).append(',')
                    .append(geneveOptions.getInt(i + 1)).append(',').append(geneveOptions.getInt(i + 2)).append(']');
            }
            sb.append(']');
        }
        numberField(sb, start, "nvgre_vsid", nvgreVsid);
        stringField(sb, start, "inner_eth_src", innerEthSrc);
        stringField(sb, start, "inner_eth_dst", innerEthDst);
        stringField(sb, start, "inner_ip_src", innerIpSrc);
        stringField(sb, start, "inner_ip_dst", innerIpDst);
        if (hasTcp)
        {
            numberField(sb, start, "tcp_seq", tcpSeq);
            numberField(sb, start, "tcp_ack", tcpAck);
            if (hasTcpLen)
            {
                separator(sb, start);
                sb.append("\"tcp_len\":").append(tcpLen);
            }
            numberField(sb, start, "tcp_flags", tcpFlags);
        }
        sb.append('}');
    }

    /**
     * Append the key fields for the table format, space separated ({@code src>dst}, ports, VNIs, inner addresses,
     * TCP fields).
     *
     * @param sb where to append.
     */
    public void appendKeyFields(final StringBuilder sb)
    {
        if (outerIpSrc != null)
        {
            sb.append(outerIpSrc);
            if (outerUdpSport >= 0)
            {
                sb.append(':').append(outerUdpSport);
            }
            sb.append(" > ").append(outerIpDst);
            if (outerUdpDport >= 0)
            {
                sb.append(':').append(outerUdpDport);
            }
        }
        if (vxlanVni >= 0)
        {
            sb.append(" vni=").append(vxlanVni);
        }
        if (hasGeneve)
        {
            sb.append(" geneve_vni=").append(geneveVni).append(" opts=").append(geneveOptions.size() / 3);
        }
        if (nvgreVsid >= 0)
        {
            sb.append(" vsid=").append(nvgreVsid);
        }
        if (innerEthSrc != null)
        {
            sb.append(" inner ").append(innerEthSrc).append(" > ").append(innerEthDst);
        }
        if (innerIpSrc != null)
        {
            sb.append(" inner ").append(innerIpSrc).append(" > ").append(innerIpDst);
        }
        if (hasTcp)
        {
            sb.append(" seq=").append(tcpSeq).append(" ack=").append(tcpAck).append(hasTcpLen ? " len=" + tcpLen : "")
                .append(String.format(" flags=0x%03x", tcpFlags));
        }
    }

    private static void separator(final StringBuilder sb, final int start)
    {
        if (sb.length() > start)
        {
            sb.append(',');
        }
    }

    private static void stringField(final StringBuilder sb, final int start, final String key, final String value)
    {
        if (value != null)
        {
            separator(sb, start);
            sb.append('"').append(key).append("\":");
            JsonText.appendQuoted(sb, value);
        }
    }

    private static void numberField(final StringBuilder sb, final int start, final String key, final long value)
    {
        if (value >= 0)
        {
            separator(sb, start);
            sb.append('"').append(key).append("\":").append(value);
        }
    }
}
