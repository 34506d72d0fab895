package io.vfplane.overlay.config;

import java.io.Reader;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.yaml.snakeyaml.nodes.Node;

import io.vfplane.encap.config.YamlFields;
import io.vfplane.encap.config.YamlFile;

/**
 * Reads a host config ({@code host.yaml}) into a {@link HostConfig}. Everything is validated before anything is
 * returned; every error names the file, the line and the field
 * ({@code host.yaml:12: vfs[0].mac: "02:00:zz" is not a MAC address}), and unknown fields are errors. SnakeYAML's node
 * API (compose, not load) keeps the line of every value; {@link YamlFile} reads the file as it does the rule file.
 */
public final class HostConfigFile
{
    private static final Set<String> TOP = Set.of("instance", "pf", "underlay", "tunnel", "control", "pipelines", "vfs",
        "peers");
    private static final Set<String> PIPELINES = Set.of("idle", "placement", "cpus");
    private static final Set<String> UNDERLAY = Set.of("bind", "port", "transport", "mtu", "gro", "offloads");
    private static final Set<String> TUNNEL = Set.of("format");
    private static final Set<String> CONTROL = Set.of("port", "metrics");
    private static final Set<String> VF = Set.of("index", "tap", "mac", "vlan", "ips", "vni", "spoofchk", "trust",
        "state", "max_tx_rate", "queues", "guest");
    private static final Set<String> GUEST = Set.of("netns", "address", "address6", "mtu");
    /** The smallest link MTU IPv6 works over (RFC 8200 section 5). */
    private static final int IPV6_MIN_MTU = 1280;
    private static final Set<String> PEER = Set.of("name", "endpoint", "vnis", "hosts");
    private static final Set<String> MAPPING = Set.of("vni", "mac", "ip", "ip6");
    private static final long MAX_VNI = 0xFF_FFFFL;
    private static final int MAX_IFNAME = 15;

    private static final YamlFile<HostConfig, HostConfigException> FILE = new YamlFile<>(TOP,
        HostConfigException::new, (fields, root, top) -> new HostConfigFile(fields).config(root, top));

    private final YamlFields fields;

    private HostConfigFile(final YamlFields fields)
    {
        this.fields = fields;
    }

    /** Reads and validates a host config file. */
    public static HostConfig read(final Path file) throws HostConfigException
    {
        return FILE.read(file);
    }

    /** Reads and validates a host config from text; {@code fileName} names it in errors. */
    public static HostConfig parse(final String fileName, final Reader text) throws HostConfigException
    {
        return FILE.parse(fileName, text);
    }

    /** The config of the top-level fields ({@code root} is their mapping); not used once an error is recorded. */
    private HostConfig config(final Node root, final Map<String, Node> top)
    {
        fields.require(top, root, "", "pf", "underlay", "vfs");
        final String pf = name(top, "pf", "", "pf0");
        final String instance = name(top, "instance", "", pf);
        final HostConfig.Underlay underlay = underlay(top.get("underlay"));
        final HostConfig.Tunnel tunnel = tunnel(top.get("tunnel"));
        final HostConfig.Control control = control(top.get("control"));
        final HostConfig.Pipelines pipelines = pipelines(top.get("pipelines"));
        final int defaultGuestMtu = (underlay == null ? 1500 : underlay.mtu()) - HostConfig.VXLAN_OVERHEAD;
        final List<HostConfig.Vf> vfs = vfs(top.get("vfs"), defaultGuestMtu);
        final List<HostConfig.Peer> peers = peers(top.get("peers"));
        return new HostConfig(instance, pf, underlay, tunnel, control, pipelines, vfs, peers);
    }

    private HostConfig.Underlay underlay(final Node node)
    {
        if (node == null)
        {
            return null;
        }
        final Map<String, Node> m = fields.mapping(node, "underlay", UNDERLAY);
        if (m == null)
        {
            return null;
        }
        fields.require(m, node, "underlay", "bind");
        final Inet4Address bind = m.get("bind") == null ? null : ipv4(m.get("bind"), "underlay.bind");
        final int port = (int)fields.integer(m, "port", "underlay", 1, 65535, 4789);
        final String transport = fields.word(m, "transport", "underlay", "epoll", "epoll", "io_uring", "native");
        final int mtu = (int)fields.integer(m, "mtu", "underlay", 576, 65535, 1500);
        final boolean gro = fields.bool(m, "gro", "underlay", true);
        final boolean offloads = fields.bool(m, "offloads", "underlay", true);
        return new HostConfig.Underlay(bind, port,
            HostConfig.Transport.valueOf(transport.toUpperCase(Locale.ROOT)), mtu, gro, offloads);
    }

    private HostConfig.Tunnel tunnel(final Node node)
    {
        if (node == null)
        {
            return new HostConfig.Tunnel("vxlan");
        }
        final Map<String, Node> m = fields.mapping(node, "tunnel", TUNNEL);
        if (m == null)
        {
            return null;
        }
        return new HostConfig.Tunnel(fields.word(m, "format", "tunnel", "vxlan", "vxlan"));
    }

    private HostConfig.Control control(final Node node)
    {
        if (node == null)
        {
            return new HostConfig.Control(0, true);
        }
        final Map<String, Node> m = fields.mapping(node, "control", CONTROL);
        if (m == null)
        {
            return null;
        }
        return new HostConfig.Control((int)fields.integer(m, "port", "control", 0, 65535, 0),
            fields.bool(m, "metrics", "control", true));
    }

    private HostConfig.Pipelines pipelines(final Node node)
    {
        if (node == null)
        {
            return new HostConfig.Pipelines("blocking", "inline", List.of());
        }
        final Map<String, Node> m = fields.mapping(node, "pipelines", PIPELINES);
        if (m == null)
        {
            return null;
        }
        final String idle = fields.word(m, "idle", "pipelines", "blocking", "anticipatory", "blocking", "yielding",
            "sleeping", "busy-spin");
        String placement = "inline";
        final Node p = m.get("placement");
        if (p != null)
        {
            placement = fields.scalar(p, "pipelines.placement");
            try
            {
                io.vfplane.pipeline.Placement.parse(placement);
            }
            catch (final RuntimeException ex)
            {
                fields.error(p, "pipelines.placement", "\"" + placement + "\": " + ex.getMessage());
                placement = "inline";
            }
        }
        final List<Integer> cpus = new ArrayList<>();
        final Node c = m.get("cpus");
        if (c != null)
        {
            final List<Node> items = fields.sequence(c, "pipelines.cpus");
            if (items != null)
            {
                for (int k = 0; k < items.size(); k++)
                {
                    final String text = fields.scalar(items.get(k), "pipelines.cpus[" + k + "]");
                    try
                    {
                        final int cpu = Integer.parseInt(text);
                        if (cpu < 0 || cpu >= 1024)
                        {
                            throw new NumberFormatException();
                        }
                        cpus.add(cpu);
                    }
                    catch (final NumberFormatException ex)
                    {
                        fields.error(items.get(k), "pipelines.cpus[" + k + "]",
                            "a CPU number 0..1023: \"" + text + "\"");
                    }
                }
            }
        }
        return new HostConfig.Pipelines(idle, placement, List.copyOf(cpus));
    }

    private List<HostConfig.Vf> vfs(final Node node, final int defaultGuestMtu)
    {
        final List<HostConfig.Vf> vfs = new ArrayList<>();
        final Set<Integer> indexes = new HashSet<>();
        final Set<String> taps = new HashSet<>();
        final Set<Long> macs = new HashSet<>();
        fields.mappings(node, "vfs", VF, (i, path, item, m) ->
        {
            fields.require(m, item, path, "index", "tap", "mac", "vni");
            final int index = (int)fields.integer(m, "index", path, 0, 255, -1);
            if (index >= 0 && !indexes.add(index))
            {
                fields.error(m.get("index"), path + ".index", index + " is used by another VF");
            }
            final String tap = ifName(m, "tap", path);
            if (tap != null && !taps.add(tap))
            {
                fields.error(m.get("tap"), path + ".tap", tap + " is used by another VF");
            }
            final long mac = fields.unicastMac(m.get("mac"), path + ".mac");
            if (mac >= 0 && !macs.add(mac))
            {
                fields.error(m.get("mac"), path + ".mac", "is used by another VF");
            }
            final int vlan = (int)fields.integer(m, "vlan", path, 0, 4094, 0);
            final List<InetAddress> ips = new ArrayList<>();
            final Node ipsNode = m.get("ips");
            if (ipsNode != null)
            {
                final List<Node> ipItems = fields.sequence(ipsNode, path + ".ips");
                for (int k = 0; ipItems != null && k < ipItems.size(); k++)
                {
                    final byte[] ip = fields.address(ipItems.get(k), path + ".ips[" + k + "]", 0);
                    if (ip != null)
                    {
                        ips.add(inet(ip));
                    }
                }
            }
            final int vni = (int)fields.integer(m, "vni", path, 0, MAX_VNI, -1);
            final boolean spoof = fields.bool(m, "spoofchk", path, true);
            final boolean trust = fields.bool(m, "trust", path, false);
            final String state = fields.word(m, "state", path, "auto", "auto", "enable", "disable");
            final int rate = (int)fields.integer(m, "max_tx_rate", path, 0, 400_000, 0);
            final int queues = (int)fields.integer(m, "queues", path, 1, 16, 1);
            HostConfig.Guest guest = null;
            final Node guestNode = m.get("guest");
            if (guestNode != null)
            {
                final Map<String, Node> g = fields.mapping(guestNode, path + ".guest", GUEST);
                if (g != null)
                {
                    fields.require(g, guestNode, path + ".guest", "netns");
                    final String netns = name(g, "netns", path + ".guest", null);
                    final String address = cidr(g.get("address"), path + ".guest.address", 4);
                    final String address6 = cidr(g.get("address6"), path + ".guest.address6", 16);
                    // the largest inner IP packet the underlay carries in one datagram; a port VLAN's tag, inserted
                    // on the way out, takes 4 bytes of it
                    final int largest = defaultGuestMtu - (vlan != 0 ? HostConfig.VLAN_TAG : 0);
                    final int mtu = (int)fields.integer(g, "mtu", path + ".guest", 68, largest, largest);
                    if (address6 != null && mtu < IPV6_MIN_MTU)
                    {
                        // the kernel takes IPv6 off a device whose MTU drops below 1280 (RFC 8200 section 5)
                        fields.error(g.get("address6"), path + ".guest.address6", "IPv6 needs a guest mtu of at " +
                            "least " + IPV6_MIN_MTU + "; this guest's is " + mtu);
                    }
                    if (spoof && !ips.isEmpty())
                    {
                        allowedBySpoofCheck(g, path, "address", address, ips);
                        allowedBySpoofCheck(g, path, "address6", address6, ips);
                    }
                    guest = new HostConfig.Guest(netns, address, address6, mtu);
                }
            }
            vfs.add(new HostConfig.Vf(index, tap, mac, vlan, List.copyOf(ips), vni, spoof, trust, state, rate,
                queues, guest));
        });
        return List.copyOf(vfs);
    }

    private List<HostConfig.Peer> peers(final Node node)
    {
        final List<HostConfig.Peer> peers = new ArrayList<>();
        fields.mappings(node, "peers", PEER, (i, path, item, m) ->
        {
            fields.require(m, item, path, "endpoint");
            final String name = name(m, "name", path, "peer" + i);
            final Inet4Address endpoint = m.get("endpoint") == null ? null : ipv4(m.get("endpoint"),
                path + ".endpoint");
            final List<Integer> vnis = new ArrayList<>();
            final Node vnisNode = m.get("vnis");
            if (vnisNode != null)
            {
                final List<Node> v = fields.sequence(vnisNode, path + ".vnis");
                for (int k = 0; v != null && k < v.size(); k++)
                {
                    final long vni = fields.number(v.get(k), path + ".vnis[" + k + "]", 0, MAX_VNI, -1);
                    if (vni >= 0)
                    {
                        vnis.add((int)vni);
                    }
                }
            }
            final List<HostConfig.Mapping> hosts = new ArrayList<>();
            fields.mappings(m.get("hosts"), path + ".hosts", MAPPING, (k, hp, hostNode, hm) ->
            {
                fields.require(hm, hostNode, hp, "vni", "mac");
                final int vni = (int)fields.integer(hm, "vni", hp, 0, MAX_VNI, -1);
                if (vni >= 0 && !vnis.isEmpty() && !vnis.contains(vni))
                {
                    fields.error(hm.get("vni"), hp + ".vni", vni + " is not in " + path + ".vnis " + vnis);
                }
                final long mac = fields.unicastMac(hm.get("mac"), hp + ".mac");
                final Inet4Address ip = hm.get("ip") == null ? null : ipv4(hm.get("ip"), hp + ".ip");
                final byte[] ip6 = fields.address(hm, "ip6", hp, 16);
                Inet6Address v6 = null;
                if (ip6 != null)
                {
                    if (inet(ip6) instanceof Inet6Address a)
                    {
                        v6 = a;
                    }
                    else
                    {
                        fields.error(hm.get("ip6"), hp + ".ip6", "an IPv4-mapped address: give it as ip");
                    }
                }
                hosts.add(new HostConfig.Mapping(vni, mac, ip, v6));
            });
            if (vnis.isEmpty())
            {
                for (final HostConfig.Mapping h : hosts)
                {
                    if (h.vni() >= 0 && !vnis.contains(h.vni()))
                    {
                        vnis.add(h.vni());
                    }
                }
            }
            peers.add(new HostConfig.Peer(name, endpoint, List.copyOf(vnis), List.copyOf(hosts)));
        });
        return List.copyOf(peers);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Fields only host configs have; the common ones are YamlFields'. Each reports its own error and returns a
    // sentinel, so one pass finds every error.
    // ---------------------------------------------------------------------------------------------------------

    private String name(final Map<String, Node> m, final String key, final String path, final String absent)
    {
        final Node node = m.get(key);
        if (node == null)
        {
            return absent;
        }
        final String field = YamlFields.child(path, key);
        final String text = fields.scalar(node, field);
        if (text == null)
        {
            return absent;
        }
        if (!text.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}"))
        {
            fields.error(node, field, "\"" + text + "\" must be letters, digits, '.', '_' or '-'");
            return absent;
        }
        return text;
    }

    private String ifName(final Map<String, Node> m, final String key, final String path)
    {
        final String text = name(m, key, path, null);
        if (text != null && text.length() > MAX_IFNAME)
        {
            fields.error(m.get(key), path + "." + key, "\"" + text + "\" is longer than " + MAX_IFNAME + " characters");
            return null;
        }
        return text;
    }

    private Inet4Address ipv4(final Node node, final String path)
    {
        final byte[] address = fields.address(node, path, 4);
        return address == null ? null : inet4(address);
    }

    /** An error when the guest's {@code key} address ({@code cidr}, checked already) is not among the VF's ips. */
    private void allowedBySpoofCheck(final Map<String, Node> g, final String path, final String key, final String cidr,
        final List<InetAddress> ips)
    {
        if (cidr != null && !ips.contains(inet(YamlFields.parseAddress(cidr.substring(0, cidr.indexOf('/'))))))
        {
            fields.error(g.get(key), path + ".guest." + key, cidr + " is not in " + path +
                ".ips: the spoof check would drop everything the guest sends from it");
        }
    }

    /**
     * An address of {@code family} bytes (4 or 16) with a prefix length ({@code 192.168.77.1/24},
     * {@code fd77::1/64}), or null (with an error when it is not one).
     */
    private String cidr(final Node node, final String path, final int family)
    {
        if (node == null)
        {
            return null;
        }
        final String text = fields.scalar(node, path);
        if (text == null)
        {
            return null;
        }
        final int slash = text.indexOf('/');
        final byte[] address = slash > 0 ? YamlFields.parseAddress(text.substring(0, slash)) : null;
        final String prefix = slash > 0 ? text.substring(slash + 1) : "";
        final boolean ok = address != null && address.length == family && prefix.matches("[0-9]{1,3}") &&
            Integer.parseInt(prefix) <= family * 8;
        if (!ok)
        {
            fields.error(node, path, "\"" + text + "\" is not an " + (family == 4 ?
                "IPv4 address with a prefix length (a.b.c.d/n)" : "IPv6 address with a prefix length (fd00::1/64)"));
            return null;
        }
        return text;
    }

    private static Inet4Address inet4(final byte[] address)
    {
        return (Inet4Address)inet(address);
    }

    /** 4 or 16 bytes as an address (an IPv4-mapped IPv6 address comes back as its IPv4 address). */
    private static InetAddress inet(final byte[] address)
    {
        try
        {
            return InetAddress.getByAddress(address);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalArgumentException(ex); // never: 4 or 16 bytes are always an address
        }
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} (or with {@code -}) into 48 bits, or returns -1. */
    public static long parseMac(final String text)
    {
        return YamlFields.parseMac(text);
    }

    /** Formats 48 bits as {@code aa:bb:cc:dd:ee:ff}. */
    public static String formatMac(final long mac)
    {
        final StringBuilder sb = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8)
        {
            if (shift != 40)
            {
                sb.append(':');
            }
            sb.append(String.format("%02x", (mac >>> shift) & 0xFF));
        }
        return sb.toString();
    }

}
