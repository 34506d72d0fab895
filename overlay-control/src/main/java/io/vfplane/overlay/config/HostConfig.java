package io.vfplane.overlay.config;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

/**
 * One host's daemon config, validated: the physical function, its underlay, its VFs and the static peers. Read by
 * {@link HostConfigFile}; the file format is documented, with a complete example, in the module README.
 *
 * @param instance the instance name: names the shared-memory directory (counters, control endpoint).
 * @param pf       the physical function's name (shown by {@code show ports}).
 * @param underlay the underlay socket.
 * @param tunnel   the tunnel format on the underlay.
 * @param control  the control API.
 * @param pipelines how the pipelines run.
 * @param vfs      the virtual functions.
 * @param peers    the static peers (the first {@link PeerSource}).
 */
public record HostConfig(
    String instance,
    String pf,
    Underlay underlay,
    Tunnel tunnel,
    Control control,
    Pipelines pipelines,
    List<Vf> vfs,
    List<Peer> peers)
{
    /** Transports the underlay port may use. */
    public enum Transport
    {
        EPOLL, IO_URING,
        /** A plain socket through FFM: recvmmsg with UDP GRO, sendmmsg with UDP GSO from the pipeline thread. */
        NATIVE
    }

    /**
     * @param bind      local tunnel endpoint: the address the underlay socket binds and the outer source.
     * @param port      UDP port bound, and the destination port toward peers (as Linux's vxlan {@code dstport}).
     * @param transport the socket transport: Netty's epoll (the default) or io_uring, or native (FFM, no Netty: the
     *                  fastest here; the demo and the overlay comparison use it).
     * @param mtu       the underlay MTU (outer IP packet).
     * @param gro       UDP GRO on the underlay socket (epoll, native): one receive per train of datagrams; on epoll
     *                  in place of recvmmsg batches (Netty 4.2 does one or the other), on native within them.
     * @param offloads  the offload path: TAPs with TSO and checksum offload (64 KiB frames from the guests), tunnel
     *                  TSO with UDP GSO out, RSC to the guests; off: MTU-sized frames only.
     */
    public record Underlay(Inet4Address bind, int port, Transport transport, int mtu, boolean gro, boolean offloads)
    {
    }

    /**
     * @param format tunnel format name: {@code vxlan} (the only one a UDP socket underlay carries for now).
     */
    public record Tunnel(String format)
    {
    }

    /**
     * @param port           loopback TCP port of the control API (0: any free port, written to the instance dir).
     * @param metricsEnabled whether {@code /metrics} is served.
     */
    public record Control(int port, boolean metricsEnabled)
    {
    }

    /**
     * @param idle      the idle strategy of the pipeline threads ({@code IdleStrategyConfig.Kind} names).
     * @param placement stage placement: {@code inline} (the default: each port's receive thread runs the pipeline
     *                  over what it read, no hand-off), {@code fused}, {@code split}, or group sizes such as
     *                  {@code 2+1}.
     * @param cpus      the CPUs the daemon's data-path threads (pipelines, TAP and underlay receivers) run on;
     *                  empty: wherever the kernel puts them. One CPU keeps a frame's hand-offs between threads in
     *                  one core's cache (the TAP read, the segmenter's checksum pass and the send touch the same
     *                  64 KiB) and keeps a daemon's threads off the CPU its peer or the guests run on.
     */
    public record Pipelines(String idle, String placement, java.util.List<Integer> cpus)
    {
    }

    /**
     * A virtual function.
     *
     * @param index      VF number.
     * @param tap        TAP device name of its backend.
     * @param mac        the guest's MAC (48 bits).
     * @param vlan       port VLAN, 0 for none.
     * @param ips        the IPv4 and IPv6 addresses the guest may send from (the IP spoof check; IPv6 also from ::
     *                   and its MAC's link-local address); empty: not checked.
     * @param vni        the virtual network the VF belongs to.
     * @param spoofCheck MAC (and IP) spoof check.
     * @param trust      trusted VF.
     * @param state      link state: auto, enable or disable.
     * @param maxTxRate  Mbit/s, 0 for no limit.
     * @param queues     queue pairs.
     * @param guest      where the TAP is moved and addressed, or null to leave it in the daemon's namespace.
     */
    public record Vf(
        int index,
        String tap,
        long mac,
        int vlan,
        List<InetAddress> ips,
        int vni,
        boolean spoofCheck,
        boolean trust,
        String state,
        int maxTxRate,
        int queues,
        Guest guest)
    {
    }

    /**
     * @param netns   the guest's network namespace (must exist).
     * @param address  the guest's address with prefix length, e.g. {@code 192.168.10.1/24}; null leaves it unset.
     * @param address6 the guest's IPv6 address with prefix length, e.g. {@code fd77::1/64}, or null.
     * @param mtu      the guest interface MTU (underlay MTU minus the tunnel overhead by default).
     */
    public record Guest(String netns, String address, String address6, int mtu)
    {
    }

    /**
     * A remote host.
     *
     * @param name     a name for logs and {@code show}.
     * @param endpoint its tunnel endpoint.
     * @param vnis     the virtual networks it takes part in.
     * @param hosts    the guests behind it.
     */
    public record Peer(String name, Inet4Address endpoint, List<Integer> vnis, List<Mapping> hosts)
    {
    }

    /**
     * A guest behind a peer.
     *
     * @param vni the guest's virtual network.
     * @param mac its MAC.
     * @param ip  its IPv4 address, or null.
     * @param ip6 its IPv6 address, or null.
     */
    public record Mapping(int vni, long mac, Inet4Address ip, Inet6Address ip6)
    {
    }

    /** VXLAN over IPv4 over UDP: outer IP packet length minus the guest IP MTU (inner Ethernet 14, UDP 8, VXLAN 8, IP 20). */
    public static final int VXLAN_OVERHEAD = 14 + 20 + 8 + 8;
    /** An 802.1Q tag in the inner frame: a VF with a port VLAN sends its frames tagged. */
    public static final int VLAN_TAG = 4;

    /** The VF with this index, or null. */
    public Vf vf(final int index)
    {
        for (final Vf vf : vfs)
        {
            if (vf.index() == index)
            {
                return vf;
            }
        }
        return null;
    }
}
