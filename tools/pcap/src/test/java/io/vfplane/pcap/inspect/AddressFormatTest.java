package io.vfplane.pcap.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class AddressFormatTest
{
    private static String ipv6(final int... groups)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[18]);
        for (int i = 0; i < 8; i++)
        {
            buffer.putShort(2 + 2 * i, (short)groups[i], java.nio.ByteOrder.BIG_ENDIAN);
        }
        return AddressFormat.ipv6(buffer, 2);
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
        assertEquals("aa:bb:00:01:0f:f0", AddressFormat.mac(buffer, 0));
        assertEquals("170.187.0.1", AddressFormat.ipv4(buffer, 0));
    }
}
