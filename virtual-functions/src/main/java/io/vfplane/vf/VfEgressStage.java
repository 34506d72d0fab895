package io.vfplane.vf;

import java.nio.ByteOrder;

import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import io.vfplane.dataplane.parse.DropReason;
import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.headers.ArpFlyweight;
import io.vfplane.dataplane.headers.EthernetFlyweight;
import io.vfplane.dataplane.headers.Ipv4Flyweight;
import io.vfplane.dataplane.headers.VlanTagFlyweight;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.pipeline.PacketBatch;
import io.vfplane.pipeline.Stage;
import io.vfplane.pipeline.StageContext;

/**
 * The VF filter on the way out of a guest (VF tx), for packets whose {@link PacketDescriptor#vf()} the guest-side
 * port set. In order, as a NIC's VF tx path:
 * <ol>
 *   <li>link state: a VF that is down sends nothing ({@code vf_link_down});</li>
 *   <li>spoof check (when {@code spoofchk on} and the VF has a MAC): the Ethernet source and, for ARP, the sender
 *       hardware address must be the VF's MAC ({@code spoofed_source_mac}); the IPv4 source and the ARP sender IP
 *       must be one of the VF's addresses when it has any ({@code spoofed_source_ip});</li>
 *   <li>VLAN: a VF with a port VLAN may not send tagged frames ({@code guest_vlan_tag});</li>
 *   <li>rate limit: a token bucket of {@code max_tx_rate} Mbit/s in bytes ({@code rate_limited});</li>
 *   <li>VLAN insert: the port VLAN's tag goes in after the MACs, using 4 bytes of headroom.</li>
 * </ol>
 * Drops are counted per VF and reason; packets and bytes sent per VF. The clock is read once per batch.
 */
public final class VfEgressStage implements Stage
{
    /** The stage's name in counters and {@code show pipeline}. */
    public static final String NAME = "vf_egress";

    private final VfTable table;
    private final NanoClock clock;
    private final EthernetFlyweight ethernet = new EthernetFlyweight();
    private final TokenBucket[] buckets;
    private final VfConfig[] bucketConfigs;
    private final VfBatchCounts counts;
    private PacketPool pool;

    public VfEgressStage(final VfTable table)
    {
        this(table, SystemNanoClock.INSTANCE);
    }

    /**
     * @param clock the time source of the rate limiter (tests pass their own).
     */
    public VfEgressStage(final VfTable table, final NanoClock clock)
    {
        this.table = table;
        this.clock = clock;
        final int n = table.size();
        this.buckets = new TokenBucket[n];
        this.bucketConfigs = new VfConfig[n];
        for (int i = 0; i < n; i++)
        {
            buckets[i] = new TokenBucket();
        }
        this.counts = new VfBatchCounts(n, true);
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public void onStart(final StageContext context)
    {
        pool = context.pool();
    }

    @Override
    public void onBatch(final PacketBatch batch)
    {
        final UnsafeBuffer buffer = pool.buffer();
        final boolean pfUp = table.pfLinkUp();
        final long now = clock.nanoTime();
        for (int i = 0, n = batch.size(); i < n; i++)
        {
            final PacketDescriptor packet = batch.get(i);
            if (packet.action() != PacketDescriptor.ACTION_CONTINUE)
            {
                continue;
            }
            final int vf = packet.vf();
            final VfConfig config = table.get(vf);
            if (config == null)
            {
                batch.drop(i, DropReason.NO_SUCH_VF); // counted by the engine per stage
                continue;
            }
            counts.touched(vf);
            final VfDropReason reason = check(buffer, packet, config, pfUp, now);
            if (reason != null)
            {
                batch.drop(i, reason.shared());
                counts.dropped(vf, reason);
            }
        }
    }

    private VfDropReason check(
        final UnsafeBuffer buffer,
        final PacketDescriptor packet,
        final VfConfig config,
        final boolean pfUp,
        final long now)
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

    @Override
    public void onEndOfBatch()
    {
        counts.publish(table);
    }
}
