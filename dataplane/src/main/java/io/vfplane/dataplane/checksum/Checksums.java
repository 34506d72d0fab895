package io.vfplane.dataplane.checksum;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * The Internet checksum (RFC 1071) and everything the data path builds on it: IPv4 header checksums, the TCP and UDP
 * checksums over IPv4 and IPv6 with their pseudo headers, and incremental updates after a field rewrite (RFC 1624).
 * Static, allocation free, no exceptions thrown for well-formed arguments.
 *
 * <h2>Two kinds of value</h2>
 * <ul>
 *     <li>A <b>partial sum</b> ({@code int}, read as unsigned 32 bits) is the one's complement sum of 16-bit words,
 *     kept in 32 bits with end-around carry. Partial sums of pieces add with {@link #add(int, int)}; because
 *     2<sup>16</sup> and 2<sup>32</sup> are both 1 modulo 0xFFFF the 32-bit form loses nothing.</li>
 *     <li>A <b>checksum</b> is 16 bits: the one's complement of the folded sum, the value that goes on the wire.
 *     {@link #fold(int)} turns a partial sum into a checksum, {@link #reduce(int)} folds without complementing.</li>
 * </ul>
 *
 * <h2>Byte positions</h2>
 * {@link #sum(DirectBuffer, int, int, int)} treats the first byte of its range as the high byte of a 16-bit word, so
 * a range must start an even number of bytes after the start of the data the checksum covers (the buffer offset
 * itself may be anything, odd offsets included). A piece that starts at an odd position contributes
 * {@link #swapBytes(int)} of its sum: the sum is independent of byte order (RFC 1071 section 2(B)).
 *
 * <h2>Zero UDP checksums</h2>
 * Over IPv4 a UDP checksum of 0 means "none was computed" (RFC 768), so a computed 0 is sent as 0xFFFF and a
 * received 0 is accepted without verification. Over IPv6 a zero UDP checksum is not allowed (RFC 8200 section 8.1)
 * and the packet must be dropped, with one exception: tunnel protocols (VXLAN, Geneve and similar) may send and
 * accept 0 under the conditions of RFC 6935 and RFC 6936. That is a per-tunnel decision, so these methods do not
 * make it: {@link #verifyL4} reports a zero UDP checksum over IPv6 as bad, and a decapsulator that allows zero
 * checksums on its tunnel checks {@link #isUdpChecksumAbsent(DirectBuffer, int)} first.
 */
public final class Checksums
{
    /** IP protocol number of TCP. */
    public static final int PROTOCOL_TCP = 6;
    /** IP protocol number of UDP. */
    public static final int PROTOCOL_UDP = 17;
    /** IP protocol number of ICMPv6, whose checksum covers the IPv6 pseudo header as TCP's and UDP's do. */
    public static final int PROTOCOL_ICMPV6 = 58;

    /** Returned by the L4 methods for a protocol whose checksum they do not know. */
    public static final int NO_CHECKSUM = -1;

    /** Offset of the checksum within the TCP header. */
    public static final int TCP_CHECKSUM_OFFSET = 16;
    /** Offset of the checksum within the UDP header. */
    public static final int UDP_CHECKSUM_OFFSET = 6;
    /** Offset of the checksum within the ICMPv6 header. */
    public static final int ICMPV6_CHECKSUM_OFFSET = 2;

    /** Offset of the header checksum within the IPv4 header. */
    public static final int IPV4_CHECKSUM_OFFSET = 10;
    static final int IPV4_VERSION_IHL_OFFSET = 0;
    static final int IPV4_SOURCE_OFFSET = 12;
    static final int IPV4_DESTINATION_OFFSET = 16;
    static final int IPV6_SOURCE_OFFSET = 8;
    /** Source and destination address, back to back. */
    static final int IPV6_ADDRESSES_LENGTH = 32;

    private static final long LOW_32 = 0xFFFF_FFFFL;
    private static final int LOW_16 = 0xFFFF;

    private Checksums()
    {
    }

    // ------------------------------------------------------------------------------------------------------------
    // RFC 1071 core
    // ------------------------------------------------------------------------------------------------------------

    /**
     * One's complement sum of the 16-bit big-endian words of a byte range, added to {@code initial}. An odd last
     * byte is padded with a zero byte on its right, as RFC 1071 says.
     *
     * @param buffer  the bytes.
     * @param offset  where the range starts in the buffer (any alignment).
     * @param length  bytes in the range, zero or more.
     * @param initial partial sum to add to, 0 to start afresh.
     * @return the partial sum (32 bits, unsigned).
     */
    public static int sum(final DirectBuffer buffer, final int offset, final int length, final int initial)
    {
        // Each 8-byte read is split into two 32-bit halves added to a 64-bit accumulator: no carry has to be
        // tracked per step, and the accumulator cannot overflow before 2^31 steps (16 GiB), far more than an int
        // length allows. The carries are folded back once at the end.
        long acc = initial & LOW_32;
        int i = offset;
        final int end = offset + length;
        final int longEnd = end - 7;
        for (; i < longEnd; i += 8)
        {
            final long word = buffer.getLong(i, BIG_ENDIAN);
            acc += (word >>> 32) + (word & LOW_32);
        }
        if (end - i >= 4)
        {
            acc += buffer.getInt(i, BIG_ENDIAN) & LOW_32;
            i += 4;
        }
        if (end - i >= 2)
        {
            acc += buffer.getShort(i, BIG_ENDIAN) & LOW_16;
            i += 2;
        }
        if (i < end)
        {
            acc += (buffer.getByte(i) & 0xFF) << 8;
        }
        return fold64(acc);
    }

    /**
     * Adds two partial sums with end-around carry.
     *
     * @param a a partial sum.
     * @param b another partial sum.
     * @return their one's complement sum (32 bits, unsigned).
     */
    public static int add(final int a, final int b)
    {
        final long s = (a & LOW_32) + (b & LOW_32);
        return (int)(s + (s >>> 32));
    }

    /**
     * Folds a partial sum to 16 bits without complementing it: the "sum" of RFC 1071 (0xddf2 in its example).
     *
     * @param sum a partial sum.
     * @return the 16-bit one's complement sum; 0 only if every word summed was 0.
     */
    public static int reduce(final int sum)
    {
        int s = (sum >>> 16) + (sum & LOW_16);
        s = (s >>> 16) + (s & LOW_16);
        return s;
    }

    /**
     * Folds a partial sum to 16 bits and complements it: the checksum to write.
     *
     * @param sum a partial sum.
     * @return the checksum, 0..0xFFFF.
     */
    public static int fold(final int sum)
    {
        return ~reduce(sum) & LOW_16;
    }

    /**
     * Swaps the two bytes of each 16-bit half of a partial sum: the contribution of a piece that starts at an odd
     * position of the checksummed data, given the sum computed as if it started at an even one.
     *
     * @param sum a partial sum.
     * @return the 16-bit sum with its bytes swapped.
     */
    public static int swapBytes(final int sum)
    {
        final int s = reduce(sum);
        return ((s & 0xFF) << 8) | (s >>> 8);
    }

    // ------------------------------------------------------------------------------------------------------------
    // IPv4 header
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Computes the IPv4 header checksum over IHL * 4 bytes, the checksum field counted as 0. The caller has checked
     * that IHL is at least 5 and that the header fits in the buffer.
     *
     * @param buffer   holding the header.
     * @param ipOffset where the IPv4 header starts.
     * @return the checksum to put in the header.
     */
    public static int ipv4HeaderChecksum(final DirectBuffer buffer, final int ipOffset)
    {
        final int headerLength = (buffer.getByte(ipOffset + IPV4_VERSION_IHL_OFFSET) & 0x0F) << 2;
        final int afterChecksum = IPV4_CHECKSUM_OFFSET + 2;
        final int s = sum(buffer, ipOffset, IPV4_CHECKSUM_OFFSET, 0);
        return fold(sum(buffer, ipOffset + afterChecksum, headerLength - afterChecksum, s));
    }

    /**
     * Computes the IPv4 header checksum and writes it into the header.
     *
     * @param buffer   holding the header.
     * @param ipOffset where the IPv4 header starts.
     */
    public static void writeIpv4HeaderChecksum(final MutableDirectBuffer buffer, final int ipOffset)
    {
        buffer.putShort(ipOffset + IPV4_CHECKSUM_OFFSET, (short)ipv4HeaderChecksum(buffer, ipOffset), BIG_ENDIAN);
    }

    /**
     * Checks a received IPv4 header: the sum over the whole header, checksum included, must be 0xFFFF.
     *
     * @param buffer   holding the header.
     * @param ipOffset where the IPv4 header starts.
     * @return true if the checksum is right.
     */
    public static boolean verifyIpv4Header(final DirectBuffer buffer, final int ipOffset)
    {
        final int headerLength = (buffer.getByte(ipOffset + IPV4_VERSION_IHL_OFFSET) & 0x0F) << 2;
        return reduce(sum(buffer, ipOffset, headerLength, 0)) == LOW_16;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Pseudo headers
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Partial sum of the IPv4 pseudo header (RFC 793 section 3.1, RFC 768): source and destination address, a zero
     * byte, the protocol and the 16-bit L4 length.
     *
     * <pre>
     *  0      7 8     15 16    23 24    31
     * +--------+--------+--------+--------+
     * |          source address           |
     * +--------+--------+--------+--------+
     * |        destination address        |
     * +--------+--------+--------+--------+
     * |  zero  |protocol|    L4 length    |
     * +--------+--------+--------+--------+
     * </pre>
     *
     * @param buffer   holding the IPv4 header.
     * @param ipOffset where the IPv4 header starts.
     * @param protocol the protocol number.
     * @param l4Length length of the L4 header plus payload in bytes.
     * @return the partial sum.
     */
    public static int ipv4PseudoHeaderSum(
        final DirectBuffer buffer, final int ipOffset, final int protocol, final int l4Length)
    {
        final long source = buffer.getInt(ipOffset + IPV4_SOURCE_OFFSET, BIG_ENDIAN) & LOW_32;
        final long destination = buffer.getInt(ipOffset + IPV4_DESTINATION_OFFSET, BIG_ENDIAN) & LOW_32;
        return fold64(source + destination + (protocol & 0xFF) + (l4Length & LOW_16));
    }

    /**
     * Partial sum of the IPv6 pseudo header (RFC 8200 section 8.1): source and destination address, the 32-bit
     * upper-layer packet length, three zero bytes and the next header value of the upper-layer protocol (not that
     * of the IPv6 header when extension headers come between).
     *
     * <pre>
     * +-----------------------------------------------+
     * |              source address (128)             |
     * +-----------------------------------------------+
     * |           destination address (128)           |
     * +-----------------------------------------------+
     * |           upper-layer packet length (32)      |
     * +-----------------------------------+-----------+
     * |             zero (24)             | next hdr  |
     * +-----------------------------------+-----------+
     * </pre>
     *
     * The addresses are read from the IPv6 header; a Routing header would make the final destination differ, which
     * this method does not look for.
     *
     * @param buffer     holding the IPv6 header.
     * @param ipOffset   where the IPv6 header starts.
     * @param nextHeader the upper-layer protocol.
     * @param l4Length   upper-layer packet length in bytes (32 bits: jumbograms, BIG TCP).
     * @return the partial sum.
     */
    public static int ipv6PseudoHeaderSum(
        final DirectBuffer buffer, final int ipOffset, final int nextHeader, final int l4Length)
    {
        final int addresses = sum(buffer, ipOffset + IPV6_SOURCE_OFFSET, IPV6_ADDRESSES_LENGTH, 0);
        return fold64((addresses & LOW_32) + (l4Length & LOW_32) + (nextHeader & 0xFF));
    }

    // ------------------------------------------------------------------------------------------------------------
    // TCP, UDP (and ICMPv6) checksums
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Where a protocol keeps its checksum in its header.
     *
     * @param protocol IP protocol number.
     * @return the offset, or {@link #NO_CHECKSUM} if the protocol has no pseudo-header checksum known here.
     */
    public static int l4ChecksumOffset(final int protocol)
    {
        return switch (protocol)
        {
            case PROTOCOL_TCP -> TCP_CHECKSUM_OFFSET;
            case PROTOCOL_UDP -> UDP_CHECKSUM_OFFSET;
            case PROTOCOL_ICMPV6 -> ICMPV6_CHECKSUM_OFFSET;
            default -> NO_CHECKSUM;
        };
    }

    /**
     * Computes the TCP or UDP checksum over IPv4 or IPv6 (chosen by the version nibble at {@code ipOffset}), the
     * checksum field counted as 0. A UDP result of 0 is returned as 0xFFFF over both versions (RFC 768; over IPv6
     * 0 is not allowed at all). The caller has checked that the L4 bytes lie in the buffer and
     * {@code l4Length} covers at least the checksum field.
     *
     * @param buffer   holding the packet.
     * @param ipOffset where the IP header starts.
     * @param l4Offset where the L4 header starts.
     * @param l4Length L4 header plus payload in bytes.
     * @param protocol {@link #PROTOCOL_TCP}, {@link #PROTOCOL_UDP} or {@link #PROTOCOL_ICMPV6}.
     * @return the checksum to write, or {@link #NO_CHECKSUM} for another protocol or IP version.
     */
    public static int l4Checksum(
        final DirectBuffer buffer, final int ipOffset, final int l4Offset, final int l4Length, final int protocol)
    {
        final int fieldOffset = l4ChecksumOffset(protocol);
        final int version = ipVersion(buffer, ipOffset);
        if (fieldOffset == NO_CHECKSUM || (version != 4 && version != 6))
        {
            return NO_CHECKSUM;
        }
        final int pseudo = pseudoHeaderSum(buffer, ipOffset, version, protocol, l4Length);
        final int afterField = fieldOffset + 2;
        int s = sum(buffer, l4Offset, fieldOffset, pseudo);
        s = sum(buffer, l4Offset + afterField, l4Length - afterField, s);
        final int checksum = fold(s);
        return checksum == 0 && protocol == PROTOCOL_UDP ? LOW_16 : checksum;
    }

    /**
     * Computes the L4 checksum as {@link #l4Checksum} does and writes it into the L4 header.
     *
     * @param buffer   holding the packet.
     * @param ipOffset where the IP header starts.
     * @param l4Offset where the L4 header starts.
     * @param l4Length L4 header plus payload in bytes.
     * @param protocol {@link #PROTOCOL_TCP}, {@link #PROTOCOL_UDP} or {@link #PROTOCOL_ICMPV6}.
     * @return true if written, false (nothing written) for a protocol or IP version not known here.
     */
    public static boolean writeL4Checksum(
        final MutableDirectBuffer buffer,
        final int ipOffset,
        final int l4Offset,
        final int l4Length,
        final int protocol)
    {
        final int checksum = l4Checksum(buffer, ipOffset, l4Offset, l4Length, protocol);
        if (checksum == NO_CHECKSUM)
        {
            return false;
        }
        buffer.putShort(l4Offset + l4ChecksumOffset(protocol), (short)checksum, BIG_ENDIAN);
        return true;
    }

    /**
     * Checks a received TCP, UDP or ICMPv6 checksum: pseudo header plus L4 bytes, checksum included, must sum to
     * 0xFFFF. A zero UDP checksum over IPv4 means none was sent and is accepted (RFC 768); over IPv6 it is reported
     * as bad (RFC 8200), see the class comment for tunnels.
     *
     * @param buffer   holding the packet.
     * @param ipOffset where the IP header starts.
     * @param l4Offset where the L4 header starts.
     * @param l4Length L4 header plus payload in bytes.
     * @param protocol {@link #PROTOCOL_TCP}, {@link #PROTOCOL_UDP} or {@link #PROTOCOL_ICMPV6}.
     * @return true if the checksum is right (or absent where that is allowed); false if wrong, or for a protocol or
     * IP version not known here.
     */
    public static boolean verifyL4(
        final DirectBuffer buffer, final int ipOffset, final int l4Offset, final int l4Length, final int protocol)
    {
        final int version = ipVersion(buffer, ipOffset);
        if (l4ChecksumOffset(protocol) == NO_CHECKSUM || (version != 4 && version != 6))
        {
            return false;
        }
        if (protocol == PROTOCOL_UDP && isUdpChecksumAbsent(buffer, l4Offset))
        {
            return version == 4;
        }
        final int pseudo = pseudoHeaderSum(buffer, ipOffset, version, protocol, l4Length);
        return reduce(sum(buffer, l4Offset, l4Length, pseudo)) == LOW_16;
    }

    /**
     * Whether a UDP header carries the checksum 0, "none computed" over IPv4 and over IPv6 tunnels that allow it
     * (RFC 6935, RFC 6936).
     *
     * @param buffer    holding the UDP header.
     * @param udpOffset where the UDP header starts.
     * @return true if the checksum field is 0.
     */
    public static boolean isUdpChecksumAbsent(final DirectBuffer buffer, final int udpOffset)
    {
        return buffer.getShort(udpOffset + UDP_CHECKSUM_OFFSET, BIG_ENDIAN) == 0;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Incremental update, RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m')
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Updates a checksum after one 16-bit word of the covered data changed (RFC 1624 eqn. 3), for example the
     * TTL/protocol word of an IPv4 header or a port.
     *
     * @param oldChecksum the checksum before the change.
     * @param oldValue    the 16-bit word before.
     * @param newValue    the 16-bit word after.
     * @return the new checksum.
     */
    public static int update16(final int oldChecksum, final int oldValue, final int newValue)
    {
        final int s = (~oldChecksum & LOW_16) + (~oldValue & LOW_16) + (newValue & LOW_16);
        return ~reduce(s) & LOW_16;
    }

    /**
     * Updates a checksum after a 32-bit field (two aligned 16-bit words) of the covered data changed, for example
     * an IPv4 address, which is also in the TCP/UDP pseudo header.
     *
     * @param oldChecksum the checksum before the change.
     * @param oldValue    the 32-bit field before.
     * @param newValue    the 32-bit field after.
     * @return the new checksum.
     */
    public static int update32(final int oldChecksum, final int oldValue, final int newValue)
    {
        final int s = (~oldChecksum & LOW_16) +
            (~oldValue >>> 16) + (~oldValue & LOW_16) +
            (newValue >>> 16) + (newValue & LOW_16);
        return ~reduce(s) & LOW_16;
    }

    /**
     * Updates a checksum after a range of the covered data changed, given the partial sums of the range before and
     * after (from {@link #sum}). If the range starts at an odd position of the covered data, pass both sums through
     * {@link #swapBytes(int)} first.
     *
     * @param oldChecksum the checksum before the change.
     * @param oldRangeSum partial sum of the range before.
     * @param newRangeSum partial sum of the range after.
     * @return the new checksum.
     */
    public static int updateRange(final int oldChecksum, final int oldRangeSum, final int newRangeSum)
    {
        final int s = (~oldChecksum & LOW_16) + (~reduce(oldRangeSum) & LOW_16) + reduce(newRangeSum);
        return ~reduce(s) & LOW_16;
    }

    /**
     * {@link #update16} for a UDP checksum over IPv4: a 0 ("none") stays 0, and a result of 0 is sent as 0xFFFF.
     *
     * @param oldChecksum the checksum before the change.
     * @param oldValue    the 16-bit word before.
     * @param newValue    the 16-bit word after.
     * @return the new checksum.
     */
    public static int updateUdp16(final int oldChecksum, final int oldValue, final int newValue)
    {
        if (oldChecksum == 0)
        {
            return 0;
        }
        final int checksum = update16(oldChecksum, oldValue, newValue);
        return checksum == 0 ? LOW_16 : checksum;
    }

    /**
     * {@link #update32} for a UDP checksum over IPv4: a 0 ("none") stays 0, and a result of 0 is sent as 0xFFFF.
     *
     * @param oldChecksum the checksum before the change.
     * @param oldValue    the 32-bit field before.
     * @param newValue    the 32-bit field after.
     * @return the new checksum.
     */
    public static int updateUdp32(final int oldChecksum, final int oldValue, final int newValue)
    {
        if (oldChecksum == 0)
        {
            return 0;
        }
        final int checksum = update32(oldChecksum, oldValue, newValue);
        return checksum == 0 ? LOW_16 : checksum;
    }

    // ------------------------------------------------------------------------------------------------------------

    private static int pseudoHeaderSum(
        final DirectBuffer buffer, final int ipOffset, final int version, final int protocol, final int l4Length)
    {
        return version == 4 ?
            ipv4PseudoHeaderSum(buffer, ipOffset, protocol, l4Length) :
            ipv6PseudoHeaderSum(buffer, ipOffset, protocol, l4Length);
    }

    private static int ipVersion(final DirectBuffer buffer, final int ipOffset)
    {
        return (buffer.getByte(ipOffset) & 0xF0) >>> 4;
    }

    private static int fold64(final long acc)
    {
        long s = (acc >>> 32) + (acc & LOW_32);
        s = (s >>> 32) + (s & LOW_32);
        return (int)s;
    }
}
