package io.vfplane.dataplane.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class AddressTextTest
{
    private static String ipv6(final int... groups)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[18]);
        for (int i = 0; i < 8; i++)
        {
            buffer.putShort(2 + 2 * i, (short)groups[i], java.nio.ByteOrder.BIG_ENDIAN);
        }
        return AddressText.ipv6(buffer, 2);
    }

    @Test
    void shouldWriteIpv6InRfc5952CanonicalForm()
    {
        assertEquals("2001:db8::1", ipv6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1));
        assertEquals("::", ipv6(0, 0, 0, 0, 0, 0, 0, 0));
        assertEquals("::1", ipv6(0, 0, 0, 0, 0, 0, 0, 1));
        assertEquals("fe80::", ipv6(0xfe80, 0, 0, 0, 0, 0, 0, 0));
        // 4.2.2: a single zero group is not shortened.
        assertEquals("2001:db8:0:1:1:1:1:1", ipv6(0x2001, 0xdb8, 0, 1, 1, 1, 1, 1));
        // 4.2.3: the longest run wins; of equal runs, the first.
        assertEquals("2001:0:0:1::1", ipv6(0x2001, 0, 0, 1, 0, 0, 0, 1));
        assertEquals("2001:db8::1:0:0:1", ipv6(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1));
        // 4.3: lower case; 4.1: no leading zeros.
        assertEquals("2001:db8:aaaa:bbbb:cccc:dddd:eeee:1", ipv6(0x2001, 0x0db8, 0xAAAA, 0xBBBB, 0xCCCC, 0xDDDD,
            0xEEEE, 0x0001));
        // 5: IPv4-mapped addresses end in dotted decimal.
        assertEquals("::ffff:192.0.2.1", ipv6(0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201));
    }

    @Test
    void shouldWriteMacLowerCaseWithColonsAndIpv4DottedQuad()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[]{(byte)0xAA, (byte)0xBB, 0, 1, 0x0F, (byte)0xF0});
        assertEquals("aa:bb:00:01:0f:f0", AddressText.mac(buffer, 0));
        assertEquals("170.187.0.1", AddressText.ipv4(buffer, 0));
    }

    /**
     * The C library's {@code inet_ntop} (through Debian's Python) writes RFC 5952 text too: the same text for random
     * addresses, for addresses with zero runs of every length at every place, and for IPv4-mapped ones.
     */
    @Test
    void shouldWriteIpv6AsTheCLibrarysInetNtopDoes() throws IOException, InterruptedException
    {
        final Random random = new Random(5952);
        final List<long[]> addresses = new ArrayList<>();
        for (int start = 0; start < 8; start++)
        {
            for (int length = 1; start + length <= 8; length++)
            {
                if (start == 0 && length == 6)
                {
                    continue; // the deprecated IPv4-compatible ::a.b.c.d, which the C library still writes dotted
                }
                // groups 1..8, a zero run at [start, start + length)
                long high = 0;
                long low = 0;
                for (int g = 0; g < 8; g++)
                {
                    final long group = g >= start && g < start + length ? 0 : 0x1000L * (g + 1) + g;
                    if (g < 4)
                    {
                        high |= group << (48 - 16 * g);
                    }
                    else
                    {
                        low |= group << (48 - 16 * (g - 4));
                    }
                }
                addresses.add(new long[] {high, low});
            }
        }
        for (int i = 0; i < 200; i++)
        {
            // random groups, each zero with a fair chance so runs of zeros are common
            long high = 0;
            long low = 0;
            for (int g = 0; g < 4; g++)
            {
                high = high << 16 | (random.nextInt(3) == 0 ? 0 : random.nextInt(0x10000));
                low = low << 16 | (random.nextInt(3) == 0 ? 0 : random.nextInt(0x10000));
            }
            if (high != 0 || (low >>> 32) != 0)
            {
                addresses.add(new long[] {high, low});
            }
        }
        addresses.add(new long[] {0, 0xFFFF_C000_0201L});
        addresses.add(new long[] {0, 0});
        addresses.add(new long[] {0, 1});

        final StringBuilder hex = new StringBuilder();
        for (final long[] a : addresses)
        {
            hex.append(String.format("%016x%016x%n", a[0], a[1]));
        }
        final Process python = new ProcessBuilder("/usr/bin/python3", "-c",
            "import socket, sys\n" +
            "for line in sys.stdin.read().split():\n" +
            "    print(socket.inet_ntop(socket.AF_INET6, bytes.fromhex(line)))\n")
            .redirectErrorStream(true).start();
        python.getOutputStream().write(hex.toString().getBytes(StandardCharsets.US_ASCII));
        python.getOutputStream().close();
        final String[] expected = new String(python.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)
            .trim().split("\n");
        assertTrue(python.waitFor(10, TimeUnit.SECONDS) && python.exitValue() == 0, String.join("\n", expected));
        assertEquals(addresses.size(), expected.length);
        for (int i = 0; i < expected.length; i++)
        {
            final long[] a = addresses.get(i);
            assertEquals(expected[i], AddressText.ipv6(a[0], a[1]),
                HexFormat.of().toHexDigits(a[0]) + HexFormat.of().toHexDigits(a[1]));
        }
    }
}
