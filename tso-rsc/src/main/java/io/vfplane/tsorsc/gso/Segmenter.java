package io.vfplane.tsorsc.gso;

import io.vfplane.dataplane.packet.Offload;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.tsorsc.CopySum;
import io.vfplane.tsorsc.HeaderFixups;
import io.vfplane.tsorsc.OpaqueFieldWriter;
import io.vfplane.tsorsc.SegmentLayout;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * Cuts one large frame (TCP up to 64 KiB or BIG TCP, UDP for GSO) into segments of at most {@code gsoSize} L4
 * payload bytes, following a {@link SegmentLayout}. Per segment:
 * <ul>
 *   <li>the headers are copied (a BIG TCP IPv6 jumbo hop-by-hop header is left out);</li>
 *   <li>every IPv4 header (outer and inner) gets its total length, identification + segment index, and header
 *       checksum; every IPv6 header its payload length; a tunnel's UDP header its length, and its checksum if the
 *       frame had one (0 stays 0);</li>
 *   <li>TCP: sequence number + payload offset; CWR only on the first segment, FIN and PSH only on the last (as the
 *       kernel's {@code tcp_gso_segment}); UDP (GSO_UDP_L4): length;</li>
 *   <li>the L4 checksum is computed in full, or, when asked and the frame is not tunnelled, left partial for a
 *       later offload: the pseudo-header sum in the field and NEEDS_CSUM with csum_start/csum_offset in the
 *       segment's metadata, as a virtio-net device expects;</li>
 *   <li>a declared opaque field is handed to the {@link OpaqueFieldWriter}, if one is set.</li>
 * </ul>
 * The payload is copied and summed in one pass ({@link CopySum}), so full checksums cost no second read; the sums
 * compose into the inner L4 and the outer UDP checksum.
 * <p>
 * One instance per thread; no allocation per frame.
 */
public final class Segmenter
{
    /** The smallest TCP MSS a sender uses (Linux's {@code tcp_min_snd_mss} default). */
    public static final int MIN_TCP_MSS = 48;
    /** The most datagrams in one UDP GSO frame (Linux's {@code UDP_MAX_SEGMENTS} since 6.9). */
    public static final int MAX_UDP_SEGMENTS = 128;

    private static final int IPV6_NEXT_HEADER_OFFSET = 6;
    private static final int UDP_LENGTH_OFFSET = 4;
    private static final int UDP_CHECKSUM_OFFSET = 6;
    private static final int TCP_CHECKSUM_OFFSET = 16;
    private static final int TCP_SEQUENCE_OFFSET = 4;
    private static final int TCP_FLAGS_OFFSET = 13;
    private static final int TCP_FIN = 0x01;
    private static final int TCP_PSH = 0x08;
    private static final int TCP_CWR = 0x80;
    private static final int PROTOCOL_TCP = 6;

    private final PacketDescriptor segment = new PacketDescriptor();
    private OpaqueFieldWriter opaqueWriter;

    /**
     * @param writer rewrites the layout's opaque field per segment; null leaves it as in the frame.
     * @return this.
     */
    public Segmenter opaqueWriter(final OpaqueFieldWriter writer)
    {
        this.opaqueWriter = writer;
        return this;
    }

    /**
     * How many segments a frame makes.
     *
     * @param layout  the frame's layout.
     * @param gsoSize payload bytes per segment.
     * @return at least 1.
     */
    public static int segmentCount(final SegmentLayout layout, final int gsoSize)
    {
        final int payload = layout.payloadLength();
        return payload == 0 ? 1 : (payload + gsoSize - 1) / gsoSize;
    }

    /**
     * Whether a GSO frame's segment size is one a real sender uses: a guest (or anything that writes vnet headers)
     * can ask for any, and a frame of 64 KiB cut into 1-byte TCP segments would cost 65 535 segments.
     *
     * @param l4Protocol 6 (TCP) or 17 (UDP).
     * @param gsoSize    the frame's segment size.
     * @param count      its segment count ({@link #segmentCount}).
     * @return false for a TCP MSS under {@value #MIN_TCP_MSS} or more than {@value #MAX_UDP_SEGMENTS} UDP datagrams.
     */
    public static boolean plausible(final int l4Protocol, final int gsoSize, final int count)
    {
        return l4Protocol == PROTOCOL_TCP ? gsoSize >= MIN_TCP_MSS : count <= MAX_UDP_SEGMENTS;
    }

    /**
     * Segments one frame.
     *
     * @param src             holding the frame.
     * @param frameOffset     where it starts.
     * @param layout          its layout (built from the same bytes).
     * @param gsoSize         L4 payload bytes per segment (the MSS for TCP), at least 1.
     * @param partialChecksum leave the L4 checksum to a later offload (ignored for tunnelled frames, whose outer UDP
     *                        checksum needs the inner one).
     * @param sink            takes the segments.
     * @return segments written, or -1 if the sink ran out of room before the last one.
     */
    public int segment(
        final DirectBuffer src,
        final int frameOffset,
        final SegmentLayout layout,
        final int gsoSize,
        final boolean partialChecksum,
        final SegmentSink sink)
    {
        final int header = layout.headerLength();
        final int payloadStart = frameOffset + layout.inputHeaderLength();
        final int payloadLength = layout.payloadLength();
        final int count = segmentCount(layout, gsoSize);
        final boolean partial = partialChecksum && !layout.isTunnel();
        final MutableDirectBuffer dst = sink.buffer();
        final int l4 = layout.l4Offset();
        final boolean tcp = layout.l4Protocol() == PROTOCOL_TCP;

        segment.resetMetadata();
        segment.headerLength(header);
        if (partial)
        {
            segment.offloadFlags(Offload.FLAG_NEEDS_CSUM)
                .csumStart(l4)
                .csumOffset(tcp ? TCP_CHECKSUM_OFFSET : UDP_CHECKSUM_OFFSET);
        }

        for (int i = 0; i < count; i++)
        {
            final int chunkStart = i * gsoSize;
            final int chunk = Math.min(gsoSize, payloadLength - chunkStart);
            final int length = header + chunk;
            final int out = sink.claim(length);
            if (out < 0)
            {
                return -1;
            }
            copyHeaders(src, frameOffset, layout, dst, out);
            final int payloadSum;
            if (partial)
            {
                dst.putBytes(out + header, src, payloadStart + chunkStart, chunk);
                payloadSum = 0;
            }
            else
            {
                payloadSum = CopySum.copyAndSum(src, payloadStart + chunkStart, dst, out + header, chunk);
            }
            final boolean last = i == count - 1;
            HeaderFixups.setLengths(dst, out, layout, length, i);
            if (tcp)
            {
                final int at = out + l4;
                dst.putInt(at + TCP_SEQUENCE_OFFSET,
                    dst.getInt(at + TCP_SEQUENCE_OFFSET, BIG_ENDIAN) + chunkStart, BIG_ENDIAN);
                int flags = dst.getByte(at + TCP_FLAGS_OFFSET) & 0xFF;
                if (i > 0)
                {
                    flags &= ~TCP_CWR;
                }
                if (!last)
                {
                    flags &= ~(TCP_FIN | TCP_PSH);
                }
                dst.putByte(at + TCP_FLAGS_OFFSET, (byte)flags);
            }
            else
            {
                dst.putShort(out + l4 + UDP_LENGTH_OFFSET, (short)(length - l4), BIG_ENDIAN);
            }
            if (opaqueWriter != null && layout.opaqueOffset() >= 0)
            {
                opaqueWriter.write(dst, out + layout.opaqueOffset(), layout.opaqueLength(), i, count);
            }
            HeaderFixups.writeChecksums(dst, out, layout, length, payloadSum, partial);
            sink.commit(length, segment);
        }
        return count;
    }

    /**
     * Writes only the headers of every segment, for a sender that gathers each segment from its headers written here
     * and its payload left where it is in the frame (one {@code sendmsg} with iovecs: no payload copy in user space).
     * Segment {@code i}'s headers go to {@code out + i * stride}, its payload is
     * {@code frameOffset + layout.inputHeaderLength() + i * gsoSize}, {@code min(gsoSize, rest)} bytes. Lengths,
     * identifications, sequence numbers, flags and every checksum are as {@link #segment} makes them (full L4
     * checksums: the payload is summed in place, read once).
     *
     * @param src         holding the frame.
     * @param frameOffset where it starts.
     * @param layout      its layout; a layout that cuts a header out (BIG TCP jumbo) is not taken.
     * @param gsoSize     L4 payload bytes per segment, at least 1.
     * @param dst         where the headers go (may be {@code src}, outside the frame).
     * @param out         first segment's headers.
     * @param stride      distance between two segments' headers, at least {@code layout.headerLength()}.
     * @return segments written, or -1 when the layout cuts a header or the stride is too short.
     */
    public int segmentHeaders(
        final DirectBuffer src,
        final int frameOffset,
        final SegmentLayout layout,
        final int gsoSize,
        final MutableDirectBuffer dst,
        final int out,
        final int stride)
    {
        final int header = layout.headerLength();
        if (layout.cutLength() != 0 || stride < header)
        {
            return -1;
        }
        final int payloadStart = frameOffset + layout.inputHeaderLength();
        final int payloadLength = layout.payloadLength();
        final int count = segmentCount(layout, gsoSize);
        final int l4 = layout.l4Offset();
        final boolean tcp = layout.l4Protocol() == PROTOCOL_TCP;
        for (int i = 0; i < count; i++)
        {
            final int at = out + i * stride;
            final int chunkStart = i * gsoSize;
            final int chunk = Math.min(gsoSize, payloadLength - chunkStart);
            final int length = header + chunk;
            dst.putBytes(at, src, frameOffset, header);
            final int payloadSum = chunk == 0 ? 0 : CopySum.sum(src, payloadStart + chunkStart, chunk);
            HeaderFixups.setLengths(dst, at, layout, length, i);
            if (tcp)
            {
                fixTcp(dst, at + l4, chunkStart, i, i == count - 1);
            }
            else
            {
                dst.putShort(at + l4 + UDP_LENGTH_OFFSET, (short)(length - l4), BIG_ENDIAN);
            }
            if (opaqueWriter != null && layout.opaqueOffset() >= 0)
            {
                opaqueWriter.write(dst, at + layout.opaqueOffset(), layout.opaqueLength(), i, count);
            }
            HeaderFixups.writeChecksums(dst, at, layout, length, payloadSum, false);
        }
        return count;
    }

    private static void fixTcp(
        final MutableDirectBuffer dst, final int at, final int chunkStart, final int index, final boolean last)
    {
        dst.putInt(at + TCP_SEQUENCE_OFFSET, dst.getInt(at + TCP_SEQUENCE_OFFSET, BIG_ENDIAN) + chunkStart, BIG_ENDIAN);
        int flags = dst.getByte(at + TCP_FLAGS_OFFSET) & 0xFF;
        if (index > 0)
        {
            flags &= ~TCP_CWR;
        }
        if (!last)
        {
            flags &= ~(TCP_FIN | TCP_PSH);
        }
        dst.putByte(at + TCP_FLAGS_OFFSET, (byte)flags);
    }

    private static void copyHeaders(
        final DirectBuffer src, final int frameOffset, final SegmentLayout layout, final MutableDirectBuffer dst,
        final int out)
    {
        final int cut = layout.cutLength();
        if (cut == 0)
        {
            dst.putBytes(out, src, frameOffset, layout.headerLength());
        }
        else
        {
            final int before = layout.cutOffset();
            dst.putBytes(out, src, frameOffset, before);
            dst.putBytes(out + before, src, frameOffset + before + cut, layout.headerLength() - before);
            dst.putByte(out + layout.cutIpv6Offset() + IPV6_NEXT_HEADER_OFFSET, (byte)layout.cutNextHeader());
        }
    }

}
