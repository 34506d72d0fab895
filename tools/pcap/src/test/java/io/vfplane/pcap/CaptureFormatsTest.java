package io.vfplane.pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Byte orders, magics, sections, interfaces and timestamp resolutions the corpus does not cover, built by hand and
 * checked against tshark.
 */
class CaptureFormatsTest
{
    @TempDir
    Path tmp;

    @Test
    void shouldReadBigEndianMicroAndNanoPcapLikeTshark() throws Exception
    {
        for (final boolean nanos : new boolean[]{false, true})
        {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(TestCaptures.pcapHeader(true, nanos, 1, 65535));
            out.writeBytes(TestCaptures.pcapRecord(true, 1_700_000_000, nanos ? 123_456_789 : 123_456,
                TestCaptures.ethernetFrame(60, 1), 60));
            out.writeBytes(TestCaptures.pcapRecord(true, 1_700_000_001, nanos ? 999_999_999 : 999_999,
                TestCaptures.ethernetFrame(40, 2), 1500));
            final Path file = tmp.resolve("be-" + nanos + ".pcap");
            Files.write(file, out.toByteArray());
            assertEquals(tshark(file), ours(file), "nanos=" + nanos);
            try (CaptureCursor cursor = CaptureReader.open(file))
            {
                assertEquals(nanos ? CaptureFormat.PCAP_NANOS : CaptureFormat.PCAP_MICROS, cursor.format());
                assertTrue(cursor.next());
                final byte[] bytes = new byte[cursor.capturedLength()];
                cursor.buffer().getBytes(cursor.offset(), bytes);
                assertArrayEquals(TestCaptures.ethernetFrame(60, 1), bytes);
            }
        }
    }

    @Test
    void shouldReadPcapngSectionsOfBothByteOrdersWithSeveralInterfacesLikeTshark() throws Exception
    {
        final byte[] ipv6Packet = new byte[40];
        ipv6Packet[0] = 0x60;
        ipv6Packet[6] = 59;
        ipv6Packet[7] = 64;
        final TestCaptures.Pcapng pcapng = new TestCaptures.Pcapng()
            .section(false)
            .iface(1, -1)
            .iface(229, 9)
            .epb(0, 1_700_000_000_123_456L, TestCaptures.ethernetFrame(64, 3), 64)
            .unknown(0x0BAD)
            .epb(1, 1_700_000_000_987_654_321L, ipv6Packet, 40)
            .section(true)
            .iface(101, 0x80 | 20)
            .iface(1, 3)
            .epb(1, 1_700_000_002_500L, TestCaptures.ethernetFrame(80, 4), 1514)
            .epb(0, (1_700_000_003L << 20) | (1 << 19), ipv6Packet, 40)
            .unknown(0x80000001)
            .section(true)
            .iface(1, 6);
        final Path file = tmp.resolve("sections.pcapng");
        Files.write(file, pcapng.bytes());
        assertEquals(tshark(file), ours(file));

        final List<String> interfaces = new ArrayList<>();
        try (CaptureCursor cursor = CaptureReader.open(file))
        {
            while (cursor.next())
            {
                interfaces.add(cursor.interfaceId() + ":" + cursor.linkType());
            }
            assertNull(cursor.error());
        }
        assertEquals(List.of("0:1", "1:229", "1:1", "0:101"), interfaces);
    }

    @Test
    void shouldReadSimplePacketBlocksWithTheirLength() throws Exception
    {
        final Path file = tmp.resolve("spb.pcapng");
        Files.write(file, new TestCaptures.Pcapng().section(true).iface(1, -1)
            .spb(TestCaptures.ethernetFrame(61, 5)).spb(TestCaptures.ethernetFrame(62, 6)).bytes());
        final List<String> theirs = Tshark.run("-r", file.toString(), "-T", "fields", "-e", "frame.cap_len",
            "-e", "frame.len");
        final List<String> ours = new ArrayList<>();
        try (CaptureCursor cursor = CaptureReader.open(file))
        {
            while (cursor.next())
            {
                ours.add(cursor.capturedLength() + "\t" + cursor.originalLength());
            }
        }
        assertEquals(theirs, ours);
        assertEquals(List.of("61\t61", "62\t62"), ours);
    }

    @Test
    void shouldReportUnsupportedLinkTypeOfPcapngInterface() throws Exception
    {
        final Path file = tmp.resolve("wifi.pcapng");
        Files.write(file, new TestCaptures.Pcapng().section(false).iface(1, -1)
            .epb(0, 1, TestCaptures.ethernetFrame(60, 1), 60).iface(105, -1).bytes());
        try (CaptureCursor cursor = CaptureReader.open(file))
        {
            assertTrue(cursor.next());
            assertFalse(cursor.next());
            assertEquals(CaptureError.Kind.UNSUPPORTED_LINK_TYPE, cursor.error().kind());
            assertTrue(cursor.error().message().contains("link type 105 (IEEE802_11) is not supported"),
                cursor.error().message());
        }
    }

    @Test
    void shouldConvertBinaryAndDecimalResolutions()
    {
        assertEquals(1_500_000_000L, PcapngFileCursor.toNanos(3L << 29, 0x80 | 30));
        assertEquals(1_000_000_001L, PcapngFileCursor.toNanos(1_000_000_001L, 9));
        assertEquals(1_000_000_000L, PcapngFileCursor.toNanos(1_000_000_000_123L, 12));
        assertEquals(2_000L, PcapngFileCursor.toNanos(2L, 6));
        assertEquals(7_000_000_000L, PcapngFileCursor.toNanos(7L, 0x80));
    }

    private static List<String> tshark(final Path file)
    {
        // tshark 4.0 shows some unknown pcapng blocks (here type 0x0BAD) as records without a timestamp; a capture
        // reader skips them, so those rows are left out of the comparison.
        return Tshark.run("-r", file.toString(), "-T", "fields", "-e", "frame.time_epoch", "-e", "frame.cap_len",
            "-e", "frame.len").stream()
            .filter(l -> !l.startsWith("\t"))
            .map(l -> l.split("\t"))
            .map(f -> Tshark.epochNanos(f[0]) + "\t" + f[1] + "\t" + f[2])
            .toList();
    }

    private static List<String> ours(final Path file) throws CaptureException
    {
        final List<String> ours = new ArrayList<>();
        try (CaptureCursor cursor = CaptureReader.open(file))
        {
            while (cursor.next())
            {
                ours.add(cursor.timestampNanos() + "\t" + cursor.capturedLength() + "\t" + cursor.originalLength());
            }
            assertNull(cursor.error());
        }
        return ours;
    }
}
