package io.vfplane.pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vfplane.dataplane.testsupport.Corpus;

class PcapWriterTest
{
    private static final List<String> FILES = List.of(
        "tcpdump/vxlan.pcap",
        "zeek/tunnels_geneve-truncated.pcapng",
        "tcpdump/tcp-handshake-nano.pcap",
        "tcpdump/LINKTYPE_RAW_ipv6.pcap",
        "tcpdump/bigtcp-ipv4.pcap",
        "zeek/tcp_truncated-header.pcap");

    @TempDir
    Path tmp;

    @Test
    void shouldRoundTripThroughMicroAndNanoWritersSoTsharkSeesSameFramesAndBytes() throws Exception
    {
        for (final String name : FILES)
        {
            final Path original = Corpus.file(name);
            final List<String> originalFields = fields(original);
            assertFalse(originalFields.isEmpty());
            for (final PcapWriter.Precision precision : PcapWriter.Precision.values())
            {
                final Path written = tmp.resolve(precision + "-" + original.getFileName() + ".pcap");
                copy(original, written, precision, PcapWriter.DEFAULT_SNAPLEN);
                final List<String> writtenFields = fields(written);
                assertEquals(originalFields.size(), writtenFields.size(), name + " " + precision + " frame count");
                for (int i = 0; i < originalFields.size(); i++)
                {
                    final String[] o = originalFields.get(i).split("\t");
                    final String[] w = writtenFields.get(i).split("\t");
                    assertEquals(o[0] + " " + o[1], w[0] + " " + w[1], name + " frame " + (i + 1) + " lengths");
                    assertEquals(o[3], w[3], name + " frame " + (i + 1) + " MD5 of the captured bytes");
                    final long originalNanos = Tshark.epochNanos(o[2]);
                    final long expectedNanos = precision == PcapWriter.Precision.NANOS ? originalNanos :
                        originalNanos - originalNanos % 1_000;
                    assertEquals(expectedNanos, Tshark.epochNanos(w[2]), name + " frame " + (i + 1) + " time");
                }
            }
        }
    }

    @Test
    void shouldCutRecordsToTheSnaplenAndKeepTheWireLength() throws Exception
    {
        final Path original = Corpus.file("zeek/tunnels_vxlan-encapsulated-http.pcap");
        final Path written = tmp.resolve("snap.pcap");
        copy(original, written, PcapWriter.Precision.MICROS, 100);
        final List<String> tshark = Tshark.run("-r", written.toString(), "-T", "fields", "-e", "frame.cap_len",
            "-e", "frame.len");
        final List<byte[]> originalRecords = CaptureReaderTest.records(CaptureReader.open(original));
        final List<byte[]> writtenRecords = CaptureReaderTest.records(CaptureReader.open(written));
        assertEquals(originalRecords.size(), tshark.size());
        for (int i = 0; i < originalRecords.size(); i++)
        {
            final byte[] o = originalRecords.get(i);
            assertEquals(Math.min(100, o.length) + "\t" + o.length, tshark.get(i));
            assertArrayEquals(java.util.Arrays.copyOf(o, Math.min(100, o.length)), writtenRecords.get(i));
        }
        try (CaptureCursor cursor = CaptureReader.open(written))
        {
            assertTrue(cursor.next());
            assertEquals(CaptureFormat.PCAP_MICROS, cursor.format());
        }
    }

    @Test
    void shouldWriteRecordsLargerThanItsBuffer() throws Exception
    {
        final Path original = Corpus.file("tcpdump/bigtcp-ipv6-hbh.pcap");
        final Path written = tmp.resolve("big.pcap");
        copy(original, written, PcapWriter.Precision.NANOS, PcapWriter.DEFAULT_SNAPLEN);
        final List<byte[]> o = CaptureReaderTest.records(CaptureReader.open(original));
        final List<byte[]> w = CaptureReaderTest.records(CaptureReader.open(written));
        assertTrue(o.get(0).length > PcapWriter.DEFAULT_BUFFER_SIZE);
        assertArrayEquals(o.get(0), w.get(0));
    }

    private static void copy(final Path from, final Path to, final PcapWriter.Precision precision, final int snaplen)
        throws Exception
    {
        try (CaptureCursor cursor = CaptureReader.open(from))
        {
            PcapWriter writer = null;
            try
            {
                while (cursor.next())
                {
                    if (writer == null)
                    {
                        writer = PcapWriter.create(to, cursor.linkType(), snaplen, precision);
                    }
                    writer.write(cursor.buffer(), cursor.offset(), cursor.capturedLength(), cursor.originalLength(),
                        cursor.timestampNanos());
                }
                assertNull(cursor.error());
            }
            finally
            {
                if (writer != null)
                {
                    writer.close();
                }
            }
        }
    }

    /** caplen, len, time and tshark's MD5 of the captured bytes of each frame. */
    private static List<String> fields(final Path file)
    {
        return Tshark.run("-r", file.toString(), "-o", "frame.generate_md5_hash:TRUE", "-T", "fields",
            "-e", "frame.cap_len", "-e", "frame.len", "-e", "frame.time_epoch", "-e", "frame.md5_hash");
    }
}
