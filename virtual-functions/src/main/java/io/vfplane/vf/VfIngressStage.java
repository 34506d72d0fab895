package io.vfplane.vf;

import java.nio.ByteOrder;

import org.agrona.concurrent.UnsafeBuffer;

import io.vfplane.dataplane.headers.EthernetFlyweight;
import io.vfplane.dataplane.headers.VlanTagFlyweight;
import io.vfplane.dataplane.packet.PacketDescriptor;

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
 * A frame one VF sends to another VF of the same table never crosses the underlay, yet it is received by the second
 * VF all the same: {@link #forLocalDelivery} makes the stage that follows the egress rules on the guest side, where
 * it checks only the frames those rules addressed to a VF's guest port and passes the rest (bound for the underlay)
 * untouched.
 */
public final class VfIngressStage extends VfStage
{
    /** The stage's name in counters and {@code show pipeline}. */
    public static final String NAME = "vf_ingress";

    private final boolean localOnly;

    public VfIngressStage(final VfTable table)
    {
        this(table, false);
    }

    private VfIngressStage(final VfTable table, final boolean localOnly)
    {
        super(table, false);
        this.localOnly = localOnly;
    }

    /**
     * The receive checks for VF-to-VF frames: packets whose out port an earlier stage set to the guest port of the VF
     * in {@link PacketDescriptor#vf()} are checked as received by that VF; every other packet is left alone.
     */
    public static VfIngressStage forLocalDelivery(final VfTable table)
    {
        return new VfIngressStage(table, true);
    }

    @Override
    boolean takes(final PacketDescriptor packet)
    {
        if (!localOnly)
        {
            return true;
        }
        final int vf = packet.vf();
        return vf >= 0 && vf < table.size() && packet.outPort() == table.guestPort(vf);
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    VfDropReason check(final UnsafeBuffer buffer, final PacketDescriptor packet, final VfConfig config,
        final boolean pfUp)
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
}
