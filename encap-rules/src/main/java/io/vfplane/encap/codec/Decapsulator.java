package io.vfplane.encap.codec;


import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;

import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.encap.format.TunnelFormat;
import io.vfplane.encap.rules.RuleSet;
import io.vfplane.pipeline.PacketBatch;

import static io.vfplane.dataplane.buffer.NetworkOrder.getInt;
import static io.vfplane.dataplane.buffer.NetworkOrder.getLong;
import static io.vfplane.dataplane.buffer.NetworkOrder.getShort;

/**
 * Decodes the outer headers of an underlay frame (Ethernet with up to two VLAN tags, IPv4 or IPv6, UDP or a direct IP
 * protocol), recognises the rule set's tunnel formats by UDP destination port or IP protocol, validates the tunnel
 * header (VXLAN I flag; Geneve version, protocol type and options with the critical bit honoured; GRE flags, version,
 * key and protocol type; a custom format's fixed bytes), looks the frame up in the ingress table and strips the outer
 * headers, leaving the inner Ethernet frame for the VF.
 *
 * <p>The common frame (untagged IPv4 without options, UDP to a VXLAN port) is decoded at fixed offsets by a small
 * method; anything else, and every frame that fails one of its checks, goes through the general decoder, which gives
 * the same result for the common frame and names the reason of every drop (a test holds the two to the same results).
 *
 * <p>Every read is bounded by the captured frame and by the outer IP length. Allocation free; one instance per
 * data-path thread (it keeps the last frame's fields for tools: {@link #lastVni()}, {@link #lastRule()}).
 */
public final class Decapsulator
{
    private static final long IPV4_MAPPED = 0xFFFF_0000_0000L;
    private static final int GRE_C = 0x80;
    private static final int GRE_K = 0x20;
    private static final int GRE_S = 0x10;

    private static final int INITIAL_BATCH = 256;
    /** Where the inner frame begins on the fast path: Ethernet 14, IPv4 20, UDP 8, VXLAN 8. */
    private static final int FAST_INNER = 50;

    private static final TunnelDrop[] DROPS = TunnelDrop.VALUES;
    private static final byte NONE = (byte)TunnelDrop.NONE.ordinal();

    private long lastVni;
    private int lastRule;
    /** Folds the {@link #prefetch} reads, so the JIT keeps them. */
    private long sink;

    // The endpoint of the last outer destination parsed, under the generation of the rule set it came from: nearly
    // every frame of a batch is addressed to this host's own tunnel address, so the endpoint table is read once per
    // address change, not per frame. A generation, not a reference, so a replaced rule set is not kept alive.
    private long cachedGeneration;
    private long cachedDstHi;
    private long cachedDstLo;
    private int cachedEndpoint;

    // What pass 1 ({@link #parse}) learnt of each packet of a batch, by index, for pass 2 ({@link #complete}). The
    // outcome is kept as the TunnelDrop's ordinal in a byte[]: storing an enum reference into an array would pay the
    // garbage collector's card-marking barrier per packet.
    private byte[] parsed = new byte[INITIAL_BATCH];
    private int[] inners = new int[INITIAL_BATCH];
    private int[] ipEnds = new int[INITIAL_BATCH];
    /**
     * The key of the ingress lookup ({@link RuleSet#ingressKey}: endpoint, format and VNI in one long, negative when
     * there is no endpoint), built once here rather than in each of the three steps that use it.
     */
    private long[] keys = new long[INITIAL_BATCH];
    /** The record the lookup looks at next, -1 for none. */
    private int[] probes = new int[INITIAL_BATCH];
    /** The lines {@link #prefetch} found it must fetch past the first: touched together, after the advance. */
    private int[] further = new int[INITIAL_BATCH];
    private long[] srcHis = new long[INITIAL_BATCH];
    private long[] srcLos = new long[INITIAL_BATCH];
    private long[] innerMacs = new long[INITIAL_BATCH];

    /**
     * Decapsulates {@code d}'s frame in place: on success the descriptor covers the inner Ethernet frame and carries
     * the VF and VNI; on a drop the descriptor is unchanged.
     */
    public TunnelDrop decapsulate(final RuleSet rules, final DirectBuffer buffer, final PacketDescriptor d)
    {
        parse(rules, buffer, d, 0);
        return complete(rules, d, 0);
    }

    /**
     * {@link #decapsulate} through the general decoder alone, never the fixed-offset fast path: lets tests hold the
     * two to the same results.
     */
    TunnelDrop decapsulateGeneral(final RuleSet rules, final DirectBuffer buffer, final PacketDescriptor d)
    {
        final TunnelDrop drop = parseHeaders(rules, buffer, d, 0);
        parsed[0] = (byte)drop.ordinal();
        if (drop != TunnelDrop.NONE)
        {
            probes[0] = -1;
        }
        return complete(rules, d, 0);
    }

    /**
     * Makes room for batches of {@code count} packets (allocates only when a batch is larger than any before).
     */
    public void reserve(final int count)
    {
        if (count > parsed.length)
        {
            final int n = Integer.highestOneBit(count - 1) << 1;
            parsed = new byte[n];
            inners = new int[n];
            ipEnds = new int[n];
            keys = new long[n];
            probes = new int[n];
            further = new int[n];
            srcHis = new long[n];
            srcLos = new long[n];
            innerMacs = new long[n];
        }
    }

    /**
     * Pass 1 of a batch (as VPP's dual loops): decodes and validates packet {@code index}'s outer and tunnel headers
     * and resolves its ingress endpoint and the record its lookup will read first (kept for pass 2, which then
     * neither repeats the endpoint lookup nor the hash), without touching the ingress table. Then {@link #prefetch}
     * once for the batch, then {@link #complete} for each packet. The descriptor is not changed.
     * Call {@link #reserve} first for batches over 256.
     */
    public void parse(final RuleSet rules, final DirectBuffer buffer, final PacketDescriptor d, final int index)
    {
        if (!parseVxlanIpv4(rules, buffer, d, index))
        {
            parseGeneral(rules, buffer, d, index);
        }
    }

    private void parseGeneral(final RuleSet rules, final DirectBuffer buffer, final PacketDescriptor d,
        final int index)
    {
        final TunnelDrop drop = parseHeaders(rules, buffer, d, index);
        parsed[index] = (byte)drop.ordinal();
        if (drop != TunnelDrop.NONE)
        {
            probes[index] = -1;
        }
    }

    /**
     * The common case at fixed offsets: an untagged Ethernet frame with IPv4 without options, not a fragment, UDP to
     * the port of a VXLAN format, the VXLAN I flag set, and room for the inner Ethernet header within the IP length.
     * Records the packet as {@link #parseHeaders} would and returns true; returns false having written nothing for
     * anything else (VLAN tags, IPv6, options, other formats, anything malformed), which the general path then decodes
     * and, when it drops it, names the reason. Small, so that it is compiled into the stage's loop where the general
     * path (a call) is too large to be.
     *
     * <pre>
     *  offset  0..11  12..13  14    16..17  20..21      23     26..29  30..33  36..37  42     46..48  50..55
     *          MACs   0x0800  0x45  total   flags,frag  17     src     dst     dport   I flag VNI     inner dst MAC
     *                 (Ethernet)    (IPv4 length)       (UDP)                          (VXLAN)        (inner Ethernet)
     * </pre>
     */
    private boolean parseVxlanIpv4(final RuleSet rules, final DirectBuffer buffer, final PacketDescriptor d,
        final int index)
    {
        final int frame = d.offset();
        final int length = d.length();
        if (length < FAST_INNER + 14)
        {
            return false;
        }
        buffer.boundsCheck(frame, length);
        final byte[] array = buffer.byteArray();
        final long a = buffer.addressOffset() + frame;
        // EtherType, then version 4 with a 20-byte header (the type of service byte is not looked at)
        if ((getInt(array, a + 12) & 0xFFFF_FF00) != 0x0800_4500)
        {
            return false;
        }
        final int totalLength = getShort(array, a + 16) & 0xFFFF;
        final int ipEnd = totalLength == 0 ? length : Math.min(length, 14 + totalLength);
        // flags and fragment offset (must be no fragment), TTL, protocol (UDP)
        final int fragmentTtlProtocol = getInt(array, a + 20);
        if (ipEnd < FAST_INNER + 14 || (fragmentTtlProtocol & 0x3FFF_00FF) != TunnelFormat.IP_PROTOCOL_UDP)
        {
            return false;
        }
        final int formatIndex = rules.vxlanFormatByUdpPort(getShort(array, a + 36) & 0xFFFF);
        if (formatIndex == RuleSet.NO_FORMAT || (UnsafeApi.getByte(array, a + 42) & 0x08) == 0)
        {
            return false;
        }
        record(rules, index, formatIndex, get24(array, a + 46), 0, IPV4_MAPPED | (getInt(array, a + 26) & 0xFFFF_FFFFL),
            0, IPV4_MAPPED | (getInt(array, a + 30) & 0xFFFF_FFFFL),
            (getInt(array, a + FAST_INNER) & 0xFFFF_FFFFL) << 16 | (getShort(array, a + FAST_INNER + 4) & 0xFFFF),
            frame + FAST_INNER, frame + ipEnd);
        parsed[index] = NONE;
        return true;
    }

    /**
     * {@link #parse} for every packet of a stage's batch, packet {@code i} as index {@code i}; packets whose action is
     * no longer {@link PacketDescriptor#ACTION_CONTINUE} are {@link #skip skipped}. Reserves room for the batch. The
     * loop lives here, not in the stage, so that the fixed-offset path compiles into it: a per-packet call to
     * {@link #parse} from the stage is compiled as a call (its compiled code is too big to inline).
     */
    public void parse(final RuleSet rules, final DirectBuffer buffer, final PacketBatch batch)
    {
        final int n = batch.size();
        reserve(n);
        for (int i = 0; i < n; i++)
        {
            final PacketDescriptor d = batch.get(i);
            if (d.action() != PacketDescriptor.ACTION_CONTINUE)
            {
                skip(i);
            }
            else if (!parseVxlanIpv4(rules, buffer, d, i))
            {
                parseGeneral(rules, buffer, d, i);
            }
        }
    }

    /** Marks packet {@code index} of the batch as one to leave alone (another stage decided it). */
    public void skip(final int index)
    {
        parsed[index] = (byte)TunnelDrop.NOT_A_TUNNEL.ordinal();
        probes[index] = -1;
    }

    /**
     * Between the passes, three tight loops. First every parsed packet's ingress record is touched (its whole line,
     * {@link RuleSet#touchIngress}). With a table far larger than the caches each read misses; a few instructions per
     * read let the core keep many misses in flight (up to its fill buffers) instead of one per packet. Then each lookup
     * is advanced over the line just touched ({@link RuleSet#ingressAdvanceKey}), which by then has mostly arrived,
     * and the few lookups (about one in nine) whose probe runs on past it note the line they continue on; the last
     * loop touches those lines, again all together. {@link #complete} then finds its lines in the cache instead of
     * missing one packet at a time. (Interleaving smaller groups of touches with the decoding and the lookups measured
     * slower: a read that misses holds up the retirement of everything after it, so only touches packed close
     * together overlap; one dense loop over the whole batch keeps the most misses in flight.)
     */
    public void prefetch(final RuleSet rules, final int count)
    {
        long s = sink;
        final int[] p = probes;
        for (int i = 0; i < count; i++)
        {
            final int probe = p[i];
            if (probe >= 0)
            {
                s += rules.touchIngress(probe);
            }
        }
        final long[] k = keys;
        final long[] m = innerMacs;
        final int[] next = further;
        int pending = 0;
        for (int i = 0; i < count; i++)
        {
            final int probe = p[i];
            if (probe >= 0)
            {
                final int record = rules.ingressAdvanceKey(probe, k[i], m[i]);
                if (record < 0)
                {
                    p[i] = ~record;
                    next[pending++] = ~record;
                }
                else
                {
                    p[i] = record;
                }
            }
        }
        // Apart from the advance: a touch there would stall that loop's retirement for a whole miss at every tenth
        // packet or so, one miss after another; here they are in flight together.
        for (int i = 0; i < pending; i++)
        {
            s += rules.touchIngress(next[i]);
        }
        sink = s;
    }

    /**
     * Pass 2: the ingress lookup and the strip of packet {@code index}, parsed by {@link #parse}: on success the
     * descriptor covers the inner Ethernet frame and carries the VF and VNI; on a drop it is unchanged.
     */
    public TunnelDrop complete(final RuleSet rules, final PacketDescriptor d, final int index)
    {
        lastRule = RuleSet.NO_RULE;
        final byte drop = parsed[index];
        if (drop != NONE)
        {
            return DROPS[drop];
        }
        final long key = keys[index];
        final long vni = key & 0xFFFF_FFFFL;
        lastVni = vni;
        final long entry = rules.ingressMatchKey(probes[index], key, srcHis[index], srcLos[index], innerMacs[index]);
        if (entry == RuleSet.NO_ENTRY)
        {
            return TunnelDrop.NO_RULE;
        }
        final int rule = RuleSet.entryRule(entry);
        lastRule = rule;
        if (RuleSet.entryAction(entry) != RuleSet.ACTION_DELIVER)
        {
            return TunnelDrop.RULE_DROP;
        }
        // the inner frame lies within the outer one (the decoder checked inner + 14 <= IP end <= frame end): set offset
        // and length outright rather than strip, which would read them back and check again
        final int inner = inners[index];
        d.offset(inner).length(ipEnds[index] - inner);
        d.vf(RuleSet.entryVf(entry));
        d.vni((int)vni);
        return TunnelDrop.NONE;
    }

    private TunnelDrop parseHeaders(
        final RuleSet rules,
        final DirectBuffer buffer,
        final PacketDescriptor d,
        final int index)
    {
        final int frame = d.offset();
        final int end = frame + d.length();
        if (d.length() < 14)
        {
            return TunnelDrop.TRUNCATED;
        }
        // One range check per packet, then raw reads (as the Encapsulator): every read below is guarded by the frame
        // end or the outer IP end within it, so the buffer API's per-access checks (two dozen on this path) would
        // only repeat this one. Offsets stay buffer-relative; a is the address of offset 0.
        buffer.boundsCheck(frame, d.length());
        final byte[] array = buffer.byteArray();
        final long a = buffer.addressOffset();
        int etherType = getShort(array, a + frame + 12) & 0xFFFF;
        int l3 = frame + 14;
        for (int tags = 0; tags < 2 && (etherType == 0x8100 || etherType == 0x88A8); tags++)
        {
            if (l3 + 4 > end)
            {
                return TunnelDrop.TRUNCATED;
            }
            etherType = getShort(array, a + l3 + 2) & 0xFFFF;
            l3 += 4;
        }
        final long dstHi;
        final long dstLo;
        final long srcHi;
        final long srcLo;
        final int protocol;
        final int l4;
        final int ipEnd;
        if (etherType == 0x0800)
        {
            if (l3 + 20 > end)
            {
                return TunnelDrop.TRUNCATED;
            }
            final int versionIhl = UnsafeApi.getByte(array, a + l3) & 0xFF;
            final int ihl = (versionIhl & 0x0F) << 2;
            if (versionIhl >>> 4 != 4 || ihl < 20 || l3 + ihl > end)
            {
                return TunnelDrop.NOT_A_TUNNEL;
            }
            final int totalLength = getShort(array, a + l3 + 2) & 0xFFFF;
            ipEnd = totalLength == 0 ? end : Math.min(end, l3 + totalLength);
            if ((getShort(array, a + l3 + 6) & 0x3FFF) != 0)
            {
                return TunnelDrop.OUTER_FRAGMENT;
            }
            protocol = UnsafeApi.getByte(array, a + l3 + 9) & 0xFF;
            srcHi = 0;
            srcLo = IPV4_MAPPED | (getInt(array, a + l3 + 12) & 0xFFFF_FFFFL);
            dstHi = 0;
            dstLo = IPV4_MAPPED | (getInt(array, a + l3 + 16) & 0xFFFF_FFFFL);
            l4 = l3 + ihl;
        }
        else if (etherType == 0x86DD)
        {
            if (l3 + 40 > end)
            {
                return TunnelDrop.TRUNCATED;
            }
            if ((UnsafeApi.getByte(array, a + l3) & 0xF0) != 0x60)
            {
                return TunnelDrop.NOT_A_TUNNEL;
            }
            final int payloadLength = getShort(array, a + l3 + 4) & 0xFFFF;
            ipEnd = payloadLength == 0 ? end : Math.min(end, l3 + 40 + payloadLength);
            protocol = UnsafeApi.getByte(array, a + l3 + 6) & 0xFF;
            srcHi = getLong(array, a + l3 + 8);
            srcLo = getLong(array, a + l3 + 16);
            dstHi = getLong(array, a + l3 + 24);
            dstLo = getLong(array, a + l3 + 32);
            l4 = l3 + 40;
        }
        else
        {
            return TunnelDrop.NOT_A_TUNNEL;
        }

        final int formatIndex;
        int tunnel;
        if (protocol == TunnelFormat.IP_PROTOCOL_UDP)
        {
            if (l4 + 8 > ipEnd)
            {
                return TunnelDrop.TRUNCATED;
            }
            formatIndex = rules.formatByUdpPort(getShort(array, a + l4 + 2) & 0xFFFF);
            tunnel = l4 + 8;
        }
        else
        {
            formatIndex = rules.formatByIpProtocol(protocol);
            tunnel = l4;
        }
        if (formatIndex == RuleSet.NO_FORMAT)
        {
            return TunnelDrop.NOT_A_TUNNEL;
        }
        final TunnelFormat format = rules.format(formatIndex);
        int headerLength = format.headerLength();
        if (tunnel + headerLength > ipEnd)
        {
            return TunnelDrop.TRUNCATED;
        }
        final long vni;
        final TunnelFormat.Kind kind = format.kind();
        if (kind == TunnelFormat.Kind.VXLAN)
        {
            // the common case first, without the switch's table lookup
            if ((UnsafeApi.getByte(array, a + tunnel) & 0x08) == 0)
            {
                return TunnelDrop.BAD_TUNNEL_HEADER;
            }
            vni = get24(array, a + tunnel + 4);
        }
        else
        {
            switch (kind) // VXLAN is handled above
            {
                case GENEVE ->
                {
                    final int first = UnsafeApi.getByte(array, a + tunnel) & 0xFF;
                    if (first >>> 6 != 0)
                    {
                        return TunnelDrop.BAD_TUNNEL_HEADER;
                    }
                    if ((UnsafeApi.getByte(array, a + tunnel + 1) & 0x80) != 0)
                    {
                        return TunnelDrop.TUNNEL_CONTROL;
                    }
                    if ((getShort(array, a + tunnel + 2) & 0xFFFF) != TunnelFormat.ETHERTYPE_TEB)
                    {
                        return TunnelDrop.UNSUPPORTED_PAYLOAD;
                    }
                    final int optionsLength = (first & 0x3F) << 2;
                    final int optionsEnd = tunnel + headerLength + optionsLength;
                    if (optionsEnd > ipEnd)
                    {
                        return TunnelDrop.TRUNCATED;
                    }
                    final TunnelDrop optionDrop = checkOptions(rules, array, a, tunnel + headerLength, optionsEnd);
                    if (optionDrop != TunnelDrop.NONE)
                    {
                        return optionDrop;
                    }
                    headerLength += optionsLength;
                    vni = get24(array, a + tunnel + 4);
                }
                case NVGRE, GRE ->
                {
                    final int flags = UnsafeApi.getByte(array, a + tunnel) & 0xFF;
                    if ((UnsafeApi.getByte(array, a + tunnel + 1) & 0x07) != 0 || (flags & GRE_K) == 0 ||
                        (flags & 0x40) != 0)
                    {
                        return TunnelDrop.BAD_TUNNEL_HEADER;
                    }
                    if (format.kind() == TunnelFormat.Kind.NVGRE && (flags & (GRE_C | GRE_S)) != 0)
                    {
                        return TunnelDrop.BAD_TUNNEL_HEADER; // RFC 7637 section 3.2: C and S must be zero
                    }
                    if ((getShort(array, a + tunnel + 2) & 0xFFFF) != TunnelFormat.ETHERTYPE_TEB)
                    {
                        return TunnelDrop.UNSUPPORTED_PAYLOAD;
                    }
                    final int keyOffset = tunnel + 4 + ((flags & GRE_C) != 0 ? 4 : 0);
                    headerLength = keyOffset + 4 - tunnel + ((flags & GRE_S) != 0 ? 4 : 0);
                    if (tunnel + headerLength > ipEnd)
                    {
                        return TunnelDrop.TRUNCATED;
                    }
                    vni = format.kind() == TunnelFormat.Kind.NVGRE ? get24(array, a + keyOffset) :
                        getInt(array, a + keyOffset) & 0xFFFF_FFFFL;
                }
                default ->
                {
                    for (int i = 0; i < headerLength; i++)
                    {
                        final int mask = format.fixedMaskByte(i);
                        if (mask != 0 &&
                            ((UnsafeApi.getByte(array, a + tunnel + i) ^ format.fixedByteAt(i)) & mask) != 0)
                        {
                            return TunnelDrop.BAD_TUNNEL_HEADER;
                        }
                    }
                    vni = getField(array, a + tunnel + format.vniOffset(), format.vniWidth());
                }
            }
        }
        final int inner = tunnel + headerLength;
        if (inner + 14 > ipEnd)
        {
            return TunnelDrop.TRUNCATED;
        }
        record(rules, index, formatIndex, vni, srcHi, srcLo, dstHi, dstLo,
            (getInt(array, a + inner) & 0xFFFF_FFFFL) << 16 | (getShort(array, a + inner + 4) & 0xFFFF), inner, ipEnd);
        return TunnelDrop.NONE;
    }

    /** Keeps what pass 2 needs of a frame that decoded well, with its endpoint and first table record. */
    private void record(
        final RuleSet rules,
        final int index,
        final int formatIndex,
        final long vni,
        final long srcHi,
        final long srcLo,
        final long dstHi,
        final long dstLo,
        final long innerMac,
        final int inner,
        final int ipEnd)
    {
        final int endpoint;
        if (dstLo == cachedDstLo && dstHi == cachedDstHi && rules.generation() == cachedGeneration)
        {
            endpoint = cachedEndpoint;
        }
        else
        {
            endpoint = rules.ingressEndpoint(dstHi, dstLo);
            cachedGeneration = rules.generation();
            cachedDstHi = dstHi;
            cachedDstLo = dstLo;
            cachedEndpoint = endpoint;
        }
        final long key = RuleSet.ingressKey(endpoint, formatIndex, vni);
        keys[index] = key;
        probes[index] = endpoint < 0 ? -1 : rules.ingressFirstRecordOfKey(key, innerMac);
        srcHis[index] = srcHi;
        srcLos[index] = srcLo;
        innerMacs[index] = innerMac;
        inners[index] = inner;
        ipEnds[index] = ipEnd;
    }

    private static TunnelDrop checkOptions(final RuleSet rules, final byte[] array, final long a, final int from,
        final int to)
    {
        int p = from;
        while (p < to)
        {
            if (p + 4 > to)
            {
                return TunnelDrop.BAD_OPTION_LENGTH;
            }
            final int optionClass = getShort(array, a + p) & 0xFFFF;
            final int type = UnsafeApi.getByte(array, a + p + 2) & 0xFF;
            final int length = 4 + ((UnsafeApi.getByte(array, a + p + 3) & 0x1F) << 2);
            if (p + length > to)
            {
                return TunnelDrop.BAD_OPTION_LENGTH;
            }
            if ((type & 0x80) != 0 && !rules.isKnownGeneveOption(optionClass, type))
            {
                return TunnelDrop.UNKNOWN_CRITICAL_OPTION;
            }
            p += length;
        }
        return TunnelDrop.NONE;
    }

    private static long get24(final byte[] array, final long at)
    {
        return (getShort(array, at) & 0xFFFFL) << 8 | (UnsafeApi.getByte(array, at + 2) & 0xFF);
    }

    private static long getField(final byte[] array, final long at, final int widthBits)
    {
        return switch (widthBits)
        {
            case 8 -> UnsafeApi.getByte(array, at) & 0xFFL;
            case 16 -> getShort(array, at) & 0xFFFFL;
            case 24 -> get24(array, at);
            default -> getInt(array, at) & 0xFFFF_FFFFL;
        };
    }





    /** The VNI of the last frame that got as far as the lookup. */
    public long lastVni()
    {
        return lastVni;
    }

    /** The ingress rule of the last frame, or {@link RuleSet#NO_RULE}. */
    public int lastRule()
    {
        return lastRule;
    }
}
