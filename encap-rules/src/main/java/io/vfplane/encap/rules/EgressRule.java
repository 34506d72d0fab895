package io.vfplane.encap.rules;

/**
 * One egress rule as configured (off the data path). A rule's scope is its source (a VF, an input port, or any) and
 * its VLAN (or any); within a scope it matches on at most one of: the full 5-tuple, the inner destination MAC, the
 * inner destination IP prefix (longest prefix wins), or nothing (the scope's default).
 *
 * @param sourceVf   source VF, or -1 for any.
 * @param inPort     input port, or -1 for any (a rule names a VF or a port, not both).
 * @param vlan       802.1Q VLAN id 0..4095, or -1 for any (untagged frames have VLAN {@link #UNTAGGED}).
 * @param dstMac     inner destination MAC (48 bits), or -1 for any.
 * @param dstPrefix  inner destination prefix (4 or 16 bytes), or null.
 * @param prefixLength prefix length.
 * @param fiveTuple  an exact 5-tuple, or null.
 * @param action     what to do.
 * @param tunnel     for {@link Action#ENCAP}.
 * @param deliverVf  for {@link Action#DELIVER}.
 */
public record EgressRule(
    int sourceVf,
    int inPort,
    int vlan,
    long dstMac,
    byte[] dstPrefix,
    int prefixLength,
    FiveTuple fiveTuple,
    Action action,
    Tunnel tunnel,
    int deliverVf)
{
    public static final int ANY = -1;
    /** The VLAN id matched by untagged frames in a rule that names {@code vlan: untagged}. */
    public static final int UNTAGGED = 4096;

    /** Egress actions. */
    public enum Action
    {
        ENCAP, DELIVER, DROP
    }

    /**
     * An exact 5-tuple: both addresses of one family, protocol, ports (0 when the protocol has none).
     */
    public record FiveTuple(byte[] source, byte[] destination, int protocol, int sourcePort, int destinationPort)
    {
    }
}
