package io.vfplane.pcap.inspect;

import org.agrona.DirectBuffer;

/**
 * Text forms of addresses read straight from a buffer: MAC addresses lower case with colons, IPv4 dotted quad, IPv6
 * in the RFC 5952 canonical compressed form (written here because {@code InetAddress} does not compress per RFC 5952).
 */
public final class AddressFormat
{
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final int IPV6_GROUPS = 8;

    private AddressFormat()
    {
    }

    /**
     * @param buffer holding the address.
     * @param offset first byte.
     * @return e.g. {@code "02:42:ac:11:00:02"}.
     */
    public static String mac(final DirectBuffer buffer, final int offset)
    {
        final StringBuilder sb = new StringBuilder(17);
        for (int i = 0; i < 6; i++)
        {
            if (i > 0)
            {
                sb.append(':');
            }
            final int b = buffer.getByte(offset + i) & 0xFF;
            sb.append(HEX[b >>> 4]).append(HEX[b & 0xF]);
        }
        return sb.toString();
    }

    /**
     * @param buffer holding the address.
     * @param offset first byte.
     * @return e.g. {@code "192.0.2.1"}.
     */
    public static String ipv4(final DirectBuffer buffer, final int offset)
    {
        final StringBuilder sb = new StringBuilder(15);
        appendIpv4(sb, buffer, offset);
        return sb.toString();
    }

    private static void appendIpv4(final StringBuilder sb, final DirectBuffer buffer, final int offset)
    {
        for (int i = 0; i < 4; i++)
        {
            if (i > 0)
            {
                sb.append('.');
            }
            sb.append(buffer.getByte(offset + i) & 0xFF);
        }
    }

    /**
     * RFC 5952 section 4: leading zeros of each group dropped, the longest run of two or more zero groups (the first
     * of equal runs) replaced by "::", lower case hex. Section 5: IPv4-mapped addresses end in dotted decimal.
     *
     * @param buffer holding the address.
     * @param offset first byte.
     * @return e.g. {@code "2001:db8::1"}.
     */
    public static String ipv6(final DirectBuffer buffer, final int offset)
    {
        final int[] groups = new int[IPV6_GROUPS];
        for (int i = 0; i < IPV6_GROUPS; i++)
        {
            groups[i] = ((buffer.getByte(offset + 2 * i) & 0xFF) << 8) | (buffer.getByte(offset + 2 * i + 1) & 0xFF);
        }
        final StringBuilder sb = new StringBuilder(39);
        final boolean ipv4Mapped = groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 &&
            groups[4] == 0 && groups[5] == 0xFFFF;
        if (ipv4Mapped)
        {
            sb.append("::ffff:");
            appendIpv4(sb, buffer, offset + 12);
            return sb.toString();
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < IPV6_GROUPS; )
        {
            if (groups[i] != 0)
            {
                i++;
                continue;
            }
            int j = i;
            while (j < IPV6_GROUPS && groups[j] == 0)
            {
                j++;
            }
            if (j - i > bestLength)
            {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        for (int i = 0; i < IPV6_GROUPS; i++)
        {
            if (i == bestStart)
            {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':')
            {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }
}
