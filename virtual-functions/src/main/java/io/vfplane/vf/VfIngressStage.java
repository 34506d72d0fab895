package io.vfplane.vf;

import java.nio.ByteOrder;

import org.agrona.concurrent.UnsafeBuffer;

import io.vfplane.dataplane.parse.DropReason;
import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.headers.EthernetFlyweight;
import io.vfplane.dataplane.headers.VlanTagFlyweight;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.pipeline.PacketBatch;
import io.vfplane.pipeline.Stage;
import io.vfplane.pipeline.StageContext;

/**
 * The VF filter on the way into a guest (VF rx), for packets whose {@link PacketDescriptor#vf()} an earlier stage
 * (ingress rules, decap) set to the VF they are for. In order:
 * <ol>
 *   <li>link state: a VF that is down receives nothing ({@code vf_link_down});</li>
 *   <li>VLAN strip: a VF with a port VLAN receives only frames tagged with it, and without the tag
 *       ({@code vlan_mismatch} otherwise); a VF without one receives frames as they are;</li>
 *   <li>MAC filter: an untrusted VF with a MAC receives only unicast frames for its MAC, plus broadcast and multicast
 *       (trust on is promiscuous) ({@code destination_mac_mismatch});</li>
 *   <li>delivery: the packet's out port becomes the VF's guest port ({@link VfTable#guestPort(int)}).</li>
 * </ol>
 */
public final class VfIngressStage implements Stage
{
    /** The stage's name in counters and {@code show pipeline}. */
    public static final String NAME = "vf_ingress";

    private final VfTable table;
    private final EthernetFlyweight ethernet = new EthernetFlyweight();
    private final VfBatchCounts counts;
    private PacketPool pool;

    public VfIngressStage(final VfTable table)
    {
        this.table = table;
        final int n = table.size();
        this.counts = new VfBatchCounts(n, false);
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
            final VfDropReason reason = check(buffer, packet, config, pfUp);
            if (reason != null)
            {
                batch.drop(i, reason.shared());
                counts.dropped(vf, reason);
            }
        }
    }

    private VfDropReason check(
        final UnsafeBuffer buffer, final PacketDescriptor packet, final VfConfig config, final boolean pfUp)
    {
        if (!config.linkState().isUp(pfUp))
        {
            return VfDropReason.VF_LINK_DOWN;
        }
        if (packet.length() < EthernetFlyweight.HEADER_LENGTH)
        {
            return VfDropReason.MALFORMED;
        }
        ethernet.wrap(buffer, packet.offset());
        if (config.vlan() != 0)
        {
            if (packet.length() < EthernetFlyweight.HEADER_LENGTH + VlanTagFlyweight.HEADER_LENGTH ||
                ethernet.ethertype() != config.vlanProtocol())
            {
                return VfDropReason.VLAN_MISMATCH;
            }
            final int tci = buffer.getShort(packet.offset() + EthernetFlyweight.HEADER_LENGTH + VlanTagFlyweight.TCI_OFFSET,
                ByteOrder.BIG_ENDIAN) & 0xFFFF;
            if ((tci & 0x0FFF) != config.vlan())
            {
                return VfDropReason.VLAN_MISMATCH;
            }
            VlanTags.strip(buffer, packet);
            ethernet.wrap(buffer, packet.offset());
        }
        final long destination = ethernet.destination();
        if (!config.trust() && config.mac() != 0 && destination != config.mac() && !Macs.isMulticast(destination))
        {
            return VfDropReason.DESTINATION_MAC_MISMATCH;
        }
        final int vf = config.index();
        packet.outPort(table.guestPort(vf));
        counts.passed(vf, packet.length());
        return null;
    }

    @Override
    public void onEndOfBatch()
    {
        counts.publish(table);
    }
}
