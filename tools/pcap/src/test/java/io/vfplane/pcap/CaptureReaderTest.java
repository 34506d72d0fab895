package io.vfplane.pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vfplane.dataplane.testsupport.Corpus;

class CaptureReaderTest
{
    @TempDir
    Path tmp;

    @Test
    void shouldReadEveryCorpusCaptureWithFrameCountsOfTheIndex() throws Exception
    {
        final Map<String, Integer> expected = CorpusIndex.frameCounts();
        final List<Path> captures = Corpus.allCaptures();
        assertEquals(expected.size(), captures.size(), "INDEX.md lists every capture");
        for (final Path capture : captures)
        {
            final String name = Corpus.dir().relativize(capture).toString();
            try (CaptureCursor cursor = CaptureReader.open(capture))
            {
                long count = 0;
                while (cursor.next())
                {
                    count++;
                    assertEquals(count, cursor.recordNumber());
                    assertTrue(cursor.capturedLength() >= 0 && cursor.offset() >= 0);
                    assertTrue(cursor.offset() + cursor.capturedLength() <= cursor.buffer().capacity());
                }
                assertNull(cursor.error(), name);
                assertEquals(expected.get(name).longValue(), count, name);
            }
        }
    }

    @Test
    void shouldReadPcapngAndNanosecondCapturesWithTsharksTimestamps() throws Exception
    {
        for (final String name : List.of("tcpdump/tcp-handshake-nano.pcap", "zeek/krb_kerberos_tso.pcapng",
            "zeek/tunnels_geneve-truncated.pcapng", "tcpdump/vxlan.pcap", "tcpdump/LINKTYPE_RAW_ipv6.pcap"))
        {
            final Path file = Corpus.file(name);
            final List<String> epochs = Tshark.run("-r", file.toString(), "-T", "fields", "-e", "frame.time_epoch",
                "-e", "frame.cap_len", "-e", "frame.len");
            final List<String> ours = new ArrayList<>();
            try (CaptureCursor cursor = CaptureReader.open(file))
            {
                while (cursor.next())
                {
                    ours.add(cursor.timestampNanos() + "\t" + cursor.capturedLength() + "\t" +
                        cursor.originalLength());
                }
            }
            final List<String> theirs = epochs.stream()
                .map(l -> l.split("\t"))
                .map(f -> Tshark.epochNanos(f[0]) + "\t" + f[1] + "\t" + f[2])
                .toList();
            assertEquals(theirs, ours, name);
        }
    }

    @Test
    void shouldReportLinkTypesOfCorpusFiles() throws Exception
    {
        assertEquals(113, firstLinkType("tcpdump/tcp-handshake-nano.pcap"));
        assertEquals(101, firstLinkType("tcpdump/LINKTYPE_RAW_ipv6.pcap"));
        assertEquals(229, firstLinkType("tcpdump/LINKTYPE_IPV6.pcap"));
        assertEquals(1, firstLinkType("zeek/krb_kerberos_tso.pcapng"));
        try (CaptureCursor cursor = CaptureReader.open(Corpus.file("tcpdump/tcp-handshake-nano.pcap")))
        {
            assertEquals(CaptureFormat.PCAP_NANOS, cursor.format());
        }
    }

    private static int firstLinkType(final String name) throws CaptureException
    {
        try (CaptureCursor cursor = CaptureReader.open(Corpus.file(name)))
        {
            assertTrue(cursor.next());
            return cursor.linkType();
        }
    }

    @Test
    void shouldGiveSameRecordsThroughSmallViewsOfTheMapping() throws Exception
    {
        // A view smaller than the file forces re-windowing, the path files over 2 GiB take.
        for (final String name : List.of("zeek/krb_kerberos_tso.pcapng", "tcpdump/bigtcp-ipv4.pcap",
            "zeek/tunnels_vxlan-encapsulated-http.pcap", "tcpdump/various_gre.pcap"))
        {
            final List<byte[]> whole = records(CaptureReader.open(Corpus.file(name)));
            final List<byte[]> windowed = records(CaptureReader.open(Corpus.file(name), 96 * 1024));
            assertEquals(whole.size(), windowed.size(), name);
            for (int i = 0; i < whole.size(); i++)
            {
                assertArrayEquals(whole.get(i), windowed.get(i), name + " record " + (i + 1));
            }
        }
    }

    @Test
    void shouldRefuseRecordLargerThanTheView() throws Exception
    {
        try (CaptureCursor cursor = CaptureReader.open(Corpus.file("tcpdump/bigtcp-ipv4.pcap"), 4096))
        {
            assertFalse(cursor.next());
            assertEquals(CaptureError.Kind.MALFORMED, cursor.error().kind());
        }
    }

    static List<byte[]> records(final CaptureCursor cursor)
    {
        final List<byte[]> records = new ArrayList<>();
        try (cursor)
        {
            while (cursor.next())
            {
                final byte[] bytes = new byte[cursor.capturedLength()];
                cursor.buffer().getBytes(cursor.offset(), bytes);
                records.add(bytes);
            }
        }
        return records;
    }

    @Test
    void shouldEndWithCountedErrorWhenRecordHeaderIsCut() throws Exception
    {
        final byte[] original = Files.readAllBytes(Corpus.file("tcpdump/vxlan.pcap"));
        final int firstRecord = 24 + 16 + littleEndianInt(original, 24 + 8);
        final Path cut = tmp.resolve("cut-header.pcap");
        Files.write(cut, Arrays.copyOf(original, firstRecord + 7));
        try (CaptureCursor cursor = CaptureReader.open(cut))
        {
            assertTrue(cursor.next());
            assertFalse(cursor.next());
            assertFalse(cursor.next());
            final CaptureError error = cursor.error();
            assertNotNull(error);
            assertEquals(CaptureError.Kind.TRUNCATED_HEADER, error.kind());
            assertEquals(1, error.recordsRead());
            assertEquals(firstRecord, error.filePosition());
            assertTrue(error.message().contains("truncated record header"), error.message());
        }
    }

    @Test
    void shouldEndWithCountedErrorWhenRecordDataIsCut() throws Exception
    {
        final byte[] original = Files.readAllBytes(Corpus.file("tcpdump/vxlan.pcap"));
        final Path cut = tmp.resolve("cut-data.pcap");
        Files.write(cut, Arrays.copyOf(original, original.length - 10));
        try (CaptureCursor cursor = CaptureReader.open(cut))
        {
            int count = 0;
            while (cursor.next())
            {
                count++;
            }
            assertEquals(9, count);
            assertEquals(CaptureError.Kind.TRUNCATED_DATA, cursor.error().kind());
            assertEquals(9, cursor.error().recordsRead());
            assertTrue(cursor.error().message().contains("9 records read"), cursor.error().message());
        }
    }

    @Test
    void shouldEndWithErrorWhenPcapngBlockIsCut() throws Exception
    {
        final byte[] original = Files.readAllBytes(Corpus.file("zeek/krb_kerberos_tso.pcapng"));
        final Path cut = tmp.resolve("cut.pcapng");
        Files.write(cut, Arrays.copyOf(original, original.length - 5));
        try (CaptureCursor cursor = CaptureReader.open(cut))
        {
            int count = 0;
            while (cursor.next())
            {
                count++;
            }
            // The file ends with an interface statistics block: all 314 packets come before the cut.
            assertEquals(314, count);
            assertEquals(CaptureError.Kind.TRUNCATED_DATA, cursor.error().kind());
            assertTrue(cursor.error().message().startsWith("truncated block at byte"), cursor.error().message());
        }
    }

    @Test
    void shouldRefuseUnsupportedLinkTypeNamingIt() throws IOException
    {
        final Path wifi = tmp.resolve("wifi.pcap");
        Files.write(wifi, TestCaptures.pcapHeader(false, 105, 65535));
        final CaptureException ex = assertThrows(CaptureException.class, () -> CaptureReader.open(wifi));
        assertEquals("link type 105 (IEEE802_11) is not supported", ex.getMessage());
    }

    @Test
    void shouldRefuseMissingAndNonCaptureFiles() throws IOException
    {
        assertEquals("no such file", assertThrows(CaptureException.class,
            () -> CaptureReader.open(tmp.resolve("missing.pcap"))).getMessage());
        final Path text = tmp.resolve("text.pcap");
        Files.writeString(text, "hello, not a capture");
        assertTrue(assertThrows(CaptureException.class, () -> CaptureReader.open(text)).getMessage()
            .startsWith("not a pcap or pcapng file"));
        final Path empty = tmp.resolve("empty.pcap");
        Files.write(empty, new byte[0]);
        assertThrows(CaptureException.class, () -> CaptureReader.open(empty));
    }

    private static int littleEndianInt(final byte[] b, final int at)
    {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }
}
