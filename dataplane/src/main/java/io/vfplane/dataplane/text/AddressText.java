package io.vfplane.dataplane.text;

import org.agrona.DirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * Text forms of addresses read straight from a buffer: MAC addresses lower case with colons, IPv4 dotted quad, IPv6
 * in the RFC 5952 canonical compressed form (written here because {@code InetAddress} does not compress per RFC 5952).
 * Setup and inspection time only (they allocate a string).
 */
public final class AddressText
{
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final int IPV6_GROUPS = 8;

    private AddressText()
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
        for (int i = 0; i < 4; i++)
        {
            if (i > 0)
            {
                sb.append('.');
            }
            sb.append(buffer.getByte(offset + i) & 0xFF);
        }
        return sb.toString();
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
        return ipv6(buffer.getLong(offset, BIG_ENDIAN), buffer.getLong(offset + 8, BIG_ENDIAN));
    }

    /**
     * As {@link #ipv6(DirectBuffer, int)}, for an address held as two longs in network order.
     *
     * @param high first 8 bytes.
     * @param low  last 8 bytes.
     * @return e.g. {@code "fe80::ff:fe00:a"}.
     */
    public static String ipv6(final long high, final long low)
    {
        final int[] groups = new int[IPV6_GROUPS];
        for (int i = 0; i < IPV6_GROUPS / 2; i++)
        {
            groups[i] = (int)(high >>> (48 - 16 * i)) & 0xFFFF;
            groups[IPV6_GROUPS / 2 + i] = (int)(low >>> (48 - 16 * i)) & 0xFFFF;
        }
        final StringBuilder sb = new StringBuilder(39);
        final boolean ipv4Mapped = high == 0 && (low >>> 32) == 0xFFFF;
        if (ipv4Mapped)
        {
            sb.append("::ffff:");
            for (int i = 0; i < 4; i++)
            {
                if (i > 0)
                {
                    sb.append('.');
                }
                sb.append((low >>> (24 - 8 * i)) & 0xFF);
            }
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
