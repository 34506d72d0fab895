package io.vfplane.encap.rules;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;

import io.vfplane.encap.format.TunnelFormat;

import static io.vfplane.dataplane.buffer.NetworkOrder.getInt;
import static io.vfplane.dataplane.buffer.NetworkOrder.getLong;
import static io.vfplane.dataplane.buffer.NetworkOrder.getShort;

/**
 * An immutable, compiled set of egress and ingress rules: the tables the data path reads without locks. Built off the
 * data path by {@link #build}; published by {@link RuleTables#apply(RuleSet)} with a volatile write, and read by the
 * data path once per batch, so no packet ever sees half a table.
 *
 * <h2>Egress</h2>
 * A rule's scope is (source, VLAN): source is a VF, an input port or any; VLAN is an id, "untagged" or any. Scopes are
 * tried from the most specific: (VF, VLAN), (VF, any), (port, VLAN), (port, any), (any, VLAN), (any, any). Within the
 * first scope that matches anything, the most specific rule wins: exact 5-tuple, then inner destination MAC, then
 * host route, then longest prefix, then the scope's default rule. Exact keys are packed into longs in open-addressing
 * maps; prefixes live in a shared multibit trie ({@link PrefixTrie}).
 *
 * <h2>Ingress</h2>
 * Keyed on (outer destination, format, virtual network id) plus optionally the inner destination MAC and the outer
 * source; a rule naming more of these wins. An outer destination that no rule names, and no wildcard, is no match.
 *
 * <h2>Hit counters</h2>
 * One long per rule, plain increments by the data-path thread that owns the processor (the counts are exact with one
 * data-path thread per rule set, and approximate if several shards share it); reset when a new rule set is applied.
 * An ingress rule's count sits in its table record, beside its key and entry, so counting costs no extra cache miss.
 */
public final class RuleSet
{
    public static final int NO_RULE = -1;
    /** No ingress entry: {@link #ingressMatch} found no rule. */
    public static final long NO_ENTRY = -1;
    public static final int NO_FORMAT = -1;

    public static final int ACTION_ENCAP = 0;
    public static final int ACTION_DELIVER = 1;
    public static final int ACTION_DROP = 2;

    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    /** Ingress entry: rule id in bits 0..31, VF in 32..55, action in 56..57 (bit 63 clear: never NO_ENTRY). */
    private static final int ENTRY_VF_SHIFT = 32;
    private static final int ENTRY_VF_MASK = 0xFF_FFFF;
    private static final int ENTRY_ACTION_SHIFT = 56;
    private static final int SOURCE_ANY = 0;
    private static final int SOURCE_VF = 1;
    private static final int SOURCE_PORT = 2;
    private static final int VLAN_ANY = 0xFFFF;
    private static final int MAX_FORMATS = 256;
    private static final int DIRECT_SCOPE_IDS = 1024;
    private static final long ANY_MAC = 1L << 63;
    private static final long IPV4_MAPPED = 0xFFFF_0000_0000L;
    private static final AtomicLong GENERATIONS = new AtomicLong();

    /** Unique per built set: lets a data-path thread keep what it derived from one set without a reference to it. */
    private final long generation = GENERATIONS.incrementAndGet();
    private final Underlay underlay;
    private final TunnelFormat[] formats;
    private final int[] formatByPort = new int[65536];
    private final int[] formatByProtocol = new int[256];
    /** formatByPort where that format is plain VXLAN, NO_FORMAT elsewhere. */
    private final int[] vxlanFormatByPort = new int[65536];
    private final WideKeyMap knownGeneveOptions;
    private final List<EgressRule> egressRules;
    private final List<IngressRule> ingressRules;

    // egress
    private final WideKeyMap scopes;
    /** Scopes without a VLAN of sources 0..DIRECT_SCOPE_IDS-1, indexed by kind and id: the common case skips a hash. */
    private final int[] directScopes = new int[3 * DIRECT_SCOPE_IDS];
    private final int[] scopeDefault;
    private final int[] scopeRoot4;
    private final int[] scopeRoot6;
    private final WideKeyMap macs;
    private final WideKeyMap hosts4;
    private final WideKeyMap hosts6;
    private final WideKeyMap fiveTuples;
    private final PrefixTrie trie;
    private final boolean hasVfScopes;
    private final boolean hasPortScopes;
    private final boolean hasVlanScopes;
    private final boolean hasFiveTuples;
    private final byte[] egressAction;
    private final int[] egressArgument;
    private final TunnelTemplates templates;
    private final TunnelEndpoint[] tunnelEndpoints;
    private final long[] egressHits;

    // ingress
    private final WideKeyMap endpoints;
    private final WideKeyMap sources;
    private final WideKeyMap ingress;
    private final boolean hasWildcardEndpoint;
    private final boolean hasSourceRules;
    private final byte[] ingressAction;
    private final int[] ingressVf;
    /** The ingress table record of each rule: its hit count lives in the record, on the line the lookup reads. */
    private final int[] ingressRecord;

    private RuleSet(
        final Underlay underlay,
        final List<TunnelFormat> formatList,
        final Collection<Integer> knownOptions,
        final List<EgressRule> egressRules,
        final List<IngressRule> ingressRules)
    {
        this.underlay = underlay;
        this.egressRules = List.copyOf(egressRules);
        this.ingressRules = List.copyOf(ingressRules);
        this.formats = formatList.toArray(new TunnelFormat[0]);
        if (formats.length > MAX_FORMATS)
        {
            // the ingress key holds the format index in 8 bits, between the VNI and the endpoint
            throw new IllegalArgumentException("formats: " + formats.length + " given, at most " + MAX_FORMATS);
        }
        Arrays.fill(formatByPort, NO_FORMAT);
        Arrays.fill(formatByProtocol, NO_FORMAT);
        Arrays.fill(vxlanFormatByPort, NO_FORMAT);
        for (int f = 0; f < formats.length; f++)
        {
            final TunnelFormat format = formats[f];
            if (format.isUdp())
            {
                if (formatByPort[format.udpPort()] != NO_FORMAT)
                {
                    throw new IllegalArgumentException("formats: " + format.name() + " and " +
                        formats[formatByPort[format.udpPort()]].name() + " both use UDP port " + format.udpPort());
                }
                formatByPort[format.udpPort()] = f;
                if (format.kind() == TunnelFormat.Kind.VXLAN && format.headerLength() == 8)
                {
                    vxlanFormatByPort[format.udpPort()] = f;
                }
            }
            else
            {
                if (formatByProtocol[format.ipProtocol()] != NO_FORMAT)
                {
                    throw new IllegalArgumentException("formats: " + format.name() + " and " +
                        formats[formatByProtocol[format.ipProtocol()]].name() + " both use IP protocol " +
                        format.ipProtocol() + "; a rule set may use only one of them");
                }
                formatByProtocol[format.ipProtocol()] = f;
            }
        }
        knownGeneveOptions = new WideKeyMap(1, knownOptions.size());
        for (final int key : knownOptions)
        {
            knownGeneveOptions.putIfAbsent(new long[]{key}, 1);
        }

        // ---- egress ----
        final int ne = egressRules.size();
        egressAction = new byte[ne];
        egressArgument = new int[ne];
        egressHits = new long[ne];
        final int[] tunnelIndex = new int[ne];
        templates = TunnelTemplates.build(egressRules, underlay, tunnelIndex);
        tunnelEndpoints = new TunnelEndpoint[templates.count()];
        for (int t = 0; t < tunnelEndpoints.length; t++)
        {
            tunnelEndpoints[t] = TunnelEndpoint.of(t, templates.tunnel(t));
        }
        scopes = new WideKeyMap(1, 16);
        Arrays.fill(directScopes, WideKeyMap.MISSING);
        final List<int[]> scopeInfo = new ArrayList<>(); // {default, root4, root6}
        trie = new PrefixTrie();
        int macCount = 0;
        int fiveCount = 0;
        for (final EgressRule rule : egressRules)
        {
            macCount += rule.dstMac() != EgressRule.ANY ? 1 : 0;
            fiveCount += rule.fiveTuple() != null ? 1 : 0;
        }
        macs = new WideKeyMap(1, macCount);
        hosts4 = new WideKeyMap(1, 16);
        hosts6 = new WideKeyMap(3, 16);
        fiveTuples = new WideKeyMap(5, fiveCount);
        boolean vfScopes = false;
        boolean portScopes = false;
        boolean vlanScopes = false;
        final int[] ruleScope = new int[ne];
        final Set<String> duplicates = new HashSet<>();
        for (int r = 0; r < ne; r++)
        {
            final EgressRule rule = egressRules.get(r);
            checkEgress(r, rule);
            egressAction[r] = (byte)switch (rule.action())
            {
                case ENCAP -> ACTION_ENCAP;
                case DELIVER -> ACTION_DELIVER;
                case DROP -> ACTION_DROP;
            };
            egressArgument[r] = rule.action() == EgressRule.Action.ENCAP ? tunnelIndex[r] : rule.deliverVf();
            final int sourceKind = rule.sourceVf() != EgressRule.ANY ? SOURCE_VF :
                rule.inPort() != EgressRule.ANY ? SOURCE_PORT : SOURCE_ANY;
            final int sourceId = sourceKind == SOURCE_VF ? rule.sourceVf() :
                sourceKind == SOURCE_PORT ? rule.inPort() : 0;
            final int vlan = rule.vlan() == EgressRule.ANY ? VLAN_ANY : rule.vlan();
            vfScopes |= sourceKind == SOURCE_VF;
            portScopes |= sourceKind == SOURCE_PORT;
            vlanScopes |= vlan != VLAN_ANY;
            final long scopeKey = scopeKey(sourceKind, sourceId, vlan);
            int scope = scopes.get1(scopeKey);
            if (scope == WideKeyMap.MISSING)
            {
                scope = scopeInfo.size();
                scopeInfo.add(new int[]{NO_RULE, -1, -1});
                scopes.putIfAbsent(new long[]{scopeKey}, scope);
                if (vlan == VLAN_ANY && sourceId >= 0 && sourceId < DIRECT_SCOPE_IDS)
                {
                    directScopes[sourceKind * DIRECT_SCOPE_IDS + sourceId] = scope;
                }
            }
            ruleScope[r] = scope;
            final String matchKey = scope + "|" + matchKey(rule);
            if (!duplicates.add(matchKey))
            {
                throw new RuleSetException("egress", r, "match", "the same match as an earlier rule");
            }
            if (rule.fiveTuple() != null)
            {
                final EgressRule.FiveTuple ft = rule.fiveTuple();
                fiveTuples.putIfAbsent(new long[]{
                    fiveKey0(scope, ft.protocol(), ft.sourcePort(), ft.destinationPort()),
                    hi(ft.source()), lo(ft.source()), hi(ft.destination()), lo(ft.destination())}, r);
            }
            else if (rule.dstMac() != EgressRule.ANY)
            {
                macs.putIfAbsent(new long[]{(long)scope << 48 | rule.dstMac()}, r);
            }
            else if (rule.dstPrefix() != null)
            {
                final byte[] p = rule.dstPrefix();
                if (p.length == 4 && rule.prefixLength() == 32)
                {
                    hosts4.putIfAbsent(new long[]{(long)scope << 32 | (lo(p) & 0xFFFF_FFFFL)}, r);
                }
                else if (p.length == 16 && rule.prefixLength() == 128)
                {
                    hosts6.putIfAbsent(new long[]{scope, hi(p), lo(p)}, r);
                }
            }
            else
            {
                scopeInfo.get(scope)[0] = r;
            }
        }
        // prefixes, shortest first, so longer ones overwrite the expansion of shorter ones
        final Integer[] order = new Integer[ne];
        for (int r = 0; r < ne; r++)
        {
            order[r] = r;
        }
        Arrays.sort(order, Comparator.comparingInt(r -> egressRules.get(r).prefixLength()));
        for (final int r : order)
        {
            final EgressRule rule = egressRules.get(r);
            if (rule.fiveTuple() != null || rule.dstMac() != EgressRule.ANY || rule.dstPrefix() == null)
            {
                continue;
            }
            final byte[] p = rule.dstPrefix();
            final int[] info = scopeInfo.get(ruleScope[r]);
            if (p.length == 4 && rule.prefixLength() < 32)
            {
                if (info[1] < 0)
                {
                    info[1] = trie.newRoot();
                }
                trie.insert(info[1], (lo(p) & 0xFFFF_FFFFL) << 32, 0, rule.prefixLength(), r);
            }
            else if (p.length == 16 && rule.prefixLength() < 128)
            {
                if (info[2] < 0)
                {
                    info[2] = trie.newRoot();
                }
                trie.insert(info[2], hi(p), lo(p), rule.prefixLength(), r);
            }
        }
        trie.seal();
        scopeDefault = new int[scopeInfo.size()];
        scopeRoot4 = new int[scopeInfo.size()];
        scopeRoot6 = new int[scopeInfo.size()];
        for (int s = 0; s < scopeInfo.size(); s++)
        {
            scopeDefault[s] = scopeInfo.get(s)[0];
            scopeRoot4[s] = scopeInfo.get(s)[1];
            scopeRoot6[s] = scopeInfo.get(s)[2];
        }
        hasVfScopes = vfScopes;
        hasPortScopes = portScopes;
        hasVlanScopes = vlanScopes;
        hasFiveTuples = fiveCount > 0;

        // ---- ingress ----
        final int ni = ingressRules.size();
        ingressAction = new byte[ni];
        ingressVf = new int[ni];
        ingressRecord = new int[ni];
        final long[][] ingressKeys = new long[ni][];
        endpoints = new WideKeyMap(2, 16);
        sources = new WideKeyMap(2, 16);
        ingress = new WideKeyMap(2, ni);
        final Map<TunnelFormat, Integer> formatIndex = new HashMap<>();
        for (int f = 0; f < formats.length; f++)
        {
            formatIndex.put(formats[f], f);
        }
        boolean wildcard = false;
        boolean sourceRules = false;
        for (int r = 0; r < ni; r++)
        {
            final IngressRule rule = ingressRules.get(r);
            final Integer f = formatIndex.get(rule.format());
            if (f == null)
            {
                throw new RuleSetException("ingress", r, "format", "format " + rule.format().name() +
                    " is not declared in this rule set");
            }
            if (rule.vni() < 0 || rule.vni() > rule.format().maxVni())
            {
                throw new RuleSetException("ingress", r, "vni", rule.vni() + " is out of range 0.." +
                    rule.format().maxVni());
            }
            if (rule.action() == IngressRule.Action.DELIVER && (rule.vf() < 0 || rule.vf() > ENTRY_VF_MASK))
            {
                throw new RuleSetException("ingress", r, "vf", "deliver needs a VF in 0.." + ENTRY_VF_MASK);
            }
            ingressAction[r] = (byte)(rule.action() == IngressRule.Action.DELIVER ? ACTION_DELIVER : ACTION_DROP);
            ingressVf[r] = rule.vf();
            int endpoint = 0;
            if (rule.dstIp() != null)
            {
                endpoint = indexOf(endpoints, rule.dstIp());
            }
            else
            {
                wildcard = true;
            }
            int source = 0;
            if (rule.srcIp() != null)
            {
                source = indexOf(sources, rule.srcIp());
                sourceRules = true;
            }
            final long k0 = ingressKey0(endpoint, f, rule.vni());
            final long k1 = ingressKey1(source, rule.innerDstMac() == -1 ? ANY_MAC : rule.innerDstMac());
            final long entry = (long)ingressAction[r] << ENTRY_ACTION_SHIFT |
                (long)(rule.vf() & ENTRY_VF_MASK) << ENTRY_VF_SHIFT | r;
            ingressKeys[r] = new long[]{k0, k1};
            if (ingress.putLongIfAbsent(ingressKeys[r], entry) != WideKeyMap.MISSING)
            {
                throw new RuleSetException("ingress", r, "match", "the same match as an earlier rule");
            }
        }
        hasWildcardEndpoint = wildcard;
        hasSourceRules = sourceRules;
        // records move while the table grows: find them once it is complete
        for (int r = 0; r < ni; r++)
        {
            ingressRecord[r] = ingress.find2(ingressKeys[r][0], ingressKeys[r][1]);
        }
    }

    private static int indexOf(final WideKeyMap map, final byte[] address)
    {
        final int next = map.size() + 1;
        final int existing = map.putIfAbsent(new long[]{hi(address), lo(address)}, next);
        return existing == WideKeyMap.MISSING ? next : existing;
    }

    private static void checkEgress(final int r, final EgressRule rule)
    {
        if (rule.sourceVf() != EgressRule.ANY && rule.inPort() != EgressRule.ANY)
        {
            throw new RuleSetException("egress", r, "match", "name a vf or a port, not both");
        }
        final int kinds = (rule.fiveTuple() != null ? 1 : 0) + (rule.dstMac() != EgressRule.ANY ? 1 : 0) +
            (rule.dstPrefix() != null ? 1 : 0);
        if (kinds > 1)
        {
            throw new RuleSetException("egress", r, "match", "use at most one of five-tuple, dst-mac, dst-ip");
        }
        if (rule.vlan() != EgressRule.ANY && (rule.vlan() < 0 || rule.vlan() > EgressRule.UNTAGGED))
        {
            throw new RuleSetException("egress", r, "match.vlan", rule.vlan() + " is out of range 0..4095");
        }
        if (rule.dstPrefix() != null)
        {
            final int max = rule.dstPrefix().length * 8;
            if (rule.prefixLength() < 0 || rule.prefixLength() > max)
            {
                throw new RuleSetException("egress", r, "match.dst-ip", "prefix length " + rule.prefixLength() +
                    " is out of range 0.." + max);
            }
        }
        if (rule.action() == EgressRule.Action.ENCAP && rule.tunnel() == null)
        {
            throw new RuleSetException("egress", r, "action", "encap needs a tunnel");
        }
        if (rule.action() == EgressRule.Action.DELIVER && rule.deliverVf() < 0)
        {
            throw new RuleSetException("egress", r, "vf", "deliver needs a VF >= 0");
        }
    }

    private static String matchKey(final EgressRule rule)
    {
        if (rule.fiveTuple() != null)
        {
            final EgressRule.FiveTuple ft = rule.fiveTuple();
            return "5|" + Arrays.toString(ft.source()) + Arrays.toString(ft.destination()) + ft.protocol() + "," +
                ft.sourcePort() + "," + ft.destinationPort();
        }
        if (rule.dstMac() != EgressRule.ANY)
        {
            return "m|" + rule.dstMac();
        }
        if (rule.dstPrefix() != null)
        {
            return "p|" + Arrays.toString(masked(rule.dstPrefix(), rule.prefixLength())) + "/" + rule.prefixLength();
        }
        return "default";
    }

    private static byte[] masked(final byte[] address, final int length)
    {
        final byte[] m = address.clone();
        for (int i = 0; i < m.length; i++)
        {
            final int keep = Math.max(0, Math.min(8, length - i * 8));
            m[i] &= (byte)(0xFF00 >>> keep);
        }
        return m;
    }

    /**
     * Compiles a rule set.
     *
     * @param formats      every format the rules use; their UDP ports and IP protocols must be distinct.
     * @param knownOptions Geneve options (as {@link GeneveOption#key}) decap understands: a critical option not in
     *                     this set drops the packet.
     * @throws RuleSetException or IllegalArgumentException naming what is wrong; nothing is published then.
     */
    public static RuleSet build(
        final Underlay underlay,
        final List<TunnelFormat> formats,
        final Collection<Integer> knownOptions,
        final List<EgressRule> egress,
        final List<IngressRule> ingress)
    {
        return new RuleSet(underlay, formats, knownOptions, egress, ingress);
    }

    static long scopeKey(final int kind, final int id, final int vlan)
    {
        return (long)kind << 48 | (id & 0xFFFF_FFFFL) << 16 | vlan;
    }

    static long fiveKey0(final int scope, final int protocol, final int sourcePort, final int destinationPort)
    {
        return (long)scope << 40 | (long)protocol << 32 | (long)sourcePort << 16 | destinationPort;
    }

    static long ingressKey0(final int endpoint, final int format, final long vni)
    {
        return (long)endpoint << 40 | (long)format << 32 | vni;
    }

    static long ingressKey1(final int source, final long mac)
    {
        return (long)source << 48 ^ mac;
    }

    /** Bits 0..63 of an address; IPv4 addresses are IPv4-mapped IPv6 (::ffff:a.b.c.d). */
    static long hi(final byte[] address)
    {
        if (address.length == 4)
        {
            return 0;
        }
        long v = 0;
        for (int i = 0; i < 8; i++)
        {
            v = v << 8 | (address[i] & 0xFF);
        }
        return v;
    }

    /** Bits 64..127 of an address; IPv4 addresses are IPv4-mapped IPv6. */
    static long lo(final byte[] address)
    {
        long v = 0;
        final int from = address.length == 4 ? 0 : 8;
        for (int i = from; i < address.length; i++)
        {
            v = v << 8 | (address[i] & 0xFF);
        }
        return address.length == 4 ? IPV4_MAPPED | v : v;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Data path
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Finds the egress rule for an Ethernet frame. Reads only inside {@code [offset, offset + length)}.
     *
     * @param vf     source VF, or -1.
     * @param inPort input port, or -1.
     * @return the rule id, or {@link #NO_RULE}.
     */
    public int egressLookup(final DirectBuffer buffer, final int offset, final int length, final int vf,
        final int inPort)
    {
        if (length < 14)
        {
            return NO_RULE;
        }
        // One range check for the frame, then raw reads: every read below is guarded by a length test against the
        // frame's end, so the buffer API's per-access checks (up to ten here) would only repeat this one.
        buffer.boundsCheck(offset, length);
        final byte[] array = buffer.byteArray();
        final long frame = buffer.addressOffset() + offset;
        final long dstMac = (getInt(array, frame) & 0xFFFF_FFFFL) << 16 | getShort(array, frame + 4);
        int etherType = getShort(array, frame + 12);
        int l3 = 14;
        int vlan = EgressRule.UNTAGGED;
        if ((etherType == 0x8100 || etherType == 0x88A8) && l3 + 4 <= length)
        {
            vlan = getShort(array, frame + l3) & 0x0FFF;
            etherType = getShort(array, frame + l3 + 2);
            l3 += 4;
            if (etherType == 0x8100 && l3 + 4 <= length)
            {
                etherType = getShort(array, frame + l3 + 2);
                l3 += 4;
            }
        }
        // inner L3 fields, parsed once for every scope tried
        int ipVersion = 0;
        long dstHi = 0;
        long dstLo = 0;
        long srcHi = 0;
        long srcLo = 0;
        int protocol = 0;
        int ports = 0;
        final long ip = frame + l3;
        if (etherType == 0x0800 && l3 + 20 <= length)
        {
            ipVersion = 4;
            dstLo = IPV4_MAPPED | (getInt(array, ip + 16) & 0xFFFF_FFFFL);
            if (hasFiveTuples)
            {
                srcLo = IPV4_MAPPED | (getInt(array, ip + 12) & 0xFFFF_FFFFL);
                protocol = UnsafeApi.getByte(array, ip + 9) & 0xFF;
                final int l4 = l3 + ((UnsafeApi.getByte(array, ip) & 0x0F) << 2);
                final boolean firstFragment = (getShort(array, ip + 6) & 0x1FFF) == 0;
                if (firstFragment && hasPorts(protocol) && l4 + 4 <= length)
                {
                    ports = getInt(array, frame + l4);
                }
            }
        }
        else if (etherType == 0x86DD && l3 + 40 <= length)
        {
            ipVersion = 6;
            dstHi = getLong(array, ip + 24);
            dstLo = getLong(array, ip + 32);
            if (hasFiveTuples)
            {
                srcHi = getLong(array, ip + 8);
                srcLo = getLong(array, ip + 16);
                protocol = UnsafeApi.getByte(array, ip + 6) & 0xFF;
                if (hasPorts(protocol) && l3 + 44 <= length)
                {
                    ports = getInt(array, ip + 40);
                }
            }
        }

        final int vlanTagged = hasVlanScopes ? vlan : VLAN_ANY;
        for (int sourceKind = SOURCE_VF; sourceKind >= 0; sourceKind = nextSourceKind(sourceKind))
        {
            final int sourceId;
            if (sourceKind == SOURCE_VF)
            {
                if (!hasVfScopes || vf < 0)
                {
                    continue;
                }
                sourceId = vf;
            }
            else if (sourceKind == SOURCE_PORT)
            {
                if (!hasPortScopes || inPort < 0)
                {
                    continue;
                }
                sourceId = inPort;
            }
            else
            {
                sourceId = 0;
            }
            for (int pass = 0; pass < 2; pass++)
            {
                final int v = pass == 0 ? vlanTagged : VLAN_ANY;
                if (pass == 1 && vlanTagged == VLAN_ANY)
                {
                    break;
                }
                final int scope = v == VLAN_ANY && sourceId < DIRECT_SCOPE_IDS ?
                    directScopes[sourceKind * DIRECT_SCOPE_IDS + sourceId] :
                    scopes.get1(scopeKey(sourceKind, sourceId, v));
                if (scope == WideKeyMap.MISSING)
                {
                    continue;
                }
                final int rule = lookupInScope(scope, dstMac, ipVersion, dstHi, dstLo, srcHi, srcLo, protocol, ports);
                if (rule != NO_RULE)
                {
                    return rule;
                }
            }
        }
        return NO_RULE;
    }





    private static int nextSourceKind(final int kind)
    {
        return kind == SOURCE_VF ? SOURCE_PORT : kind == SOURCE_PORT ? SOURCE_ANY : -1;
    }

    private static boolean hasPorts(final int protocol)
    {
        return protocol == 6 || protocol == 17 || protocol == 132 || protocol == 33;
    }

    private int lookupInScope(
        final int scope,
        final long dstMac,
        final int ipVersion,
        final long dstHi,
        final long dstLo,
        final long srcHi,
        final long srcLo,
        final int protocol,
        final int ports)
    {
        int rule;
        if (hasFiveTuples && ipVersion != 0)
        {
            rule = fiveTuples.get5(fiveKey0(scope, protocol, ports >>> 16, ports & 0xFFFF), srcHi, srcLo, dstHi, dstLo);
            if (rule != WideKeyMap.MISSING)
            {
                return rule;
            }
        }
        if (macs.size() != 0)
        {
            rule = macs.get1((long)scope << 48 | dstMac);
            if (rule != WideKeyMap.MISSING)
            {
                return rule;
            }
        }
        if (ipVersion == 4)
        {
            if (hosts4.size() != 0)
            {
                rule = hosts4.get1((long)scope << 32 | (dstLo & 0xFFFF_FFFFL));
                if (rule != WideKeyMap.MISSING)
                {
                    return rule;
                }
            }
            final int root = scopeRoot4[scope];
            if (root >= 0)
            {
                rule = trie.lookup4(root, (int)dstLo);
                if (rule != PrefixTrie.NO_MATCH)
                {
                    return rule;
                }
            }
        }
        else if (ipVersion == 6)
        {
            if (hosts6.size() != 0)
            {
                rule = hosts6.get3(scope, dstHi, dstLo);
                if (rule != WideKeyMap.MISSING)
                {
                    return rule;
                }
            }
            final int root = scopeRoot6[scope];
            if (root >= 0)
            {
                rule = trie.lookup6(root, dstHi, dstLo);
                if (rule != PrefixTrie.NO_MATCH)
                {
                    return rule;
                }
            }
        }
        return scopeDefault[scope];
    }

    /**
     * Finds the ingress rule for a decoded tunnel frame. IPv4 addresses are passed IPv4-mapped (hi 0, lo
     * {@code 0xFFFF00000000 | address}).
     *
     * @param format      index of the format ({@link #formatByUdpPort}, {@link #formatByIpProtocol}).
     * @param innerDstMac the inner frame's destination MAC.
     * @return the rule id, or {@link #NO_RULE}.
     */
    public int ingressLookup(
        final int format,
        final long vni,
        final long dstHi,
        final long dstLo,
        final long srcHi,
        final long srcLo,
        final long innerDstMac)
    {
        final int record = findIngress(format, vni, dstHi, dstLo, srcHi, srcLo, innerDstMac);
        return record == WideKeyMap.MISSING ? NO_RULE : entryRule(ingress.valueAt(record));
    }

    /**
     * {@link #ingressLookup} for the data path: finds the rule, counts its hit and returns its entry, which carries
     * the action and VF beside the rule id ({@link #entryRule}, {@link #entryAction}, {@link #entryVf}). Entry and hit
     * count share the table record, so a lookup in a table of a million rules costs one cache miss for all three.
     * Data-path thread only (the hit count is a plain increment).
     *
     * @return the entry, or {@link #NO_ENTRY}.
     */
    public long ingressMatch(
        final int format,
        final long vni,
        final long dstHi,
        final long dstLo,
        final long srcHi,
        final long srcLo,
        final long innerDstMac)
    {
        return hit(findIngress(format, vni, dstHi, dstLo, srcHi, srcLo, innerDstMac));
    }

    /** The entry of {@code record} with its hit counted, or {@link #NO_ENTRY} when the search found none. */
    private long hit(final int record)
    {
        if (record == WideKeyMap.MISSING)
        {
            return NO_ENTRY;
        }
        ingress.incrementSpare(record);
        return ingress.valueAt(record);
    }

    /**
     * The endpoint an ingress lookup of this outer destination starts from (the wildcard endpoint when the address is
     * unknown and a wildcard rule exists), or -1 when no rule can match: the first step of {@link #ingressMatch},
     * for a batch that keeps it between its passes in its {@link #ingressKey}.
     */
    public int ingressEndpoint(final long dstHi, final long dstLo)
    {
        final int endpoint = endpoints.get2(dstHi, dstLo);
        if (endpoint == WideKeyMap.MISSING)
        {
            return hasWildcardEndpoint ? 0 : -1;
        }
        return endpoint;
    }

    /**
     * The first half of the table key of a lookup from {@code endpoint} ({@link #ingressEndpoint}; -1 for none) for
     * this format and VNI: endpoint in bits 40..63 (so -1 makes the whole key negative), format in 32..39, VNI in
     * 0..31. A batch computes it once per frame in its first pass and hands it to {@link #ingressFirstRecordOfKey},
     * {@link #ingressAdvanceKey} and {@link #ingressMatchKey}, which then neither rebuild it nor need its parts
     * passed separately.
     */
    public static long ingressKey(final int endpoint, final int format, final long vni)
    {
        return ingressKey0(endpoint, format, vni);
    }

    /**
     * The table record where the lookup of an {@link #ingressKey} (whose endpoint is not -1) first looks; reads nothing
     * of the table, so a batch can {@link #touchIngress touch} every record before resolving any.
     */
    public int ingressFirstRecordOfKey(final long key, final long innerDstMac)
    {
        return ingress.firstRecord2(key, innerDstMac);
    }

    /**
     * Between {@link #touchIngress} and {@link #ingressMatchKey} for a batch: the record the lookup of this frame
     * (its {@link #ingressKey}, endpoint not -1, and {@link #ingressFirstRecordOfKey}) resumes at after the line
     * already touched (same result). When that record lies past the touched line it comes back complemented
     * ({@code ~record}, negative): touch it before resolving any frame of the batch; see {@code WideKeyMap.advance2}.
     */
    public int ingressAdvanceKey(final int record, final long key, final long innerDstMac)
    {
        return ingress.advance2(record, key, innerDstMac);
    }

    /**
     * {@link #ingressMatch} resumed from what a batch's passes computed: the frame's {@link #ingressKey} and the record
     * {@link #ingressAdvanceKey} left ({@code record} is ignored when the key's endpoint is -1), so neither the
     * endpoint lookup nor the hash is repeated. The common case first, kept small so that it compiles into the
     * caller's loop: no source-scoped rules and the frame's rule at {@code record} itself. Same result and hit count
     * as {@link #ingressMatch}. Data-path thread only.
     */
    public long ingressMatchKey(
        final int record,
        final long key,
        final long srcHi,
        final long srcLo,
        final long innerDstMac)
    {
        if (key >= 0 && !hasSourceRules && ingress.holds2(record, key, innerDstMac))
        {
            ingress.incrementSpare(record);
            return ingress.valueAt(record);
        }
        final int endpoint = (int)(key >> 40);
        return endpoint < 0 ? NO_ENTRY : hit(findIngressFrom(endpoint, record, (int)(key >>> 32) & 0xFF,
            key & 0xFFFF_FFFFL, srcHi, srcLo, innerDstMac));
    }

    /**
     * The index of the format on this UDP destination port when it is plain VXLAN (an 8-byte header), otherwise
     * {@link #NO_FORMAT}: one read for the decoder's fixed-offset path.
     */
    public int vxlanFormatByUdpPort(final int port)
    {
        return vxlanFormatByPort[port];
    }

    /**
     * Reads the line of an {@link #ingressFirstRecordOfKey} record (or of one {@link #ingressAdvanceKey} continues at)
     * so that it is on its way; the caller folds the result into a value it keeps (a sink), or the JIT may drop the
     * reads.
     */
    public long touchIngress(final int probe)
    {
        return ingress.touch(probe);
    }

    private int findIngress(
        final int format,
        final long vni,
        final long dstHi,
        final long dstLo,
        final long srcHi,
        final long srcLo,
        final long innerDstMac)
    {
        final int endpoint = ingressEndpoint(dstHi, dstLo);
        if (endpoint < 0)
        {
            return WideKeyMap.MISSING;
        }
        return findIngressFrom(endpoint, ingress.firstRecord2(ingressKey0(endpoint, format, vni), innerDstMac), format,
            vni, srcHi, srcLo, innerDstMac);
    }

    /**
     * The rule search from a resolved endpoint; {@code firstRecord} is where (endpoint, format, VNI, inner MAC) hashes,
     * the first record the rule without a source scope is looked for at.
     */
    private int findIngressFrom(
        final int firstEndpoint,
        final int firstRecord,
        final int format,
        final long vni,
        final long srcHi,
        final long srcLo,
        final long innerDstMac)
    {
        int endpoint = firstEndpoint;
        final int source = hasSourceRules ? sources.get2(srcHi, srcLo) : WideKeyMap.MISSING;
        while (true)
        {
            final long k0 = ingressKey0(endpoint, format, vni);
            if (source != WideKeyMap.MISSING)
            {
                int record = ingress.find2(k0, ingressKey1(source, innerDstMac));
                if (record == WideKeyMap.MISSING)
                {
                    record = ingress.find2(k0, ingressKey1(source, ANY_MAC));
                }
                if (record != WideKeyMap.MISSING)
                {
                    return record;
                }
            }
            int record = endpoint == firstEndpoint ?
                ingress.find2From(firstRecord, k0, innerDstMac) : ingress.find2(k0, innerDstMac);
            if (record == WideKeyMap.MISSING)
            {
                record = ingress.find2(k0, ANY_MAC);
            }
            if (record != WideKeyMap.MISSING)
            {
                return record;
            }
            if (endpoint == 0 || !hasWildcardEndpoint)
            {
                return WideKeyMap.MISSING;
            }
            endpoint = 0;
        }
    }

    /**
     * A number no other rule set built in this JVM has: a data-path thread may cache what it derived from this set (an
     * endpoint per outer address) under it, and drops the cache when the set it is handed has another number,
     * without keeping a replaced set (and its tables) reachable.
     */
    public long generation()
    {
        return generation;
    }

    /** The rule id of an ingress entry, {@link #NO_RULE} for {@link #NO_ENTRY}. */
    public static int entryRule(final long entry)
    {
        return (int)entry;
    }

    /** {@link #ACTION_DELIVER} or {@link #ACTION_DROP}. */
    public static int entryAction(final long entry)
    {
        return (int)(entry >>> ENTRY_ACTION_SHIFT);
    }

    /** The VF a deliver entry hands the inner frame to. */
    public static int entryVf(final long entry)
    {
        return (int)(entry >>> ENTRY_VF_SHIFT) & ENTRY_VF_MASK;
    }

    /** The format carried on this UDP destination port, or {@link #NO_FORMAT}. */
    public int formatByUdpPort(final int port)
    {
        return formatByPort[port];
    }

    /** The format carried directly in this IP protocol, or {@link #NO_FORMAT}. */
    public int formatByIpProtocol(final int protocol)
    {
        return formatByProtocol[protocol];
    }

    public TunnelFormat format(final int index)
    {
        return formats[index];
    }

    public int formatCount()
    {
        return formats.length;
    }

    public boolean isKnownGeneveOption(final int optionClass, final int type)
    {
        return knownGeneveOptions.get1(GeneveOption.key(optionClass, type)) != WideKeyMap.MISSING;
    }

    /** {@link #ACTION_ENCAP}, {@link #ACTION_DELIVER} or {@link #ACTION_DROP}. */
    public int egressAction(final int rule)
    {
        return egressAction[rule];
    }

    /** The tunnel template index for ENCAP, the VF for DELIVER. */
    public int egressArgument(final int rule)
    {
        return egressArgument[rule];
    }

    /** {@link #ACTION_DELIVER} or {@link #ACTION_DROP}. */
    public int ingressAction(final int rule)
    {
        return ingressAction[rule];
    }

    public int ingressVf(final int rule)
    {
        return ingressVf[rule];
    }

    /** Counts a hit; data-path thread only. */
    public void hitEgress(final int rule)
    {
        egressHits[rule]++;
    }

    /** Counts a hit; data-path thread only. */
    public void hitIngress(final int rule)
    {
        ingress.incrementSpare(ingressRecord[rule]);
    }

    public long egressHits(final int rule)
    {
        return egressHits[rule];
    }

    public long ingressHits(final int rule)
    {
        return ingress.spareAt(ingressRecord[rule]);
    }

    /** Distinct tunnels (remote, format, VNI, options, policies) of the egress rules; ids are 0..count-1. */
    public int tunnelCount()
    {
        return tunnelEndpoints.length;
    }

    /**
     * Where tunnel {@code id} sends (the id the encap stage records in {@code PacketDescriptor.tunnelId()}): remote
     * address, UDP port and format. Prebuilt, so a socket underlay may call it per packet.
     *
     * @throws IndexOutOfBoundsException for an id not in 0..{@link #tunnelCount()}-1.
     */
    public TunnelEndpoint tunnelEndpoint(final int id)
    {
        return tunnelEndpoints[id];
    }

    public TunnelTemplates templates()
    {
        return templates;
    }

    public Underlay underlay()
    {
        return underlay;
    }

    public List<EgressRule> egressRules()
    {
        return egressRules;
    }

    public List<IngressRule> ingressRules()
    {
        return ingressRules;
    }

    /** Ints in the prefix trie (for sizing reports). */
    public int trieInts()
    {
        return trie.memoryInts();
    }
}
