package io.vfplane.tsorsc.gro;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.checksum.Checksums;
import io.vfplane.dataplane.packet.Offload;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.dataplane.parse.PacketParser;
import io.vfplane.dataplane.parse.ParseResult;
import io.vfplane.tsorsc.CopySum;
import io.vfplane.tsorsc.CustomFormats;
import io.vfplane.tsorsc.HeaderFixups;
import io.vfplane.tsorsc.SegmentLayout;
import io.vfplane.tsorsc.TunnelDescription;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

import static java.nio.ByteOrder.BIG_ENDIAN;

import static io.vfplane.dataplane.buffer.NetworkOrder.getInt;
import static io.vfplane.dataplane.buffer.NetworkOrder.getShort;

/**
 * Receive-side coalescing (RSC/GRO): merges in-order TCP segments of one flow into frames of up to 64 KiB that
 * carry gso metadata, so they can be segmented again or written to a TAP with a vnet header.
 *
 * <h2>What is one flow</h2>
 * Two segments belong to the same flow when their headers, from the first byte of the frame to the end of the TCP
 * options, are equal byte for byte except the fields that change per segment (IPv4 total length, identification and
 * header checksum; IPv6 payload length; UDP length and checksum; TCP sequence number, the CWR/PSH/FIN flags and
 * checksum). So the 5-tuple, the VNI, the outer endpoints, a declared opaque field, the TCP acknowledgment,
 * window and options, TTL and TOS all have to match, for plain TCP and inside VXLAN, Geneve, NVGRE or a declared
 * format alike, with no per-format code. The flow table is direct-mapped by a hash of a few of those bytes; a
 * collision flushes the older flow (correct, merely less merging).
 * <p>
 * Per segment, the common case costs no parse and no hash: a segment is first compared, 8 bytes at a time under
 * the flow's mask, with the flow touched last; if it matches and follows in order it is appended, and if that
 * flow's frame was flushed (end of the previous batch, PSH) it starts the flow's next frame with the layout and mask
 * it already has. Everything else takes the general path (parse, hash, compare).
 *
 * <h2>When a merge ends</h2>
 * As Linux's {@code tcp_gro_receive}: a segment whose flags other than CWR/PSH/FIN differ, or with CWR, SYN, RST or
 * URG, or no payload, or a sequence gap or reordering, or more payload than the first segment's (the MSS), or an
 * IPv4 identification that neither increments nor stays fixed, or one that would pass 64 KiB, is not merged: the
 * held frame is flushed first. A segment with PSH or FIN, or shorter than the MSS, is merged and then flushes.
 * {@link #flushAll()} flushes at end of batch, {@link #poll(long)} after a time limit.
 *
 * <h2>Checksums</h2>
 * With verification on, every segment's TCP checksum is verified (a bad one is passed through alone, never merged
 * and counted) and the payload sums taken then give the merged frame a full, correct checksum without another read
 * (metadata: DATA_VALID). With verification off (segments a trusted source already checked, e.g. our own or a
 * kernel TAP's), nothing is read and the merged frame carries the pseudo-header sum for a later offload
 * (metadata: NEEDS_CSUM, csum_start, csum_offset), as a virtio-net device expects. {@link #partialChecksums}
 * asks for the latter form after verification too.
 * <p>
 * Merging copies no payload: a merged frame is the first segment plus fragments ({@link CoalescedFrame}). One
 * instance per thread; no allocation per packet.
 */
public final class Coalescer
{
    /** Frames never grow beyond what an IP length field holds. */
    public static final int MAX_FRAME_PAYLOAD = 65535;
    /** Most segments in one merged frame (64 KiB of 536-byte segments). */
    public static final int MAX_SEGMENTS = 128;

    private static final int TCP_SEQUENCE_OFFSET = 4;
    private static final int TCP_FLAGS_OFFSET = 13;
    private static final int TCP_CHECKSUM_OFFSET = 16;
    private static final int IPV4_ID_OFFSET = 4;
    private static final int FIN = 0x01;
    private static final int SYN = 0x02;
    private static final int RST = 0x04;
    private static final int PSH = 0x08;
    private static final int URG = 0x20;
    private static final int CWR = 0x80;
    private static final int PROTOCOL_TCP = 6;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /** Flush reason: end of batch ({@link #flushAll()}). */
    public static final int FLUSH_END_OF_BATCH = 0;
    /** Flush reason: held longer than the time limit ({@link #poll(long)}). */
    public static final int FLUSH_TIMEOUT = 1;
    /** Flush reason: the last segment merged had PSH or FIN, or was shorter than the MSS. */
    public static final int FLUSH_PUSH = 2;
    /** Flush reason: a segment of the same flow could not be merged (flags, sequence gap, size, checksum). */
    public static final int FLUSH_NOT_MERGEABLE = 3;
    /** Flush reason: a segment of another flow hashed to the same slot. */
    public static final int FLUSH_COLLISION = 4;
    /** Number of flush reasons. */
    public static final int FLUSH_REASONS = 5;
    /** Counter label suffixes of the flush reasons, by reason. */
    public static final String[] FLUSH_REASON_LABELS = {"end_of_batch", "timeout", "push", "not_mergeable", "collision"};

    /** Longest header run a flow is compared on (outer + Geneve options + inner + TCP options). */
    private static final int MAX_HEADER = 512;

    private final PacketPool pool;
    private final UnsafeBuffer buffer;
    private final PacketParser parser;
    private final ParseResult scratch = new ParseResult();
    private final boolean verify;
    private final long timeoutNs;
    private final CoalescedFrameHandler handler;
    private final CoalescedFrame frame = new CoalescedFrame(MAX_SEGMENTS);
    private final int mask;

    private SegmentLayout incoming = new SegmentLayout();
    private final SegmentLayout[] layouts;
    private final boolean[] active;
    private final int[] headId;
    private final int[] headOffset;
    private final int[] headLength;
    private final int[] mss;
    private final int[] nextSeq;
    private final int[] headFlags;
    private final int[] lastFlags;
    private final int[] segments;
    private final int[] payloadTotal;
    private final int[] payloadSum;
    private final long[] startNs;
    private final PacketDescriptor[] headMeta;
    /** Per flow, flattened ({@code slot * MAX_SEGMENTS + i}): one array bound per store in the append path. */
    private final int[] fragmentIds;
    private final int[] fragmentOffsets;
    private final int[] fragmentLengths;
    private final long[][] maskWords;
    private final long[][] expectedWords;
    private final byte[][] maskTail;
    private final long[] maskTailWord;
    private final int[][] firstIds;
    /**
     * Per flow, flattened ({@code slot * MAX_FIXUPS + f}) so the append path takes one array bound per access: where
     * each length field sits, what it must read for a frame of length L ({@code L - lengthDelta}), and where the
     * IPv4 identification sits (-1: not IPv4).
     */
    private final int[] lengthAt;
    private final int[] lengthDelta;
    private final int[] idAt;
    private final int[] firstId;
    private final int[] fixupCounts;
    private final int[] headerLengths;
    /** Per flow: most payload the frame may hold (the outermost length field must not pass 65535). */
    private final int[] payloadLimit;
    private int incomingLength;
    private final byte[] maskScratch = new byte[MAX_HEADER + 8];
    private final UnsafeBuffer maskView = new UnsafeBuffer(maskScratch);
    private final byte[] tailScratch = new byte[8];
    private final UnsafeBuffer tailView = new UnsafeBuffer(tailScratch);

    private final CustomFormats customFormats = new CustomFormats();
    private boolean releaseBuffers = true;
    private boolean partialChecksums;
    private int lastSlot = -1;

    private long merged;
    private long framesOut;
    private long passedThrough;
    private long badChecksums;
    private long fastPath;
    private final long[] flushes = new long[FLUSH_REASONS];
    private CoalescerCounters published;

    /**
     * @param pool      owns the segments' buffers; the coalescer releases them after handing each frame out.
     * @param parser    parser (its configuration names the tunnel ports).
     * @param flowSlots flows held at once, a power of two.
     * @param timeoutNs a held frame older than this is flushed by {@link #poll}.
     * @param verify    verify each segment's TCP checksum (see class comment).
     * @param handler   takes the frames.
     */
    public Coalescer(
        final PacketPool pool,
        final PacketParser parser,
        final int flowSlots,
        final long timeoutNs,
        final boolean verify,
        final CoalescedFrameHandler handler)
    {
        if (Integer.bitCount(flowSlots) != 1)
        {
            throw new IllegalArgumentException("flowSlots must be a power of two: " + flowSlots);
        }
        this.pool = pool;
        this.buffer = pool.buffer();
        this.parser = parser;
        this.verify = verify;
        this.timeoutNs = timeoutNs;
        this.handler = handler;
        this.mask = flowSlots - 1;
        layouts = new SegmentLayout[flowSlots];
        headMeta = new PacketDescriptor[flowSlots];
        for (int i = 0; i < flowSlots; i++)
        {
            layouts[i] = new SegmentLayout();
            headMeta[i] = new PacketDescriptor();
        }
        active = new boolean[flowSlots];
        headId = new int[flowSlots];
        headOffset = new int[flowSlots];
        headLength = new int[flowSlots];
        mss = new int[flowSlots];
        nextSeq = new int[flowSlots];
        headFlags = new int[flowSlots];
        lastFlags = new int[flowSlots];
        segments = new int[flowSlots];
        payloadTotal = new int[flowSlots];
        payloadSum = new int[flowSlots];
        startNs = new long[flowSlots];
        fragmentIds = new int[flowSlots * MAX_SEGMENTS];
        fragmentOffsets = new int[flowSlots * MAX_SEGMENTS];
        fragmentLengths = new int[flowSlots * MAX_SEGMENTS];
        maskWords = new long[flowSlots][MAX_HEADER / 8];
        expectedWords = new long[flowSlots][MAX_HEADER / 8 + 1];
        maskTail = new byte[flowSlots][8];
        maskTailWord = new long[flowSlots];
        firstIds = new int[flowSlots][SegmentLayout.MAX_FIXUPS];
        lengthAt = new int[flowSlots * SegmentLayout.MAX_FIXUPS];
        lengthDelta = new int[flowSlots * SegmentLayout.MAX_FIXUPS];
        idAt = new int[flowSlots * SegmentLayout.MAX_FIXUPS];
        firstId = new int[flowSlots * SegmentLayout.MAX_FIXUPS];
        fixupCounts = new int[flowSlots];
        headerLengths = new int[flowSlots];
        payloadLimit = new int[flowSlots];
    }

    /**
     * Declares a custom tunnel format recognised by its outer UDP destination port (over IPv4 or IPv6): its frames
     * are laid out by the description instead of the parser.
     *
     * @param udpPort     destination port.
     * @param description the format.
     * @return this.
     */
    public Coalescer customFormat(final int udpPort, final TunnelDescription description)
    {
        customFormats.put(udpPort, description);
        // a layout kept for startAgain may have been parsed without the format (or described with the old one)
        lastSlot = -1;
        return this;
    }

    /**
     * Forgets the custom format declared for a port.
     *
     * @param udpPort destination port.
     * @return this.
     */
    public Coalescer removeCustomFormat(final int udpPort)
    {
        customFormats.remove(udpPort);
        lastSlot = -1;
        return this;
    }

    /**
     * Registers this coalescer's counters ({@code tsorsc.<name>.coalesce.*}, see {@link CoalescerCounters}); from
     * now on {@link #flushAll()} and {@link #poll(long)} publish them. Setup time only.
     *
     * @param counters where.
     * @param name     names this coalescer in the labels (no dots).
     * @return this.
     */
    public Coalescer counters(final io.vfplane.dataplane.counters.Counters counters, final String name)
    {
        published = new CoalescerCounters(counters, name);
        return this;
    }

    /**
     * Publishes the counters now (flushAll and poll do it themselves).
     */
    public void publishCounters()
    {
        if (published != null)
        {
            published.publish(this);
        }
    }

    /**
     * @param release true (the default): the coalescer releases each frame's buffers to the pool after the handler
     *                returns; false: they stay with the caller (replaying the same buffers, benchmarks).
     * @return this.
     */
    public Coalescer releaseBuffers(final boolean release)
    {
        this.releaseBuffers = release;
        return this;
    }

    /**
     * @param partial false (the default): a verified merged frame gets its full checksum and {@code DATA_VALID};
     *                true: it leaves the pseudo-header sum with {@code NEEDS_CSUM}, as an unverified one does. For a
     *                receiver that takes a partial checksum as done but ignores {@code DATA_VALID} (a TAP: its kernel
     *                would checksum the whole 64 KiB again). Frames inside a tunnel with a UDP checksum always get
     *                the full sums. Without verification this changes nothing.
     * @return this.
     */
    public Coalescer partialChecksums(final boolean partial)
    {
        this.partialChecksums = partial;
        return this;
    }

    /**
     * Takes one received frame; the coalescer owns its buffer from now on.
     *
     * @param packet bound to a buffer of the pool.
     * @param nowNs  the current time, for the time limit.
     */
    public void offer(final PacketDescriptor packet, final long nowNs)
    {
        // kept tiny so the JIT inlines it and the in-order path into the caller's loop; offerGeneral is too big to
        // inline (and need not be: it runs once per frame, not per segment)
        final int offset = packet.offset();
        final int length = packet.length();
        if (!appendInOrder(packet, offset, length, nowNs))
        {
            offerGeneral(packet, offset, length, nowNs);
        }
    }

    private void offerGeneral(final PacketDescriptor packet, final int offset, final int length, final long nowNs)
    {
        incomingLength = length;
        final SegmentLayout layout;
        final int slot;
        final int payload;
        final boolean exact;
        final boolean known;
        if (lastSlot >= 0 && active[lastSlot] && continues(lastSlot, offset, length))
        {
            // fast path: the headers equal those of the flow touched last (bar the per-segment fields, whose
            // lengths were checked against the frame), so its layout holds: no parse, no hash
            slot = lastSlot;
            layout = layouts[slot];
            fastPath++;
            payload = length - layout.headerLength();
            exact = true;
            known = true;
        }
        else
        {
            layout = incoming;
            final TunnelDescription custom = customFormats.find(buffer, offset, length);
            final int rc = custom != null ?
                layout.describe(custom, parser, scratch, buffer, offset, length) :
                layout.parse(parser, scratch, buffer, offset, length);
            if (rc != SegmentLayout.OK || layout.l4Protocol() != PROTOCOL_TCP || layout.cutLength() != 0)
            {
                passThrough(packet);
                return;
            }
            slot = hash(offset, layout) & mask;
            payload = layout.payloadLength();
            // Ethernet padding after a short segment cannot be carried into a merged frame
            exact = length == layout.headerLength() + payload;
            known = active[slot] && sameFlow(slot, offset, layout);
        }
        final int tcp = offset + layout.l4Offset();
        final int flags = buffer.getByte(tcp + TCP_FLAGS_OFFSET) & 0xFF;
        final int seq = buffer.getInt(tcp + TCP_SEQUENCE_OFFSET, BIG_ENDIAN);

        int sum = 0;
        if (verify && payload > 0)
        {
            sum = CopySum.sum(buffer, offset + layout.headerLength(), payload);
            if (!checksumsGood(offset, layout, length, sum))
            {
                badChecksums++;
                if (known)
                {
                    flush(slot, FLUSH_NOT_MERGEABLE);
                }
                passThrough(packet);
                return;
            }
        }

        if (active[slot])
        {
            if (known)
            {
                if (exact && canMerge(slot, offset, layout, flags, payload, seq))
                {
                    append(slot, packet, layout, flags, payload, sum);
                    if ((flags & (PSH | FIN)) != 0 || payload < mss[slot])
                    {
                        flush(slot, FLUSH_PUSH);
                    }
                    return;
                }
            }
            flush(slot, known ? FLUSH_NOT_MERGEABLE : FLUSH_COLLISION);
        }
        if (payload == 0 || (flags & (SYN | RST | URG | PSH | FIN)) != 0 || !exact ||
            layout.headerLength() > MAX_HEADER)
        {
            passThrough(packet);
            return;
        }
        start(slot, packet, layout, flags, payload, seq, sum, nowNs);
    }

    /**
     * Flushes every held frame: call at end of batch.
     */
    public void flushAll()
    {
        for (int s = 0; s <= mask; s++)
        {
            if (active[s])
            {
                flush(s, FLUSH_END_OF_BATCH);
            }
        }
        publishCounters();
    }

    /**
     * Flushes the frames held longer than the time limit.
     *
     * @param nowNs the current time.
     * @return frames flushed.
     */
    public int poll(final long nowNs)
    {
        int n = 0;
        for (int s = 0; s <= mask; s++)
        {
            if (active[s] && nowNs - startNs[s] >= timeoutNs)
            {
                flush(s, FLUSH_TIMEOUT);
                n++;
            }
        }
        if (n > 0)
        {
            publishCounters();
        }
        return n;
    }

    /**
     * @return segments merged into a frame held before them.
     */
    public long merged()
    {
        return merged;
    }

    /**
     * @return frames handed out (merged or not).
     */
    public long framesOut()
    {
        return framesOut;
    }

    /**
     * @return frames handed out unchanged because they could not be coalesced (not TCP, flags, no payload...).
     */
    public long passedThrough()
    {
        return passedThrough;
    }

    /**
     * @return segments recognised as continuing the flow touched last without a parse.
     */
    public long fastPath()
    {
        return fastPath;
    }

    /**
     * @return segments whose TCP checksum failed verification (passed through, never merged).
     */
    public long badChecksums()
    {
        return badChecksums;
    }

    /**
     * @param reason one of the FLUSH_ constants.
     * @return frames flushed for that reason.
     */
    public long flushes(final int reason)
    {
        return flushes[reason];
    }

    /**
     * The common case, on its own so it stays small enough to compile well: the segment continues the flow touched
     * last, in order, and merges (or starts that flow's next frame, {@link #startAgain}). Everything {@link #offer}
     * would check is checked here, in the same order of meaning; anything else (another flow, a flag, a gap, a bad
     * checksum, a frame too short to read 8 bytes past the headers) returns false and {@link #offer} takes the
     * general path, which decides again. Multi-byte fields are big-endian on the wire, so raw loads are
     * byte-swapped on a little-endian host ({@link #be16}, {@link #be32}).
     */
    private boolean appendInOrder(final PacketDescriptor packet, final int offset, final int length, final long nowNs)
    {
        final int slot = lastSlot;
        if (slot < 0 || !matchesHeld(slot, offset, length))
        {
            return false;
        }
        return active[slot] ?
            appendNext(slot, packet, offset, length) :
            startAgain(slot, packet, offset, length, nowNs);
    }

    /**
     * Appends a segment that matched the held flow's headers, if it is the next in order and may merge.
     */
    private boolean appendNext(final int slot, final PacketDescriptor packet, final int offset, final int length)
    {
        final byte[] array = buffer.byteArray();
        final long at = buffer.addressOffset() + offset;
        final int header = headerLengths[slot];
        final int n = segments[slot];
        if (!identificationsFollow(slot, array, at, n))
        {
            return false;
        }
        final SegmentLayout layout = layouts[slot];
        final long tcp = at + layout.l4Offset();
        final int flags = UnsafeApi.getByte(array, tcp + TCP_FLAGS_OFFSET) & 0xFF;
        final int seq = getInt(array, tcp + TCP_SEQUENCE_OFFSET);
        final int payload = length - header;
        if ((flags & (CWR | SYN | RST | URG)) != 0 ||
            ((flags ^ headFlags[slot]) & ~(CWR | PSH | FIN)) != 0 ||
            seq != nextSeq[slot] || payload > mss[slot] || n == MAX_SEGMENTS ||
            payloadTotal[slot] + payload > payloadLimit[slot])
        {
            return false;
        }
        int sum = 0;
        if (verify)
        {
            sum = CopySum.sum(buffer, offset + header, payload);
            if (!checksumsGood(offset, layout, length, sum))
            {
                return false;
            }
        }
        fastPath++;
        append(slot, packet, layout, flags, payload, sum);
        if ((flags & (PSH | FIN)) != 0 || payload < mss[slot])
        {
            flush(slot, FLUSH_PUSH);
        }
        return true;
    }

    /**
     * Whether a frame has the headers of the flow held (or last held) in a slot, bar the per-segment fields, with
     * length fields that describe exactly this frame (no Ethernet padding) and payload after the headers. Reads go
     * through {@link UnsafeApi} after ONE bounds check of the whole frame: Agrona's buffer checks bounds on every
     * access unless the JVM runs with {@code -Dagrona.disable.bounds.checks=true}, and a dozen checks per segment
     * cost as much as the comparison itself.
     */
    private boolean matchesHeld(final int slot, final int offset, final int length)
    {
        final int header = headerLengths[slot];
        final int whole = header & ~7;
        // length > header: there is payload; whole + 8 <= length: the last partial word can be read in one load
        if (header == 0 || length <= header || whole + 8 > length)
        {
            return false;
        }
        buffer.boundsCheck(offset, length);
        final byte[] array = buffer.byteArray();
        final long at = buffer.addressOffset() + offset;
        final long[] words = maskWords[slot];
        final long[] expected = expectedWords[slot];
        final int wordCount = whole >> 3;
        long diff = 0;
        // one induction variable, so the JIT hoists the array bounds checks out of the loop
        for (int k = 0; k < wordCount; k++)
        {
            diff |= (UnsafeApi.getLong(array, at + ((long)k << 3)) & words[k]) ^ expected[k];
        }
        if (whole != header)
        {
            diff |= (UnsafeApi.getLong(array, at + whole) & maskTailWord[slot]) ^ expected[wordCount];
        }
        if (diff != 0)
        {
            return false;
        }
        final int base = slot * SegmentLayout.MAX_FIXUPS;
        for (int f = 0, count = fixupCounts[slot]; f < count; f++)
        {
            if (getShort(array, at + lengthAt[base + f]) != length - lengthDelta[base + f])
            {
                return false;
            }
        }
        return true;
    }

    /**
     * A new frame of the flow last held in a slot now free (flushed at end of the previous batch, or by PSH): its
     * headers equal that flow's under the mask, so the flow's layout, mask and expected image still hold and it
     * starts without a parse, a hash of a parsed layout or a new mask. The slot must still be the one the hash
     * gives, or a later segment of the flow that takes the general path would look elsewhere and overtake it.
     */
    private boolean startAgain(
        final int slot, final PacketDescriptor packet, final int offset, final int length, final long nowNs)
    {
        final SegmentLayout layout = layouts[slot];
        final byte[] array = buffer.byteArray();
        final long tcp = buffer.addressOffset() + offset + layout.l4Offset();
        final int flags = UnsafeApi.getByte(array, tcp + TCP_FLAGS_OFFSET) & 0xFF;
        if ((flags & (SYN | RST | URG | PSH | FIN)) != 0 || (hash(offset, layout) & mask) != slot)
        {
            return false;
        }
        final int payload = length - layout.headerLength();
        int sum = 0;
        if (verify)
        {
            sum = CopySum.sum(buffer, offset + layout.headerLength(), payload);
            if (!checksumsGood(offset, layout, length, sum))
            {
                return false;
            }
        }
        fastPath++;
        start(slot, packet, layout, flags, payload, getInt(array, tcp + TCP_SEQUENCE_OFFSET), sum, nowNs);
        return true;
    }

    /**
     * Whether the IPv4 identifications count up by one per segment from the head's, or stay fixed (a separate
     * method keeps {@link #appendNext} small enough for the JIT to inline).
     */
    private boolean identificationsFollow(final int slot, final byte[] array, final long at, final int n)
    {
        final int base = slot * SegmentLayout.MAX_FIXUPS;
        for (int f = 0, count = fixupCounts[slot]; f < count; f++)
        {
            final int first = firstId[base + f];
            if (first >= 0)
            {
                final int id = getShort(array, at + idAt[base + f]);
                if (id != ((first + n) & 0xFFFF) && id != first)
                {
                    return false;
                }
            }
        }
        return true;
    }



    private boolean checksumsGood(final int offset, final SegmentLayout layout, final int length, final int sum)
    {
        for (int f = 0, n = layout.fixupCount(); f < n; f++)
        {
            if (layout.fixupKind(f) == SegmentLayout.FIXUP_IPV4 &&
                !Checksums.verifyIpv4Header(buffer, offset + layout.fixupOffset(f)))
            {
                return false;
            }
        }
        final int l4 = layout.l4Offset();
        int s = HeaderFixups.pseudo(buffer, offset + layout.l4IpOffset(), PROTOCOL_TCP, length - l4);
        s = Checksums.sum(buffer, offset + l4, layout.l4HeaderLength(), s);
        return Checksums.reduce(Checksums.add(s, sum)) == 0xFFFF;
    }

    private boolean continues(final int slot, final int offset, final int length)
    {
        final SegmentLayout held = layouts[slot];
        if (length <= held.headerLength() || !sameFlow(slot, offset, held))
        {
            return false;
        }
        for (int f = 0, n = held.fixupCount(); f < n; f++)
        {
            final int rel = held.fixupOffset(f);
            final int at = offset + rel;
            final int expected;
            final int field;
            switch (held.fixupKind(f))
            {
                case SegmentLayout.FIXUP_IPV4 ->
                {
                    field = buffer.getShort(at + 2, BIG_ENDIAN) & 0xFFFF;
                    expected = length - rel;
                }
                case SegmentLayout.FIXUP_IPV6 ->
                {
                    field = buffer.getShort(at + 4, BIG_ENDIAN) & 0xFFFF;
                    expected = length - rel - 40;
                }
                default ->
                {
                    field = buffer.getShort(at + 4, BIG_ENDIAN) & 0xFFFF;
                    expected = length - rel;
                }
            }
            if (field != expected)
            {
                return false;
            }
        }
        return true;
    }

    private int hash(final int offset, final SegmentLayout layout)
    {
        final int tcp = offset + layout.l4Offset();
        final int ip = offset + layout.l4IpOffset();
        final int ipTail = ip + ((buffer.getByte(ip) & 0xF0) == 0x40 ? 16 : 36);
        int h = buffer.getInt(tcp, BIG_ENDIAN) * 0x9E3779B1;
        h ^= buffer.getInt(ipTail, BIG_ENDIAN) * 0x85EBCA6B;
        h ^= buffer.getInt(ipTail - 4, BIG_ENDIAN) * 0xC2B2AE35;
        h ^= layout.headerLength();
        if (layout.isTunnel())
        {
            // the VNI or key usually sits just before the inner Ethernet header, 4..8 bytes before the inner IP
            h ^= buffer.getInt(offset + layout.l4IpOffset() - 18, BIG_ENDIAN) * 0x27D4EB2F;
        }
        return h ^ (h >>> 15);
    }

    private boolean sameFlow(final int slot, final int offset, final SegmentLayout layout)
    {
        final int header = layout.headerLength();
        if (layouts[slot].headerLength() != header || layouts[slot].l4Offset() != layout.l4Offset())
        {
            return false;
        }
        // 8 bytes at a time under a mask that hides the per-segment fields; equality only, so native-order raw
        // loads (the order the mask was packed in) are the cheapest and right; one bounds check per range
        // compared against the expected image (the head's words under the mask, taken once at start): one load per
        // word of the incoming frame, and the differences OR-ed together so the loop has no branch per word
        final long[] words = maskWords[slot];
        final long[] expected = expectedWords[slot];
        final int whole = header & ~7;
        buffer.boundsCheck(offset, header);
        final long at = buffer.addressOffset() + offset;
        final byte[] array = buffer.byteArray();
        long diff = 0;
        int k = 0;
        for (int i = 0; i < whole; i += 8, k++)
        {
            diff |= (UnsafeApi.getLong(array, at + i) & words[k]) ^ expected[k];
        }
        if (whole == header)
        {
            return diff == 0;
        }
        if (diff != 0)
        {
            return false;
        }
        // the last partial word: read 8 bytes when the frame is long enough (it holds payload after the headers)
        // and let the mask, zero past the header, hide the rest
        if (whole + 8 <= incomingLength)
        {
            return ((UnsafeApi.getLong(array, at + whole) & maskTailWord[slot]) ^ expected[k]) == 0;
        }
        final int a = headOffset[slot];
        final byte[] tail = maskTail[slot];
        for (int i = whole; i < header; i++)
        {
            if (((buffer.getByte(a + i) ^ buffer.getByte(offset + i)) & tail[i - whole]) != 0)
            {
                return false;
            }
        }
        return true;
    }

    private boolean canMerge(
        final int slot, final int offset, final SegmentLayout layout, final int flags, final int payload, final int seq)
    {
        if (payload == 0 || (flags & (CWR | SYN | RST | URG)) != 0 ||
            ((flags ^ headFlags[slot]) & ~(CWR | PSH | FIN)) != 0 ||
            seq != nextSeq[slot] || payload > mss[slot] || segments[slot] == MAX_SEGMENTS ||
            payloadTotal[slot] + payload + layout.headerLength() - layout.fixupOffset(0) > MAX_FRAME_PAYLOAD)
        {
            return false;
        }
        // IPv4 identifications: each must follow the held frame's by the segment count, or stay fixed
        final int n = segments[slot];
        final int[] first = firstIds[slot];
        for (int f = 0, count = layout.fixupCount(); f < count; f++)
        {
            if (first[f] >= 0)
            {
                final int id = buffer.getShort(offset + layout.fixupOffset(f) + IPV4_ID_OFFSET, BIG_ENDIAN) & 0xFFFF;
                if (id != ((first[f] + n) & 0xFFFF) && id != first[f])
                {
                    return false;
                }
            }
        }
        return true;
    }

    private void start(
        final int slot,
        final PacketDescriptor packet,
        final SegmentLayout layout,
        final int flags,
        final int payload,
        final int seq,
        final int sum,
        final long nowNs)
    {
        // the parsed layout becomes the flow's; the flow's old one is the next scratch
        // the flow's own layout comes back only for a frame that matched its mask and expected image (continues,
        // startAgain): both still hold, as the masked bytes are equal, so they need not be built again
        final boolean maskHolds = layout == layouts[slot];
        if (layout != layouts[slot])
        {
            incoming = layouts[slot];
            layouts[slot] = layout;
        }
        lastSlot = slot;
        active[slot] = true;
        headId[slot] = packet.bufferId();
        headOffset[slot] = packet.offset();
        headLength[slot] = layout.headerLength() + payload;
        headMeta[slot].copyFrom(packet);
        mss[slot] = payload;
        nextSeq[slot] = seq + payload;
        headFlags[slot] = flags;
        lastFlags[slot] = flags;
        segments[slot] = 1;
        payloadTotal[slot] = payload;
        payloadSum[slot] = sum;
        startNs[slot] = nowNs;
        if (!maskHolds)
        {
            skips(slot, layout);
        }
        final int[] first = firstIds[slot];
        final int count = layout.fixupCount();
        final int base = slot * SegmentLayout.MAX_FIXUPS;
        for (int f = 0; f < count; f++)
        {
            final int rel = layout.fixupOffset(f);
            final int kind = layout.fixupKind(f);
            first[f] = kind == SegmentLayout.FIXUP_IPV4 ?
                buffer.getShort(packet.offset() + rel + IPV4_ID_OFFSET, BIG_ENDIAN) & 0xFFFF : -1;
            firstId[base + f] = first[f];
            idAt[base + f] = rel + IPV4_ID_OFFSET;
            lengthAt[base + f] = rel + (kind == SegmentLayout.FIXUP_IPV4 ? 2 : 4);
            lengthDelta[base + f] = rel + (kind == SegmentLayout.FIXUP_IPV6 ? 40 : 0);
        }
        fixupCounts[slot] = count;
        headerLengths[slot] = layout.headerLength();
        payloadLimit[slot] = MAX_FRAME_PAYLOAD - layout.headerLength() + layout.fixupOffset(0);
    }

    private void skips(final int slot, final SegmentLayout layout)
    {
        final int header = layout.headerLength();
        final byte[] m = maskScratch;
        java.util.Arrays.fill(m, 0, header + 8, (byte)0xFF);
        for (int f = 0, count = layout.fixupCount(); f < count; f++)
        {
            final int at = layout.fixupOffset(f);
            switch (layout.fixupKind(f))
            {
                case SegmentLayout.FIXUP_IPV4 ->
                {
                    hide(m, at + 2, 4);
                    hide(m, at + 10, 2);
                }
                case SegmentLayout.FIXUP_IPV6 -> hide(m, at + 4, 2);
                default -> hide(m, at + 4, 4);
            }
        }
        final int tcp = layout.l4Offset();
        hide(m, tcp + TCP_SEQUENCE_OFFSET, 4);
        // the flags byte is compared by canMerge, which allows CWR, PSH and FIN to differ
        hide(m, tcp + TCP_FLAGS_OFFSET, 1);
        hide(m, tcp + TCP_CHECKSUM_OFFSET, 2);
        final long[] words = maskWords[slot];
        final int whole = header & ~7;
        for (int i = 0, k = 0; i < whole; i += 8, k++)
        {
            words[k] = maskView.getLong(i, NATIVE);
        }
        System.arraycopy(m, whole, maskTail[slot], 0, 8);
        java.util.Arrays.fill(m, header, header + 8, (byte)0);
        maskTailWord[slot] = maskView.getLong(whole, NATIVE);
        // the expected image: the head's header words under the mask (the partial last word assembled from the
        // header bytes only, the rest zero like the mask there)
        final int head = headOffset[slot];
        final long[] expected = expectedWords[slot];
        int k = 0;
        for (int i = 0; i < whole; i += 8, k++)
        {
            expected[k] = buffer.getLong(head + i, NATIVE) & words[k];
        }
        if (whole != header)
        {
            for (int i = 0; i < 8; i++)
            {
                tailScratch[i] = i < header - whole ? buffer.getByte(head + whole + i) : 0;
            }
            expected[k] = tailView.getLong(0, NATIVE) & maskTailWord[slot];
        }
    }


    private static void hide(final byte[] mask, final int from, final int length)
    {
        java.util.Arrays.fill(mask, from, from + length, (byte)0);
    }

    private void append(
        final int slot,
        final PacketDescriptor packet,
        final SegmentLayout layout,
        final int flags,
        final int payload,
        final int sum)
    {
        final int i = slot * MAX_SEGMENTS + segments[slot] - 1;
        fragmentIds[i] = packet.bufferId();
        fragmentOffsets[i] = packet.offset() + layout.headerLength();
        fragmentLengths[i] = payload;
        // a piece that starts at an odd offset of the payload contributes its sum byte-swapped
        if (verify)
        {
            payloadSum[slot] = Checksums.add(payloadSum[slot], CopySum.align(sum, (payloadTotal[slot] & 1) != 0));
        }
        payloadTotal[slot] += payload;
        nextSeq[slot] += payload;
        lastFlags[slot] = flags;
        segments[slot]++;
        lastSlot = slot;
        merged++;
    }

    private void flush(final int slot, final int reason)
    {
        active[slot] = false;
        flushes[reason]++;
        final SegmentLayout layout = layouts[slot];
        final int head = headOffset[slot];
        final int n = segments[slot];
        final CoalescedFrame f = frame;
        f.buffer = buffer;
        f.headOffset = head;
        f.headLength = headLength[slot];
        f.fragmentCount = n - 1;
        f.segmentCount = n;
        f.length = layout.headerLength() + payloadTotal[slot];
        f.metadata.copyFrom(headMeta[slot]);
        f.metadata.bind(headId[slot], head, f.length);
        f.headBufferId = headId[slot];
        if (n > 1)
        {
            final int from = slot * MAX_SEGMENTS;
            System.arraycopy(fragmentIds, from, f.fragmentBufferIds, 0, n - 1);
            System.arraycopy(fragmentOffsets, from, f.fragmentOffsets, 0, n - 1);
            System.arraycopy(fragmentLengths, from, f.fragmentLengths, 0, n - 1);
            HeaderFixups.setLengths(buffer, head, layout, f.length, 0);
            final int tcp = head + layout.l4Offset();
            buffer.putByte(tcp + TCP_FLAGS_OFFSET, (byte)(headFlags[slot] | (lastFlags[slot] & (PSH | FIN))));
            // a tunnel UDP checksum covers the inner payload, so it needs the full sum whatever was asked for
            final boolean full = (verify && !partialChecksums) || hasOuterUdpChecksum(layout);
            int sum = payloadSum[slot];
            if (full && !verify)
            {
                // no sums were taken on the way in: read the payload once now
                sum = sumPayload(slot, layout);
            }
            HeaderFixups.writeChecksums(buffer, head, layout, f.length, sum, !full);
            final boolean v6 = (buffer.getByte(head + layout.l4IpOffset()) & 0xF0) == 0x60;
            f.metadata
                .gsoType(v6 ? Offload.GSO_TCPV6 : Offload.GSO_TCPV4)
                .gsoSize(mss[slot])
                .headerLength(layout.headerLength())
                .csumStart(layout.l4Offset())
                .csumOffset(TCP_CHECKSUM_OFFSET)
                .offloadFlags(full ? Offload.FLAG_DATA_VALID : Offload.FLAG_NEEDS_CSUM);
        }
        else if (verify)
        {
            f.metadata.offloadFlags(f.metadata.offloadFlags() | Offload.FLAG_DATA_VALID);
        }
        framesOut++;
        handler.onFrame(f);
        if (releaseBuffers)
        {
            pool.release(headId[slot]);
            if (n > 1)
            {
                pool.release(fragmentIds, slot * MAX_SEGMENTS, n - 1); // in bulk: one CAS for up to 44 slots
            }
        }
    }

    private static boolean hasOuterUdpChecksum(final SegmentLayout layout)
    {
        for (int f = 0, n = layout.fixupCount(); f < n; f++)
        {
            if (layout.fixupKind(f) == SegmentLayout.FIXUP_UDP && layout.fixupChecksum(f))
            {
                return true;
            }
        }
        return false;
    }

    private int sumPayload(final int slot, final SegmentLayout layout)
    {
        final int first = headLength[slot] - layout.headerLength();
        int sum = CopySum.sum(buffer, headOffset[slot] + layout.headerLength(), first);
        int position = first;
        final int[] offsets = fragmentOffsets;
        final int[] lengths = fragmentLengths;
        for (int i = slot * MAX_SEGMENTS, end = i + segments[slot] - 1; i < end; i++)
        {
            sum = Checksums.add(sum, CopySum.align(CopySum.sum(buffer, offsets[i], lengths[i]), (position & 1) != 0));
            position += lengths[i];
        }
        return sum;
    }

    private void passThrough(final PacketDescriptor packet)
    {
        final CoalescedFrame f = frame;
        f.buffer = buffer;
        f.headOffset = packet.offset();
        f.headBufferId = packet.bufferId();
        f.headLength = packet.length();
        f.fragmentCount = 0;
        f.segmentCount = 1;
        f.length = packet.length();
        f.metadata.copyFrom(packet);
        passedThrough++;
        framesOut++;
        handler.onFrame(f);
        if (releaseBuffers)
        {
            pool.release(packet.bufferId());
        }
    }

    /**
     * @return the buffer segments are read from (the pool's view).
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }
}
