package io.vfplane.vf;

import io.vfplane.dataplane.text.AddressText;

/**
 * Text forms of MAC and IPv4 addresses for configuration and {@code show} output (never on the data path).
 */
public final class Macs
{
    private Macs()
    {
    }

    /**
     * @param text {@code aa:bb:cc:dd:ee:ff} (or with dashes).
     * @return the MAC as the low 48 bits of a long.
     * @throws IllegalArgumentException when it is not six hex octets.
     */
    public static long parse(final String text)
    {
        final String[] parts = text.split("[:-]", -1);
        if (parts.length != 6)
        {
            throw new IllegalArgumentException("not a MAC address (six hex octets): " + text);
        }
        long mac = 0;
        for (final String part : parts)
        {
            if (part.isEmpty() || part.length() > 2)
            {
                throw new IllegalArgumentException("not a MAC address (six hex octets): " + text);
            }
            try
            {
                mac = (mac << 8) | Integer.parseInt(part, 16);
            }
            catch (final NumberFormatException e)
            {
                throw new IllegalArgumentException("not a MAC address (six hex octets): " + text, e);
            }
        }
        return mac;
    }

    public static String format(final long mac)
    {
        final StringBuilder sb = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8)
        {
            final int octet = (int)(mac >>> shift) & 0xFF;
            sb.append(Character.forDigit(octet >>> 4, 16)).append(Character.forDigit(octet & 0xF, 16));
            if (shift != 0)
            {
                sb.append(':');
            }
        }
        return sb.toString();
    }

    /**
     * @return the dotted quad as an int (first octet highest).
     * @throws IllegalArgumentException when it is not a dotted quad.
     */
    public static int parseIpv4(final String text)
    {
        final String[] parts = text.split("\\.", -1);
        if (parts.length != 4)
        {
            throw new IllegalArgumentException("not an IPv4 address: " + text);
        }
        int address = 0;
        for (final String part : parts)
        {
            final int octet;
            try
            {
                octet = Integer.parseInt(part);
            }
            catch (final NumberFormatException e)
            {
                throw new IllegalArgumentException("not an IPv4 address: " + text, e);
            }
            if (octet < 0 || octet > 255 || part.isEmpty() || part.length() > 3)
            {
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            }
            address = (address << 8) | octet;
        }
        return address;
    }

    public static String formatIpv4(final int address)
    {
        return (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." +
            (address & 0xFF);
    }

    /**
     * @return the IPv6 literal as two longs, its high and low half (network order).
     * @throws IllegalArgumentException when it is not an IPv6 literal.
     */
    public static long[] parseIpv6(final String text)
    {
        final byte[] b;
        try
        {
            b = java.net.Inet6Address.ofLiteral(text).getAddress();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("not an IPv6 address: " + text, ex);
        }
        return new long[]{halfOf(b, 0), halfOf(b, 8)};
    }

    private static long halfOf(final byte[] b, final int from)
    {
        long v = 0;
        for (int i = from; i < from + 8; i++)
        {
            v = v << 8 | (b[i] & 0xFF);
        }
        return v;
    }

    /** The IPv6 address {@code high:low} as text, in RFC 5952's canonical form ({@code 2001:db8::7}). */
    public static String formatIpv6(final long high, final long low)
    {
        return AddressText.ipv6(high, low);
    }

    /** Whether the group bit is set (multicast or broadcast). */
    public static boolean isMulticast(final long mac)
    {
        return (mac & 0x0100_0000_0000L) != 0;
    }
}
