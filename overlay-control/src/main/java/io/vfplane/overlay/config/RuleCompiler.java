package io.vfplane.overlay.config;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.vfplane.encap.format.TunnelFormat;
import io.vfplane.encap.rules.EgressRule;
import io.vfplane.encap.rules.IngressRule;
import io.vfplane.encap.rules.RuleSet;
import io.vfplane.encap.rules.Tunnel;
import io.vfplane.encap.rules.Underlay;

/**
 * Compiles a host's VFs and its peers into an encap-rules {@link RuleSet}.
 *
 * <pre>
 *  egress, per VF v in VNI n:
 *    dst-mac of another local VF w in n        -> deliver w
 *    dst-mac of a guest behind peer p in n     -> encap vxlan, remote p, vni n
 *    dst-mac ff:ff:ff:ff:ff:ff                 -> encap toward the first peer in n (ARP with one peer per VNI)
 *    anything else                             -> no rule: dropped and counted (no flooding)
 *  ingress, per VF v in VNI n, per peer p in n:
 *    outer dst = our endpoint, outer src = p, vni n, inner dst-mac = v's MAC -> deliver v
 *    the same with inner dst-mac broadcast                                    -> deliver to the first VF in n
 * </pre>
 *
 * A frame from an endpoint that is not a peer of that VNI, or for a MAC that is not ours, finds no rule: traffic
 * never crosses between virtual networks. The underlay depth is full-frame: the UDP socket port reads the outer
 * destination from the outer headers and sends only the tunnel header and payload.
 */
public final class RuleCompiler
{
    /** Outer Ethernet addresses: the UDP socket underlay never puts them on a wire. */
    private static final long LOCAL_MAC = 0x02_00_00_00_00_01L;
    private static final long GATEWAY_MAC = 0x02_00_00_00_00_02L;
    private static final long BROADCAST = 0xFFFF_FFFF_FFFFL;

    private RuleCompiler()
    {
    }

    /** The tunnel format the config names, on the underlay's port. */
    public static TunnelFormat format(final HostConfig config)
    {
        final int port = config.underlay().port();
        return port == TunnelFormat.VXLAN_PORT ? TunnelFormat.VXLAN : TunnelFormat.VXLAN.withUdpPort("vxlan", port);
    }

    /**
     * @throws IllegalArgumentException naming the conflict when the VFs and peers do not make a consistent rule set.
     */
    public static RuleSet compile(final HostConfig config, final List<HostConfig.Peer> peers)
    {
        final TunnelFormat format = format(config);
        final Underlay underlay = new Underlay(config.underlay().bind().getAddress(), null, LOCAL_MAC, GATEWAY_MAC,
            Underlay.Depth.FULL_FRAME, config.underlay().mtu());
        final List<EgressRule> egress = new ArrayList<>();
        final List<IngressRule> ingress = new ArrayList<>();
        for (final HostConfig.Vf vf : config.vfs())
        {
            final int vni = vf.vni();
            for (final HostConfig.Vf other : config.vfs())
            {
                if (other != vf && other.vni() == vni)
                {
                    egress.add(new EgressRule(vf.index(), EgressRule.ANY, EgressRule.ANY, other.mac(), null, 0, null,
                        EgressRule.Action.DELIVER, null, other.index()));
                }
            }
            HostConfig.Peer first = null;
            for (final HostConfig.Peer peer : peers)
            {
                if (!peer.vnis().contains(vni))
                {
                    continue;
                }
                if (first == null)
                {
                    first = peer;
                }
                final Tunnel tunnel = tunnel(format, peer.endpoint(), vni);
                for (final HostConfig.Mapping host : peer.hosts())
                {
                    if (host.vni() == vni)
                    {
                        egress.add(new EgressRule(vf.index(), EgressRule.ANY, EgressRule.ANY, host.mac(), null, 0,
                            null, EgressRule.Action.ENCAP, tunnel, EgressRule.ANY));
                    }
                }
                ingress.add(new IngressRule(config.underlay().bind().getAddress(), format, vni, vf.mac(),
                    peer.endpoint().getAddress(), IngressRule.Action.DELIVER, vf.index()));
                if (firstVfIn(config, vni) == vf)
                {
                    ingress.add(new IngressRule(config.underlay().bind().getAddress(), format, vni, BROADCAST,
                        peer.endpoint().getAddress(), IngressRule.Action.DELIVER, vf.index()));
                }
            }
            if (first != null)
            {
                egress.add(new EgressRule(vf.index(), EgressRule.ANY, EgressRule.ANY, BROADCAST, null, 0, null,
                    EgressRule.Action.ENCAP, tunnel(format, first.endpoint(), vni), EgressRule.ANY));
            }
        }
        return RuleSet.build(underlay, List.of(format), Set.of(), egress, ingress);
    }

    private static HostConfig.Vf firstVfIn(final HostConfig config, final int vni)
    {
        for (final HostConfig.Vf vf : config.vfs())
        {
            if (vf.vni() == vni)
            {
                return vf;
            }
        }
        return null;
    }

    private static Tunnel tunnel(final TunnelFormat format, final Inet4Address remote, final int vni)
    {
        return new Tunnel(format, remote.getAddress(), vni, List.of(), Tunnel.DEFAULT_TTL, Tunnel.INHERIT,
            Tunnel.DfPolicy.CLEAR, Tunnel.UdpChecksum.ZERO);
    }
}
