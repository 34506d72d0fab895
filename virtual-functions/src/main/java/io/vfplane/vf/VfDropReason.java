package io.vfplane.vf;

import io.vfplane.dataplane.parse.DropReason;

/**
 * Why a VF stage dropped a packet. Each reason has a per-VF counter per direction
 * ({@code vf.<n>.tx_drop.<label>}, {@code vf.<n>.rx_drop.<label>}).
 *
 * <p>Each maps to the shared {@link DropReason} the packet is dropped with, so the pipeline's per-stage drop counters
 * show VF drops too; the per-VF counters here add which VF dropped it.
 */
public enum VfDropReason
{
    /** The VF sent from a MAC that is not its own (spoof check on). */
    SPOOFED_SOURCE_MAC("spoofed_source_mac", DropReason.SPOOFED_SOURCE_MAC),
    /** The VF sent from an IPv4 address (or ARP sender) that is not configured for it (spoof check on). */
    SPOOFED_SOURCE_IP("spoofed_source_ip", DropReason.SPOOFED_SOURCE_IP),
    /** The VF's link is down (state disable, or auto with the PF down). */
    VF_LINK_DOWN("vf_link_down", DropReason.VF_LINK_DOWN),
    /** Over the VF's max_tx_rate. */
    RATE_LIMITED("rate_limited", DropReason.RATE_LIMITED),
    /** A VF with a VLAN configured sent a frame that is already tagged (a port VLAN is not nestable by the guest). */
    GUEST_VLAN_TAG("guest_vlan_tag", DropReason.GUEST_VLAN_TAG),
    /** A frame for a VF with a VLAN did not carry that VLAN. */
    VLAN_MISMATCH("vlan_mismatch", DropReason.VLAN_MISMATCH),
    /** A unicast frame for another MAC reached an untrusted VF (no promiscuous mode without trust). */
    DESTINATION_MAC_MISMATCH("destination_mac_mismatch", DropReason.DESTINATION_MAC_MISMATCH),
    /** The packet names no VF, or one that does not exist. */
    NO_SUCH_VF("no_such_vf", DropReason.NO_SUCH_VF),
    /** The frame is too short for the check or there is no headroom for the VLAN tag. */
    MALFORMED("malformed", DropReason.MALFORMED_FRAME);

    /** All constants, cached so counters can iterate without the array copy {@code values()} makes. */
    public static final VfDropReason[] VALUES = values();

    private final String label;
    private final DropReason shared;

    VfDropReason(final String label, final DropReason shared)
    {
        this.label = label;
        this.shared = shared;
    }

    /**
     * @return the reason the packet is dropped with in the pipeline.
     */
    public DropReason shared()
    {
        return shared;
    }

    /**
     * @return the stable snake_case name used in counter labels.
     */
    public String label()
    {
        return label;
    }
}
