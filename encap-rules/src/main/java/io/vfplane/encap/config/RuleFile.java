package io.vfplane.encap.config;

import java.io.Reader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

import io.vfplane.encap.format.TunnelFormat;
import io.vfplane.encap.rules.EgressRule;
import io.vfplane.encap.rules.GeneveOption;
import io.vfplane.encap.rules.IngressRule;
import io.vfplane.encap.rules.RuleSet;
import io.vfplane.encap.rules.RuleSetException;
import io.vfplane.encap.rules.Tunnel;
import io.vfplane.encap.rules.Underlay;

/**
 * Reads a YAML rule file into a {@link RuleSet}. Everything is validated before anything is built; every error names
 * the file, the line and the field ({@code rules.yaml:14: egress[3].vni: 16777216 is out of range 0..16777215}), and
 * unknown fields are errors too. The file format is documented, with a complete example, in the module README.
 *
 * <p>SnakeYAML's node API (compose, not load) keeps the line of every value; {@link YamlFile} reads the file and
 * refuses it on any error, {@link YamlFields} reads the fields and collects the errors.
 */
public final class RuleFile
{
    private static final Set<String> TOP = Set.of("underlay", "formats", "geneve-known-options", "egress", "ingress");
    private static final Set<String> UNDERLAY = Set.of("local-ipv4", "local-ipv6", "local-mac", "gateway-mac",
        "depth", "mtu");
    private static final Set<String> FORMAT = Set.of("name", "base", "udp-port", "ip-protocol", "header-length",
        "vni", "flow-id", "fixed");
    private static final Set<String> FIELD = Set.of("offset", "width");
    private static final Set<String> FIXED = Set.of("offset", "bytes");
    private static final Set<String> OPTION_KEY = Set.of("class", "type");
    private static final Set<String> OPTION = Set.of("class", "type", "data");
    private static final Set<String> EGRESS = Set.of("match", "action", "format", "remote", "vni", "geneve-options",
        "ttl", "dscp", "df", "udp-checksum", "vf");
    private static final Set<String> EGRESS_MATCH = Set.of("vf", "port", "vlan", "dst-mac", "dst-ip", "five-tuple");
    private static final Set<String> FIVE_TUPLE = Set.of("src", "dst", "protocol", "src-port", "dst-port");
    private static final Set<String> INGRESS = Set.of("match", "action", "vf");
    private static final Set<String> INGRESS_MATCH = Set.of("dst-ip", "format", "vni", "inner-dst-mac", "src-ip");

    private static final YamlFile<RuleSet, RuleFileException> FILE = new YamlFile<>(TOP, RuleFileException::new,
        (fields, root, top) -> new RuleFile(fields, null).rules(top));

    /**
     * A UDP socket underlay (the host daemon's): the kernel writes every outer header, from Ethernet to UDP, and the
     * socket carries one UDP tunnel format to one port over IPv4. A rule file for it may not ask for what the socket
     * cannot do: outer TTL, DSCP, DF or UDP checksum per rule, outer MACs, another format, IPv6 (a local address,
     * a remote, an ingress match).
     *
     * @param format  the one format (its UDP port is the socket's).
     */
    public record SocketUnderlay(TunnelFormat format)
    {
    }

    private final YamlFields fields;
    private final SocketUnderlay socket;

    private RuleFile(final YamlFields fields, final SocketUnderlay socket)
    {
        this.fields = fields;
        this.socket = socket;
    }

    /** Reads and validates a rule file. */
    public static RuleSet read(final Path file) throws RuleFileException
    {
        return FILE.read(file);
    }

    /** Reads and validates rules from text; {@code fileName} names them in errors. */
    public static RuleSet parse(final String fileName, final Reader text) throws RuleFileException
    {
        return FILE.parse(fileName, text);
    }

    /**
     * As {@link #parse(String, Reader)}, for rules a UDP socket underlay sends: whatever it cannot carry is an error
     * at its line, like any other.
     */
    public static RuleSet parse(final String fileName, final Reader text, final SocketUnderlay socket)
        throws RuleFileException
    {
        return new YamlFile<>(TOP, RuleFileException::new,
            (fields, root, top) -> new RuleFile(fields, socket).rules(top)).parse(fileName, text);
    }

    /** The rules of the top-level fields; null once an error is recorded (the file is then refused whole). */
    private RuleSet rules(final Map<String, Node> top) throws RuleFileException
    {
        final Underlay underlay = underlay(top.get("underlay"));
        final Map<String, TunnelFormat> formats = formats(top.get("formats"));
        final Set<Integer> known = new LinkedHashSet<>();
        fields.mappings(top.get("geneve-known-options"), "geneve-known-options", OPTION_KEY, (i, path, item, m) ->
        {
            final long c = fields.integer(m, "class", path, 0, 0xFFFF, -1);
            final long t = fields.integer(m, "type", path, 0, 0xFF, -1);
            fields.require(m, item, path, "class", "type");
            if (c >= 0 && t >= 0)
            {
                known.add(GeneveOption.key((int)c, (int)t));
            }
        });
        final Set<TunnelFormat> used = new LinkedHashSet<>();
        final List<EgressRule> egress = egress(top.get("egress"), formats, used);
        final List<IngressRule> ingress = ingress(top.get("ingress"), formats, used);
        if (fields.hasErrors())
        {
            return null;
        }
        for (final TunnelFormat f : formats.values())
        {
            if (f.kind() == TunnelFormat.Kind.CUSTOM || TunnelFormat.builtIn(f.name()) == null)
            {
                used.add(f);
            }
        }
        try
        {
            return RuleSet.build(underlay, new ArrayList<>(used), known, egress, ingress);
        }
        catch (final RuleSetException ex)
        {
            final String path = ex.table() + "[" + ex.index() + "]" + (ex.field().isEmpty() ? "" : "." + ex.field());
            throw new RuleFileException(List.of(fields.fileName() + ":" + fields.lineOf(path) + ": " + path + ": " +
                ex.detail()));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new RuleFileException(List.of(fields.fileName() + ":" + fields.lineOf("formats") + ": " +
                ex.getMessage()));
        }
    }


    // ------------------------------------------------------------------------------------------------------------
    // sections
    // ------------------------------------------------------------------------------------------------------------

    private Underlay underlay(final Node node)
    {
        byte[] v4 = null;
        byte[] v6 = null;
        long localMac = 0x02_00_00_00_00_01L;
        long gatewayMac = 0x02_00_00_00_00_02L;
        Underlay.Depth depth = Underlay.Depth.FULL_FRAME;
        int mtu = Underlay.DEFAULT_MTU;
        if (node != null)
        {
            final Map<String, Node> m = fields.mapping(node, "underlay", UNDERLAY);
            if (m != null)
            {
                v4 = fields.address(m, "local-ipv4", "underlay", 4);
                v6 = fields.address(m, "local-ipv6", "underlay", 16);
                if (m.containsKey("local-mac"))
                {
                    localMac = fields.mac(m.get("local-mac"), "underlay.local-mac");
                }
                if (m.containsKey("gateway-mac"))
                {
                    gatewayMac = fields.mac(m.get("gateway-mac"), "underlay.gateway-mac");
                }
                socketCannot(m, "underlay", "outer Ethernet header", "local-mac", "gateway-mac");
                if (socket != null && m.containsKey("local-ipv6"))
                {
                    fields.error(m.get("local-ipv6"), "underlay.local-ipv6", "the UDP socket underlay is IPv4");
                }
                final String d = fields.word(m, "depth", "underlay", null, "full-frame", "tunnel-header");
                if ("tunnel-header".equals(d))
                {
                    depth = Underlay.Depth.TUNNEL_HEADER;
                }
                mtu = (int)fields.integer(m, "mtu", "underlay", 576, 65535, Underlay.DEFAULT_MTU);
            }
        }
        return new Underlay(v4, v6, localMac, gatewayMac, depth, mtu);
    }

    /** For a socket underlay: an error for each of {@code keys} set in {@code m}, which the kernel writes itself. */
    private void socketCannot(final Map<String, Node> m, final String path, final String what, final String... keys)
    {
        if (socket == null)
        {
            return;
        }
        for (final String key : keys)
        {
            if (m.containsKey(key))
            {
                fields.error(m.get(key), path + "." + key, "the kernel writes the " + what +
                    " of a UDP socket underlay: this cannot be set per rule");
            }
        }
    }

    /** For a socket underlay: an error when {@code format} (named in {@code m}) is not the one it carries. */
    private void socketCarries(final Map<String, Node> m, final String path, final TunnelFormat format)
    {
        if (socket != null && format != null && !(format.kind() == socket.format().kind() &&
            format.udpPort() == socket.format().udpPort()))
        {
            fields.error(m.get("format"), path + ".format", format.name() + ": this UDP socket underlay carries " +
                socket.format().name() + " on UDP port " + socket.format().udpPort() + " only");
        }
    }

    private Map<String, TunnelFormat> formats(final Node node)
    {
        final Map<String, TunnelFormat> formats = new LinkedHashMap<>();
        for (final String name : List.of("vxlan", "geneve", "nvgre", "gre"))
        {
            formats.put(name, TunnelFormat.builtIn(name));
        }
        fields.mappings(node, "formats", FORMAT, (i, path, item, m) ->
        {
            final String name = fields.string(m, "name", path);
            if (name == null)
            {
                fields.error(item, path + ".name", "is required");
                return;
            }
            if (formats.containsKey(name))
            {
                fields.error(m.get("name"), path + ".name", "format " + name + " is already defined");
                return;
            }
            try
            {
                if (m.containsKey("base"))
                {
                    final String base = fields.word(m, "base", path, null, "vxlan", "geneve");
                    for (final String k : m.keySet())
                    {
                        if (!k.equals("name") && !k.equals("base") && !k.equals("udp-port"))
                        {
                            fields.error(m.get(k), path + "." + k, "not allowed with base (only udp-port may change)");
                        }
                    }
                    final long port = fields.integer(m, "udp-port", path, 1, 65535, -1);
                    if (base != null && port > 0)
                    {
                        formats.put(name, TunnelFormat.builtIn(base).withUdpPort(name, (int)port));
                    }
                    else if (base != null)
                    {
                        fields.error(item, path + ".udp-port", "is required with base");
                    }
                    return;
                }
                final int errorsBefore = fields.errorCount();
                final long port = fields.integer(m, "udp-port", path, 1, 65535, -1);
                final long protocol = fields.integer(m, "ip-protocol", path, 0, 255, -1);
                if ((port < 0) == (protocol < 0))
                {
                    fields.error(item, path, "give exactly one of udp-port and ip-protocol");
                }
                if (protocol == TunnelFormat.IP_PROTOCOL_UDP)
                {
                    fields.error(m.get("ip-protocol"), path + ".ip-protocol", "17 is UDP: give udp-port instead");
                }
                final long length = fields.integer(m, "header-length", path, 1, 64, -1);
                fields.require(m, item, path, "header-length", "vni");
                final int[] vni = field(m.get("vni"), path + ".vni");
                final int[] flow = m.containsKey("flow-id") ? field(m.get("flow-id"), path + ".flow-id") :
                    new int[]{TunnelFormat.NO_FIELD, 0};
                final byte[] fixed = new byte[(int)Math.max(length, 0)];
                final byte[] mask = new byte[fixed.length];
                fields.mappings(m.get("fixed"), path + ".fixed", FIXED, (j, fp, fixedItem, fm) ->
                {
                    fields.require(fm, fixedItem, fp, "offset", "bytes");
                    final long off = fields.integer(fm, "offset", fp, 0, 63, -1);
                    final byte[] b = hex(fm.get("bytes"), fp + ".bytes");
                    if (off >= 0 && b != null)
                    {
                        if (off + b.length > fixed.length)
                        {
                            fields.error(fm.get("bytes"), fp + ".bytes", "runs past the " + fixed.length +
                                "-byte header");
                        }
                        else
                        {
                            for (int k = 0; k < b.length; k++)
                            {
                                fixed[(int)off + k] = b[k];
                                mask[(int)off + k] = (byte)0xFF;
                            }
                        }
                    }
                });
                if (fields.errorCount() == errorsBefore && vni != null && flow != null)
                {
                    formats.put(name, TunnelFormat.custom(name,
                        port > 0 ? TunnelFormat.IP_PROTOCOL_UDP : (int)protocol, (int)Math.max(port, 0),
                        (int)length, vni[0], vni[1], flow[0], flow[1], fixed, mask));
                }
            }
            catch (final IllegalArgumentException ex)
            {
                fields.error(item, path + "." + ex.getMessage().split(":")[0], rest(ex.getMessage()));
            }
        });
        return formats;
    }

    private static String rest(final String message)
    {
        final int colon = message.indexOf(": ");
        return colon < 0 ? message : message.substring(colon + 2);
    }

    private int[] field(final Node node, final String path)
    {
        if (node == null)
        {
            return null;
        }
        final Map<String, Node> m = fields.mapping(node, path, FIELD);
        if (m == null)
        {
            return null;
        }
        fields.require(m, node, path, "offset", "width");
        final long offset = fields.integer(m, "offset", path, 0, 63, -1);
        final long width = fields.integer(m, "width", path, 8, 32, -1);
        if (width > 0 && width % 8 != 0)
        {
            fields.error(m.get("width"), path + ".width", width + " must be 8, 16, 24 or 32 bits");
            return null;
        }
        return offset < 0 || width < 0 ? null : new int[]{(int)offset, (int)width};
    }

    private List<EgressRule> egress(final Node node, final Map<String, TunnelFormat> formats,
        final Set<TunnelFormat> used)
    {
        final List<EgressRule> rules = new ArrayList<>();
        fields.mappings(node, "egress", EGRESS, (i, path, item, m) ->
        {
            final int before = fields.errorCount();
            int vf = EgressRule.ANY;
            int port = EgressRule.ANY;
            int vlan = EgressRule.ANY;
            long dstMac = EgressRule.ANY;
            byte[] prefix = null;
            int prefixLength = 0;
            EgressRule.FiveTuple five = null;
            if (m.containsKey("match"))
            {
                final String mp = path + ".match";
                final Map<String, Node> match = fields.mapping(m.get("match"), mp, EGRESS_MATCH);
                if (match != null)
                {
                    vf = (int)fields.integer(match, "vf", mp, 0, 65535, EgressRule.ANY);
                    port = (int)fields.integer(match, "port", mp, 0, 65535, EgressRule.ANY);
                    if (vf != EgressRule.ANY && port != EgressRule.ANY)
                    {
                        fields.error(match.get("port"), mp + ".port", "name a vf or a port, not both");
                    }
                    if (match.containsKey("vlan"))
                    {
                        final Node v = match.get("vlan");
                        if (v instanceof ScalarNode s && "untagged".equals(s.getValue()))
                        {
                            vlan = EgressRule.UNTAGGED;
                        }
                        else
                        {
                            vlan = (int)fields.integer(match, "vlan", mp, 0, 4095, EgressRule.ANY);
                        }
                    }
                    if (match.containsKey("dst-mac"))
                    {
                        dstMac = fields.mac(match.get("dst-mac"), mp + ".dst-mac");
                    }
                    if (match.containsKey("dst-ip"))
                    {
                        final Object[] p = prefix(match.get("dst-ip"), mp + ".dst-ip");
                        if (p != null)
                        {
                            prefix = (byte[])p[0];
                            prefixLength = (int)p[1];
                        }
                    }
                    if (match.containsKey("five-tuple"))
                    {
                        five = fiveTuple(match.get("five-tuple"), mp + ".five-tuple");
                    }
                    final int kinds = (five != null ? 1 : 0) + (match.containsKey("dst-mac") ? 1 : 0) +
                        (match.containsKey("dst-ip") ? 1 : 0);
                    if (kinds > 1)
                    {
                        fields.error(m.get("match"), mp, "use at most one of five-tuple, dst-mac, dst-ip");
                    }
                }
            }
            final String action = fields.word(m, "action", path, null, "encap", "deliver", "drop");
            if (action == null && !m.containsKey("action"))
            {
                fields.error(item, path + ".action", "is required (encap, deliver or drop)");
            }
            Tunnel tunnel = null;
            int deliverVf = -1;
            if ("encap".equals(action))
            {
                tunnel = tunnel(m, item, path, formats, used);
                notAllowed(m, path, "vf");
            }
            else if ("deliver".equals(action))
            {
                fields.require(m, item, path, "vf");
                deliverVf = (int)fields.integer(m, "vf", path, 0, 65535, -1);
                notAllowed(m, path, "format", "remote", "vni", "geneve-options", "ttl", "dscp", "df", "udp-checksum");
            }
            else if ("drop".equals(action))
            {
                notAllowed(m, path, "vf", "format", "remote", "vni", "geneve-options", "ttl", "dscp", "df",
                    "udp-checksum");
            }
            if (fields.errorCount() == before)
            {
                rules.add(new EgressRule(vf, port, vlan, dstMac, prefix, prefixLength, five,
                    EgressRule.Action.valueOf(action.toUpperCase()), tunnel, deliverVf));
            }
            else
            {
                rules.add(null);
            }
        });
        return rules;
    }

    private Tunnel tunnel(final Map<String, Node> m, final Node node, final String path,
        final Map<String, TunnelFormat> formats, final Set<TunnelFormat> used)
    {
        fields.require(m, node, path, "format", "remote", "vni");
        final TunnelFormat format = formatRef(m, path, formats);
        final byte[] remote = fields.address(m, "remote", path, 0);
        socketCarries(m, path, format);
        if (socket != null && remote != null && remote.length != 4)
        {
            fields.error(m.get("remote"), path + ".remote", "the UDP socket underlay is IPv4");
        }
        socketCannot(m, path, "outer IP and UDP headers", "ttl", "dscp", "df", "udp-checksum");
        final long max = format == null ? 0xFFFF_FFFFL : format.maxVni();
        final long vni = fields.integer(m, "vni", path, 0, max, -1);
        final List<GeneveOption> options = new ArrayList<>();
        if (m.containsKey("geneve-options"))
        {
            if (format != null && format.kind() != TunnelFormat.Kind.GENEVE)
            {
                fields.error(m.get("geneve-options"), path + ".geneve-options",
                    "only the geneve format carries options");
            }
            fields.mappings(m.get("geneve-options"), path + ".geneve-options", OPTION, (j, op, optionNode, om) ->
            {
                fields.require(om, optionNode, op, "class", "type");
                final long c = fields.integer(om, "class", op, 0, 0xFFFF, -1);
                final long t = fields.integer(om, "type", op, 0, 0xFF, -1);
                byte[] data = new byte[0];
                if (om.containsKey("data"))
                {
                    data = hex(om.get("data"), op + ".data");
                    if (data != null && (data.length % 4 != 0 || data.length > 124))
                    {
                        fields.error(om.get("data"), op + ".data", data.length +
                            " bytes; must be a multiple of 4 and at most 124");
                        data = null;
                    }
                }
                if (c >= 0 && t >= 0 && data != null)
                {
                    options.add(new GeneveOption((int)c, (int)t, data));
                }
            });
            final int total = options.stream().mapToInt(GeneveOption::wireLength).sum();
            if (total > 252)
            {
                fields.error(m.get("geneve-options"), path + ".geneve-options",
                    total + " bytes of options; at most 252");
            }
        }
        int ttl = Tunnel.DEFAULT_TTL;
        if (m.containsKey("ttl"))
        {
            ttl = YamlFields.isWord(m.get("ttl"), "inherit") ? Tunnel.INHERIT :
                (int)fields.integer(m, "ttl", path, 1, 255, 64);
        }
        int dscp = 0;
        if (m.containsKey("dscp"))
        {
            dscp = YamlFields.isWord(m.get("dscp"), "inherit") ? Tunnel.INHERIT :
                (int)fields.integer(m, "dscp", path, 0, 63, 0);
        }
        Tunnel.DfPolicy df = Tunnel.DfPolicy.CLEAR;
        final String dfText = fields.word(m, "df", path, null, "set", "clear", "inherit");
        if (dfText != null)
        {
            df = Tunnel.DfPolicy.valueOf(dfText.toUpperCase());
        }
        Tunnel.UdpChecksum checksum = Tunnel.UdpChecksum.DEFAULT;
        final String csText = fields.word(m, "udp-checksum", path, null, "default", "zero", "compute");
        if (csText != null)
        {
            checksum = Tunnel.UdpChecksum.valueOf(csText.toUpperCase());
        }
        if (format == null || remote == null || vni < 0)
        {
            return null;
        }
        used.add(format);
        return new Tunnel(format, remote, vni, options, ttl, dscp, df, checksum);
    }

    private List<IngressRule> ingress(final Node node, final Map<String, TunnelFormat> formats,
        final Set<TunnelFormat> used)
    {
        final List<IngressRule> rules = new ArrayList<>();
        fields.mappings(node, "ingress", INGRESS, (i, path, item, m) ->
        {
            final int before = fields.errorCount();
            fields.require(m, item, path, "match", "action");
            TunnelFormat format = null;
            byte[] dst = null;
            byte[] src = null;
            long vni = -1;
            long mac = -1;
            if (m.containsKey("match"))
            {
                final String mp = path + ".match";
                final Map<String, Node> match = fields.mapping(m.get("match"), mp, INGRESS_MATCH);
                if (match != null)
                {
                    fields.require(match, m.get("match"), mp, "format", "vni");
                    format = formatRef(match, mp, formats);
                    socketCarries(match, mp, format);
                    dst = fields.address(match, "dst-ip", mp, socket != null ? 4 : 0);
                    src = fields.address(match, "src-ip", mp, socket != null ? 4 : 0);
                    vni = fields.integer(match, "vni", mp, 0, format == null ? 0xFFFF_FFFFL : format.maxVni(), -1);
                    if (match.containsKey("inner-dst-mac"))
                    {
                        mac = fields.mac(match.get("inner-dst-mac"), mp + ".inner-dst-mac");
                    }
                }
            }
            final String action = fields.word(m, "action", path, null, "deliver", "drop");
            int vf = -1;
            if ("deliver".equals(action))
            {
                fields.require(m, item, path, "vf");
                vf = (int)fields.integer(m, "vf", path, 0, 65535, -1);
            }
            else
            {
                notAllowed(m, path, "vf");
            }
            if (fields.errorCount() == before && format != null && action != null)
            {
                used.add(format);
                rules.add(new IngressRule(dst, format, vni, mac, src,
                    IngressRule.Action.valueOf(action.toUpperCase()), vf));
            }
        });
        return rules;
    }

    private TunnelFormat formatRef(final Map<String, Node> m, final String path,
        final Map<String, TunnelFormat> formats)
    {
        final String name = fields.string(m, "format", path);
        if (name == null)
        {
            return null;
        }
        final TunnelFormat f = formats.get(name);
        if (f == null)
        {
            fields.error(m.get("format"), path + ".format", "unknown format " + name + " (known: " +
                String.join(", ", formats.keySet()) + ")");
        }
        return f;
    }

    private EgressRule.FiveTuple fiveTuple(final Node node, final String path)
    {
        final Map<String, Node> m = fields.mapping(node, path, FIVE_TUPLE);
        if (m == null)
        {
            return null;
        }
        fields.require(m, node, path, "src", "dst", "protocol");
        final byte[] src = fields.address(m, "src", path, 0);
        final byte[] dst = fields.address(m, "dst", path, 0);
        final long protocol = fields.integer(m, "protocol", path, 0, 255, -1);
        final long sport = fields.integer(m, "src-port", path, 0, 65535, 0);
        final long dport = fields.integer(m, "dst-port", path, 0, 65535, 0);
        if (src != null && dst != null && src.length != dst.length)
        {
            fields.error(m.get("dst"), path + ".dst", "src and dst must be of the same family");
            return null;
        }
        if (src == null || dst == null || protocol < 0)
        {
            return null;
        }
        return new EgressRule.FiveTuple(src, dst, (int)protocol, (int)sport, (int)dport);
    }

    // ------------------------------------------------------------------------------------------------------------
    // scalars only rule files have
    // ------------------------------------------------------------------------------------------------------------

    private void notAllowed(final Map<String, Node> m, final String path, final String... keys)
    {
        for (final String k : keys)
        {
            if (m.containsKey(k))
            {
                fields.error(m.get(k), path + "." + k, "not allowed with this action");
            }
        }
    }

    private Object[] prefix(final Node node, final String path)
    {
        final String text = fields.scalar(node, path);
        if (text == null)
        {
            return null;
        }
        final int slash = text.indexOf('/');
        final byte[] a = YamlFields.parseAddress(slash < 0 ? text : text.substring(0, slash));
        if (a == null)
        {
            fields.error(node, path, text + " is not an IP prefix");
            return null;
        }
        int length = a.length * 8;
        if (slash >= 0)
        {
            try
            {
                length = Integer.parseInt(text.substring(slash + 1));
            }
            catch (final NumberFormatException ex)
            {
                fields.error(node, path, text + " has a bad prefix length");
                return null;
            }
            if (length < 0 || length > a.length * 8)
            {
                fields.error(node, path, "prefix length " + length + " is out of range 0.." + a.length * 8);
                return null;
            }
        }
        return new Object[]{a, length};
    }

    private byte[] hex(final Node node, final String path)
    {
        final String text = fields.scalar(node, path);
        if (text == null)
        {
            return null;
        }
        final String digits = text.replace(" ", "").replace(":", "");
        if (digits.length() % 2 != 0 || !digits.chars().allMatch(c -> Character.digit(c, 16) >= 0))
        {
            fields.error(node, path, text + " is not hex bytes (for example \"00 00 00 01\")");
            return null;
        }
        final byte[] b = new byte[digits.length() / 2];
        for (int i = 0; i < b.length; i++)
        {
            b[i] = (byte)Integer.parseInt(digits.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }
}
