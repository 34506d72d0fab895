package io.vfplane.tsorsc.gso;

import io.vfplane.dataplane.parse.PacketParser;
import io.vfplane.dataplane.parse.ParseResult;
import io.vfplane.dataplane.testsupport.Corpus;
import io.vfplane.tsorsc.CollectingSink;
import io.vfplane.tsorsc.SegmentCheck;
import io.vfplane.tsorsc.SegmentLayout;
import io.vfplane.tsorsc.TestPcap;
import io.vfplane.tsorsc.Tshark;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real TSO/GSO and BIG TCP frames from the corpus (captured before segmentation) are segmented to a 1514-byte
 * Ethernet MTU; tshark, with checksum validation on, must find every IP, TCP and UDP checksum good and nothing
 * malformed, and its TCP reassembly of the segments must give back the frame's payload.
 */
class SegmenterCorpusTest
{
    private static final int MAX_FRAME = 1514;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {
        "tcpdump/gso-ipv4.pcap",
        "tcpdump/gso-ipv6.pcap",
        "tcpdump/gso-ipv4-vxlan-ipv4.pcap",
        "tcpdump/gso-ipv6-vxlan-ipv6.pcap",
        "tcpdump/gso-ipv4-geneve-ipv6.pcap",
        "tcpdump/gso-ipv6-geneve-ipv4.pcap",
        "tcpdump/bigtcp-ipv4.pcap",
        "tcpdump/bigtcp-ipv6-hbh.pcap",
        "tcpdump/bigtcp-ipv4-vxlan-ipv4.pcap",
        "tcpdump/bigtcp-ipv6-geneve-ipv6.pcap",
        "tcpdump/ipv4_tcp_http_xml_tso.pcap",
        "packetnet/ipv4_tso_frame.pcap"})
    void shouldSegmentCorpusFrameIntoSegmentsTsharkAcceptsAndReassembles(final String capture) throws Exception
    {
        final List<byte[]> frames = TestPcap.read(Corpus.file(capture));
        assertEquals(1, frames.size());
        final byte[] frame = frames.get(0);
        final UnsafeBuffer b = new UnsafeBuffer(frame);
        final SegmentLayout layout = new SegmentLayout();
        assertEquals(SegmentLayout.OK,
            layout.parse(new PacketParser(SegmentCheck.CONFIG), new ParseResult(), b, 0, frame.length), capture);
        final int mss = MAX_FRAME - layout.headerLength();
        final CollectingSink sink = new CollectingSink();
        final int count = new Segmenter().segment(b, 0, layout, mss, false, sink);
        assertTrue(count > 1, capture + " made " + count + " segments");

        final int payloadStart = layout.inputHeaderLength();
        final byte[] payload = Arrays.copyOfRange(frame, payloadStart, payloadStart + layout.payloadLength());
        assertArrayEquals(payload, SegmentCheck.tcpPayloads(sink.segments), "our own reading of the segments");

        final Path out = dir.resolve("segments.pcap");
        TestPcap.write(out, sink.segments);
        final List<String> status = Tshark.checksumStatus(out);
        assertEquals(count, status.size(), String.join("\n", status));
        for (final String line : status)
        {
            final String[] columns = line.split("\t", -1);
            for (int c = 0; c < 3; c++)
            {
                for (final String s : columns[c].split(","))
                {
                    // 1 good; 3 "not present" is a UDP checksum of 0, which the frame had and kept
                    assertTrue(s.isEmpty() || s.equals("1") || (c == 2 && s.equals("3")),
                        capture + ": a checksum tshark did not find good: " + line);
                }
            }
            assertTrue(columns.length < 4 || !(columns[3].contains("8388608") || columns[3].contains("6291456")),
                "tshark warning or error: " + line);
            assertTrue(columns.length < 5 || columns[4].isEmpty(), "malformed: " + line);
        }
        assertArrayEquals(payload, Tshark.followTcp(out, 0), capture + ": tshark's TCP reassembly");
    }
}
