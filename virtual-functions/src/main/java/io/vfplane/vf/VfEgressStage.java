package io.vfplane.vf;

import java.nio.ByteOrder;

import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import io.vfplane.dataplane.headers.ArpFlyweight;
import io.vfplane.dataplane.headers.EthernetFlyweight;
import io.vfplane.dataplane.headers.Ipv4Flyweight;
import io.vfplane.dataplane.headers.Ipv6Flyweight;
import io.vfplane.dataplane.headers.VlanTagFlyweight;
import io.vfplane.dataplane.packet.PacketDescriptor;

/**
 * The VF filter on the way out of a guest (VF tx), for packets whose {@link PacketDescriptor#vf()} the guest-side
 * port set. In order, as a NIC's VF tx path:
 * <ol>
 *   <li>link state: a VF that is down sends nothing ({@code vf_link_down});</li>
 *   <li>spoof check (when {@code spoofchk on} and the VF has a MAC): the Ethernet source and, for ARP, the sender
 *       hardware address must be the VF's MAC ({@code spoofed_source_mac}); the IPv4 source and the ARP sender IP
 *       must be one of the VF's addresses when it has any ({@code spoofed_source_ip}); so must the IPv6 source
 *       (besides {@code ::} and the MAC's EUI-64 link-local address) and a neighbour advertisement's target, and
 *       neighbour discovery's link-layer address options must carry the VF's MAC;</li>
 *   <li>VLAN: a VF with a port VLAN may not send tagged frames ({@code guest_vlan_tag});</li>
 *   <li>rate limit: a token bucket of {@code max_tx_rate} Mbit/s in bytes ({@code rate_limited});</li>
 *   <li>VLAN insert: the port VLAN's tag goes in after the MACs, using 4 bytes of headroom.</li>
 * </ol>
 * Drops are counted per VF and reason; packets and bytes sent per VF. The clock is read once per batch.
 */
public final class VfEgressStage extends VfStage
{
    /** The stage's name in counters and {@code show pipeline}. */
    public static final String NAME = "vf_egress";

    private static final int NEXT_HEADER_ICMPV6 = 58;
    private static final int NEXT_HEADER_HOP_BY_HOP = 0;
    private static final int NEXT_HEADER_ROUTING = 43;
    private static final int NEXT_HEADER_FRAGMENT = 44;
    private static final int NEXT_HEADER_AUTHENTICATION = 51;
    private static final int NEXT_HEADER_DESTINATION_OPTIONS = 60;
    /** Extension headers walked at most, whatever follows them; a longer chain is refused as malformed. */
    private static final int MAX_EXTENSION_HEADERS = 8;
    private static final int EXTENSION_MIN_LENGTH = 8;
    private static final int FRAGMENT_OFFSET_MASK = 0xFFF8;
    private static final int NDP_NEIGHBOR_SOLICITATION = 135;
    private static final int NDP_NEIGHBOR_ADVERTISEMENT = 136;
    /** Type, code, checksum, flags/reserved and the target address: where the options start. */
    private static final int NDP_MESSAGE_LENGTH = 24;
    private static final int NDP_TARGET_OFFSET = 8;
    private static final int NDP_OPTION_SOURCE_LINK_LAYER = 1;
    private static final int NDP_OPTION_TARGET_LINK_LAYER = 2;

    private final NanoClock clock;
    private final TokenBucket[] buckets;
    private final VfConfig[] bucketConfigs;
    private long now;

    public VfEgressStage(final VfTable table)
    {
        this(table, SystemNanoClock.INSTANCE);
    }

    /**
     * @param clock the time source of the rate limiter (tests pass their own).
     */
    public VfEgressStage(final VfTable table, final NanoClock clock)
    {
        super(table, true);
        this.clock = clock;
        final int n = table.size();
        this.buckets = new TokenBucket[n];
        this.bucketConfigs = new VfConfig[n];
        for (int i = 0; i < n; i++)
        {
            buckets[i] = new TokenBucket();
        }
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    void beginBatch()
    {
        now = clock.nanoTime();
    }

    @Override
    VfDropReason check(final UnsafeBuffer buffer, final PacketDescriptor packet, final VfConfig config,
        final boolean pfUp)
    {
        if (!config.linkState().isUp(pfUp))
        {
            return VfDropReason.VF_LINK_DOWN;
        }
        final int offset = packet.offset();
        final int length = packet.length();
        if (length < EthernetFlyweight.HEADER_LENGTH)
        {
            return VfDropReason.MALFORMED;
        }
        ethernet.wrap(buffer, offset);
        int ethertype = ethernet.ethertype();
        int l3 = offset + EthernetFlyweight.HEADER_LENGTH;
        final boolean tagged = ethertype == VlanTagFlyweight.TPID_8021Q || ethertype == VlanTagFlyweight.TPID_8021AD;
        if (tagged)
        {
            if (config.vlan() != 0)
            {
                return VfDropReason.GUEST_VLAN_TAG;
            }
            if (length < EthernetFlyweight.HEADER_LENGTH + VlanTagFlyweight.HEADER_LENGTH)
            {
                return VfDropReason.MALFORMED;
            }
            ethertype = buffer.getShort(l3 + VlanTagFlyweight.ETHERTYPE_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            l3 += VlanTagFlyweight.HEADER_LENGTH;
        }
        final int end = offset + length;
        if (config.spoofCheck() && config.mac() != 0)
        {
            if (ethernet.source() != config.mac())
            {
                return VfDropReason.SPOOFED_SOURCE_MAC;
            }
            if (ethertype == EthernetFlyweight.ETHERTYPE_IPV4)
            {
                if (l3 + Ipv4Flyweight.MIN_HEADER_LENGTH > end)
                {
                    return VfDropReason.MALFORMED;
                }
                if (!config.allowsSourceIpv4(buffer.getInt(l3 + Ipv4Flyweight.SOURCE_OFFSET, ByteOrder.BIG_ENDIAN)))
                {
                    return VfDropReason.SPOOFED_SOURCE_IP;
                }
            }
            else if (ethertype == EthernetFlyweight.ETHERTYPE_IPV6 && config.checksSourceIp())
            {
                final VfDropReason why = checkIpv6(buffer, l3, end, config);
                if (why != null)
                {
                    return why;
                }
            }
            else if (ethertype == EthernetFlyweight.ETHERTYPE_ARP)
            {
                if (l3 + ArpFlyweight.ETHERNET_IPV4_LENGTH > end)
                {
                    return VfDropReason.MALFORMED;
                }
                final long senderMac = (buffer.getInt(l3 + ArpFlyweight.SENDER_HARDWARE_OFFSET, ByteOrder.BIG_ENDIAN) &
                    0xFFFF_FFFFL) << 16 |
                    (buffer.getShort(l3 + ArpFlyweight.SENDER_HARDWARE_OFFSET + 4, ByteOrder.BIG_ENDIAN) & 0xFFFF);
                if (senderMac != config.mac())
                {
                    return VfDropReason.SPOOFED_SOURCE_MAC;
                }
                if (!config.allowsSourceIpv4(
                    buffer.getInt(l3 + ArpFlyweight.SENDER_PROTOCOL_OFFSET, ByteOrder.BIG_ENDIAN)))
                {
                    return VfDropReason.SPOOFED_SOURCE_IP;
                }
            }
        }
        final int vf = config.index();
        final TokenBucket bucket = buckets[vf];
        if (bucketConfigs[vf] != config)
        {
            // a new config instance: vf set ran; pick up max_tx_rate (the bucket restarts full only if it changed)
            if (bucketConfigs[vf] == null || bucket.bytesPerSecond() != config.maxTxBytesPerSecond())
            {
                bucket.rate(config.maxTxBytesPerSecond());
            }
            bucketConfigs[vf] = config;
        }
        if (!bucket.tryConsume(length, now))
        {
            return VfDropReason.RATE_LIMITED;
        }
        if (config.vlan() != 0)
        {
            final int tci = config.qos() << 13 | config.vlan();
            if (!VlanTags.insert(buffer, packet, pool.slotOffset(packet.bufferId()), config.vlanProtocol(), tci))
            {
                return VfDropReason.MALFORMED;
            }
        }
        counts.passed(vf, length);
        return null;
    }

    /**
     * The IPv6 spoof check (the VF has addresses): the source must be one the VF may use
     * ({@link VfConfig#allowsSourceIpv6}), and neighbour discovery must not claim another host's addresses, as ARP
     * may not: a neighbour advertisement's target must be one of the VF's, and a solicitation's or advertisement's
     * link-layer address option must be the VF's MAC (RFC 4861 sections 4.3, 4.4; options right after the 24 bytes of
     * the message). Extension headers in front of ICMPv6 (hop-by-hop, routing, destination options, fragment,
     * authentication) are walked, as a receiving host's stack walks them: a message behind a destination options
     * header is still neighbour discovery to it. A chain of more than {@value #MAX_EXTENSION_HEADERS} headers
     * (whatever follows it) or one that claims more than the packet holds is malformed; a fragment other than the
     * first carries no ICMPv6 header to look at (and RFC 6980 has receivers ignore fragmented neighbour discovery
     * anyway).
     *
     * @return null when the frame may go, else why not.
     */
    private static VfDropReason checkIpv6(
        final UnsafeBuffer buffer, final int l3, final int end, final VfConfig config)
    {
        if (l3 + Ipv6Flyweight.HEADER_LENGTH > end)
        {
            return VfDropReason.MALFORMED;
        }
        if (!config.allowsSourceIpv6(buffer.getLong(l3 + Ipv6Flyweight.SOURCE_OFFSET, ByteOrder.BIG_ENDIAN),
            buffer.getLong(l3 + Ipv6Flyweight.SOURCE_OFFSET + 8, ByteOrder.BIG_ENDIAN)))
        {
            return VfDropReason.SPOOFED_SOURCE_IP;
        }
        // payload length 0 with a hop-by-hop header is a jumbogram (RFC 2675): its payload runs to the frame's end
        final int payloadLength = buffer.getShort(l3 + Ipv6Flyweight.PAYLOAD_LENGTH_OFFSET, ByteOrder.BIG_ENDIAN) &
            0xFFFF;
        final int payloadEnd = payloadLength == 0 ? end :
            Math.min(end, l3 + Ipv6Flyweight.HEADER_LENGTH + payloadLength);
        int next = buffer.getByte(l3 + Ipv6Flyweight.NEXT_HEADER_OFFSET) & 0xFF;
        int icmp = l3 + Ipv6Flyweight.HEADER_LENGTH;
        for (int headers = 0; next != NEXT_HEADER_ICMPV6; headers++)
        {
            final boolean extension = next == NEXT_HEADER_HOP_BY_HOP || next == NEXT_HEADER_ROUTING ||
                next == NEXT_HEADER_FRAGMENT || next == NEXT_HEADER_AUTHENTICATION ||
                next == NEXT_HEADER_DESTINATION_OPTIONS;
            if (!extension)
            {
                return null; // another upper layer: its source was checked above
            }
            if (headers == MAX_EXTENSION_HEADERS || icmp + EXTENSION_MIN_LENGTH > payloadEnd)
            {
                return VfDropReason.MALFORMED;
            }
            final int length = buffer.getByte(icmp + 1) & 0xFF;
            if (next == NEXT_HEADER_FRAGMENT &&
                (buffer.getShort(icmp + 2, ByteOrder.BIG_ENDIAN) & FRAGMENT_OFFSET_MASK) != 0)
            {
                return null;
            }
            final int current = next;
            next = buffer.getByte(icmp) & 0xFF;
            icmp += current == NEXT_HEADER_FRAGMENT ? EXTENSION_MIN_LENGTH :
                current == NEXT_HEADER_AUTHENTICATION ? (length + 2) * 4 : (length + 1) * 8;
            if (icmp > payloadEnd)
            {
                return VfDropReason.MALFORMED; // a header that claims more than the packet holds
            }
        }
        if (icmp + NDP_MESSAGE_LENGTH > payloadEnd)
        {
            return null;
        }
        final int type = buffer.getByte(icmp) & 0xFF;
        if (type != NDP_NEIGHBOR_SOLICITATION && type != NDP_NEIGHBOR_ADVERTISEMENT)
        {
            return null;
        }
        if (type == NDP_NEIGHBOR_ADVERTISEMENT && !config.allowsSourceIpv6(
            buffer.getLong(icmp + NDP_TARGET_OFFSET, ByteOrder.BIG_ENDIAN),
            buffer.getLong(icmp + NDP_TARGET_OFFSET + 8, ByteOrder.BIG_ENDIAN)))
        {
            return VfDropReason.SPOOFED_SOURCE_IP;
        }
        int option = icmp + NDP_MESSAGE_LENGTH;
        while (option + 2 <= payloadEnd)
        {
            final int units = buffer.getByte(option + 1) & 0xFF;
            if (units == 0 || option + units * 8 > payloadEnd)
            {
                return VfDropReason.MALFORMED; // RFC 4861 4.6: a zero length makes the message invalid
            }
            final int optionType = buffer.getByte(option) & 0xFF;
            if ((optionType == NDP_OPTION_SOURCE_LINK_LAYER || optionType == NDP_OPTION_TARGET_LINK_LAYER) &&
                units == 1 && macAt(buffer, option + 2) != config.mac())
            {
                return VfDropReason.SPOOFED_SOURCE_MAC;
            }
            option += units * 8;
        }
        return null;
    }

    private static long macAt(final UnsafeBuffer buffer, final int at)
    {
        return (buffer.getInt(at, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL) << 16 |
            (buffer.getShort(at + 4, ByteOrder.BIG_ENDIAN) & 0xFFFF);
    }
}
