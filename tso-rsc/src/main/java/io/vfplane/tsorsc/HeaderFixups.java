package io.vfplane.tsorsc;

import io.vfplane.dataplane.checksum.Checksums;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * Applies a {@link SegmentLayout}'s fixups to a frame whose headers were copied from a template: used by the
 * segmenter for each segment and by the coalescer for each merged frame, the same code both ways, so a
 * segment-then-coalesce round trip gives back the original bytes.
 */
public final class HeaderFixups
{
    private static final int IPV4_TOTAL_LENGTH_OFFSET = 2;
    private static final int IPV4_ID_OFFSET = 4;
    private static final int IPV6_PAYLOAD_LENGTH_OFFSET = 4;
    private static final int IPV6_HEADER_LENGTH = 40;
    private static final int UDP_LENGTH_OFFSET = 4;
    private static final int UDP_CHECKSUM_OFFSET = 6;
    private static final int TCP_CHECKSUM_OFFSET = 16;
    private static final int PROTOCOL_TCP = 6;
    private static final int PROTOCOL_UDP = 17;

    private HeaderFixups()
    {
    }

    /**
     * Sets every IP and tunnel UDP length for a frame of {@code length} bytes and adds {@code index} to each IPv4
     * identification.
     *
     * @param dst    holding the frame.
     * @param out    where it starts.
     * @param layout its layout.
     * @param length its length.
     * @param index  added to the IPv4 identifications (the segment index; 0 leaves them).
     */
    public static void setLengths(
        final MutableDirectBuffer dst, final int out, final SegmentLayout layout, final int length, final int index)
    {
        for (int f = 0, n = layout.fixupCount(); f < n; f++)
        {
            final int rel = layout.fixupOffset(f);
            final int at = out + rel;
            switch (layout.fixupKind(f))
            {
                case SegmentLayout.FIXUP_IPV4:
                    dst.putShort(at + IPV4_TOTAL_LENGTH_OFFSET, (short)(length - rel), BIG_ENDIAN);
                    if (index != 0)
                    {
                        dst.putShort(at + IPV4_ID_OFFSET,
                            (short)(dst.getShort(at + IPV4_ID_OFFSET, BIG_ENDIAN) + index), BIG_ENDIAN);
                    }
                    break;
                case SegmentLayout.FIXUP_IPV6:
                    dst.putShort(at + IPV6_PAYLOAD_LENGTH_OFFSET, (short)(length - rel - IPV6_HEADER_LENGTH),
                        BIG_ENDIAN);
                    break;
                default:
                    dst.putShort(at + UDP_LENGTH_OFFSET, (short)(length - rel), BIG_ENDIAN);
                    break;
            }
        }
    }

    /**
     * Writes the checksums from the inside out (the inner L4 checksum is covered by a tunnel's UDP checksum): L4,
     * then each IPv4 header and each tunnel UDP header that had a checksum.
     *
     * @param dst        holding the frame; its headers are {@code layout.headerLength()} bytes at {@code out}.
     * @param out        where the frame starts.
     * @param layout     its layout.
     * @param length     frame length.
     * @param payloadSum one's complement sum of the L4 payload (as if it started at an even position).
     * @param partial    leave the pseudo-header sum in the L4 checksum field for a later offload.
     */
    public static void writeChecksums(
        final MutableDirectBuffer dst,
        final int out,
        final SegmentLayout layout,
        final int length,
        final int payloadSum,
        final boolean partial)
    {
        final int header = layout.headerLength();
        final int l4 = layout.l4Offset();
        final int protocol = layout.l4Protocol();
        final int fieldOffset = out + l4 + (protocol == PROTOCOL_TCP ? TCP_CHECKSUM_OFFSET : UDP_CHECKSUM_OFFSET);
        final int pseudo = pseudo(dst, out + layout.l4IpOffset(), protocol, length - l4);
        dst.putShort(fieldOffset, (short)0, BIG_ENDIAN);
        if (partial)
        {
            dst.putShort(fieldOffset, (short)Checksums.reduce(pseudo), BIG_ENDIAN);
        }
        else
        {
            final int s = Checksums.add(Checksums.sum(dst, out + l4, header - l4, pseudo), payloadSum);
            final int checksum = Checksums.fold(s);
            dst.putShort(fieldOffset, (short)(checksum == 0 && protocol == PROTOCOL_UDP ? 0xFFFF : checksum),
                BIG_ENDIAN);
        }
        for (int f = layout.fixupCount() - 1; f >= 0; f--)
        {
            final int rel = layout.fixupOffset(f);
            final int at = out + rel;
            final int kind = layout.fixupKind(f);
            if (kind == SegmentLayout.FIXUP_IPV4)
            {
                Checksums.writeIpv4HeaderChecksum(dst, at);
            }
            else if (kind == SegmentLayout.FIXUP_UDP && layout.fixupChecksum(f))
            {
                // the enclosing IP header is the fixup just before: UDP always follows its IP header directly
                final int ip = out + layout.fixupOffset(f - 1);
                dst.putShort(at + UDP_CHECKSUM_OFFSET, (short)0, BIG_ENDIAN);
                int s = pseudo(dst, ip, PROTOCOL_UDP, length - rel);
                s = Checksums.sum(dst, at, header - rel, s);
                s = Checksums.add(s, CopySum.align(payloadSum, ((header - rel) & 1) != 0));
                final int checksum = Checksums.fold(s);
                dst.putShort(at + UDP_CHECKSUM_OFFSET, (short)(checksum == 0 ? 0xFFFF : checksum), BIG_ENDIAN);
            }
        }
    }

    /**
     * @return the pseudo-header sum for the IP header at {@code ip} (version from its first nibble).
     */
    public static int pseudo(final DirectBuffer buffer, final int ip, final int protocol, final int l4Length)
    {
        return ((buffer.getByte(ip) >> 4) & 0x0F) == 4 ?
            Checksums.ipv4PseudoHeaderSum(buffer, ip, protocol, l4Length) :
            Checksums.ipv6PseudoHeaderSum(buffer, ip, protocol, l4Length);
    }
}
