package io.vfplane.tsorsc;

import io.vfplane.dataplane.checksum.Checksums;
import io.vfplane.dataplane.parse.LayerType;
import io.vfplane.dataplane.parse.LinkType;
import io.vfplane.dataplane.parse.PacketParser;
import io.vfplane.dataplane.parse.ParseResult;
import io.vfplane.dataplane.parse.ParserConfig;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.ByteArrayOutputStream;
import java.util.List;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks a segment on its own: it parses, every IPv4 header checksum, every non-zero UDP checksum and the TCP
 * checksum verify, and every length field matches the frame.
 */
public final class SegmentCheck
{
    public static final ParserConfig CONFIG = new ParserConfig();
    private static final PacketParser PARSER = new PacketParser(CONFIG);

    private SegmentCheck()
    {
    }

    public static ParseResult verify(final byte[] segment)
    {
        final UnsafeBuffer b = new UnsafeBuffer(segment);
        final ParseResult r = new ParseResult();
        int start = 0;
        if (b.getShort(12, BIG_ENDIAN) == 0x0800 && segment[23] == 17 &&
            (b.getShort(36, BIG_ENDIAN) & 0xFFFF) == TestFrames.CUSTOM_PORT)
        {
            // the custom test format: the parser does not know it, check its outer headers here
            assertTrue(Checksums.verifyIpv4Header(b, 14), "outer ipv4 header checksum");
            assertEquals(segment.length - 14, b.getShort(16, BIG_ENDIAN) & 0xFFFF, "outer ipv4 total length");
            assertEquals(segment.length - 34, b.getShort(38, BIG_ENDIAN) & 0xFFFF, "outer udp length");
            assertTrue(Checksums.verifyL4(b, 14, 34, segment.length - 34, 17), "outer udp checksum");
            start = TestFrames.outerLength(TestFrames.Tunnel.CUSTOM4);
        }
        PARSER.parse(b, start, segment.length - start, LinkType.ETHERNET, r);
        assertTrue(r.ok(), () -> "parse: " + r.describe());
        int lastIp = -1;
        for (int i = 0; i < r.layerCount(); i++)
        {
            final int at = r.layerOffset(i);
            switch (r.layerType(i))
            {
                case LayerType.IPV4 ->
                {
                    assertTrue(Checksums.verifyIpv4Header(b, at), "ipv4 header checksum");
                    assertEquals(segment.length - at, b.getShort(at + 2, BIG_ENDIAN) & 0xFFFF, "ipv4 total length");
                    lastIp = at;
                }
                case LayerType.IPV6 ->
                {
                    assertEquals(segment.length - at - 40, b.getShort(at + 4, BIG_ENDIAN) & 0xFFFF, "ipv6 plen");
                    lastIp = at;
                }
                case LayerType.UDP ->
                {
                    assertEquals(segment.length - at, b.getShort(at + 4, BIG_ENDIAN) & 0xFFFF, "udp length");
                    if (!Checksums.isUdpChecksumAbsent(b, at))
                    {
                        assertTrue(Checksums.verifyL4(b, lastIp, at, segment.length - at, 17), "udp checksum");
                    }
                }
                case LayerType.TCP ->
                    assertTrue(Checksums.verifyL4(b, lastIp, at, segment.length - at, 6), "tcp checksum");
                default ->
                {
                }
            }
        }
        return r;
    }

    public static int tcpOffset(final ParseResult r)
    {
        return r.layerOffset(r.lastIndexOf(LayerType.TCP));
    }

    public static byte[] tcpPayloads(final List<byte[]> segments)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] s : segments)
        {
            final ParseResult r = verify(s);
            final int tcp = tcpOffset(r);
            final int dataOffset = ((s[tcp + 12] & 0xF0) >> 4) * 4;
            out.write(s, tcp + dataOffset, s.length - tcp - dataOffset);
        }
        return out.toByteArray();
    }
}
