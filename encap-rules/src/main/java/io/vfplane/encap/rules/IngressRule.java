package io.vfplane.encap.rules;

import io.vfplane.encap.format.TunnelFormat;

/**
 * One ingress rule as configured (off the data path): a tunnelled frame matches on its outer destination IP, its
 * format (the UDP port or IP protocol), its virtual network id, optionally its inner destination MAC and its outer
 * source IP.
 *
 * @param dstIp       outer destination (4 or 16 bytes), or null for any of ours.
 * @param format      the tunnel format.
 * @param vni         virtual network id.
 * @param innerDstMac inner destination MAC, or -1 for any.
 * @param srcIp       outer source (4 or 16 bytes), or null for any.
 * @param action      {@link Action#DELIVER} or {@link Action#DROP}.
 * @param vf          the VF for DELIVER.
 */
public record IngressRule(
    byte[] dstIp,
    TunnelFormat format,
    long vni,
    long innerDstMac,
    byte[] srcIp,
    Action action,
    int vf)
{
    /** Ingress actions. */
    public enum Action
    {
        DELIVER, DROP
    }
}
