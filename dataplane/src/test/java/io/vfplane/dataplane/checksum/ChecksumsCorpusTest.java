package io.vfplane.dataplane.checksum;

import io.vfplane.dataplane.testsupport.Corpus;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.vfplane.dataplane.checksum.Checksums.PROTOCOL_TCP;
import static io.vfplane.dataplane.checksum.Checksums.PROTOCOL_UDP;
import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Our verdict on real frames against tshark's: for every frame of the tcpdump captures in the corpus, the outermost
 * IP header and the TCP or UDP header right after it (IPv6 extension headers walked, Jumbo Payload honoured) are
 * checked by both, and wherever tshark says Good or Bad, we must say the same.
 */
class ChecksumsCorpusTest
{
    private static final int TSHARK_TIMEOUT_SECONDS = 60;

    /** tshark's checksum status values (proto.h: PROTO_CHECKSUM_E_BAD, PROTO_CHECKSUM_E_GOOD). */
    private static final String TSHARK_BAD = "0";
    private static final String TSHARK_GOOD = "1";

    private static final int DLT_EN10MB = 1;
    private static final int DLT_RAW = 101;
    private static final int DLT_LINUX_SLL = 113;
    private static final int DLT_IPV4 = 228;
    private static final int DLT_IPV6 = 229;

    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;

    private static final int ETHERTYPE_TEB = 0x6558;

    private static final int NO_VERDICT = -1;
    private static final String[] KINDS = {"ip", "tcp", "udp"};
    /**
     * Captures where tshark judges headers we do not walk to: headers inside GRE or MPLS, and UDP after an IPv6
     * Routing header with segments left (the pseudo header would need the final destination from that header).
     */
    private static final Set<String> NOT_WALKED = Set.of(
        "erspan-type-ii-1.pcap", "mpls-over-udp.pcap", "various_gre.pcap", "wccp_redirect_gre.pcap",
        "ipv6-routing-header.pcap");

    @Test
    void shouldAgreeWithTsharkOnIpv4HeaderTcpAndUdpChecksumsOfCorpusFrames(@TempDir final Path scratch)
        throws Exception
    {
        final List<Path> captures = Corpus.allCaptures().stream()
            .filter(p -> p.toString().endsWith(".pcap"))
            .filter(p -> p.getParent().getFileName().toString().equals("tcpdump"))
            .toList();
        assertTrue(captures.size() > 30, "tcpdump captures in the corpus: " + captures.size());

        // One tshark run per link type over all frames of that link type (a tshark start costs more than the
        // decode): frames keep their order, so row i of a run is frame i of the group.
        final Map<Integer, List<Frame>> byLinkType = new TreeMap<>();
        for (final Path capture : captures)
        {
            final List<byte[]> frames = new ArrayList<>();
            final List<Integer> originalLengths = new ArrayList<>();
            final int linkType = readPcap(capture, frames, originalLengths);
            for (int f = 0; f < frames.size(); f++)
            {
                byLinkType.computeIfAbsent(linkType, k -> new ArrayList<>())
                    .add(new Frame(capture.getFileName().toString(), f + 1, frames.get(f), originalLengths.get(f)));
            }
        }
        final ExecutorService tsharkRunners = Executors.newFixedThreadPool(byLinkType.size());
        final Map<Integer, Future<List<String[]>>> tsharkRows = new TreeMap<>();
        try
        {
            for (final Map.Entry<Integer, List<Frame>> group : byLinkType.entrySet())
            {
                final Path merged = scratch.resolve("linktype-" + group.getKey() + ".pcap");
                writePcap(merged, group.getKey(), group.getValue());
                tsharkRows.put(group.getKey(), tsharkRunners.submit(() -> tshark(merged)));
            }

            final int[] compared = new int[3];
            final int[] bad = new int[3];
            final List<String> disagreements = new ArrayList<>();
            final Set<String> notJudged = new TreeSet<>();
            for (final Map.Entry<Integer, List<Frame>> group : byLinkType.entrySet())
            {
                final int linkType = group.getKey();
                final List<Frame> frames = group.getValue();
                final List<String[]> rows = tsharkRows.get(linkType).get();
                assertEquals(frames.size(), rows.size(), "frames tshark decoded of link type " + linkType);

                for (int f = 0; f < frames.size(); f++)
                {
                    final Frame frame = frames.get(f);
                    final Verdicts ours = new Verdicts();
                    ours.walkFrame(frame.bytes, linkType);
                    final String[] theirs = rows.get(f);
                    for (int k = 0; k < 3; k++)
                    {
                        // tshark lists one value per header of a kind, outermost first, as we walk them
                        final String[] statuses = theirs[k + 1].split(",");
                        for (int i = 0; i < statuses.length; i++)
                        {
                            final String status = statuses[i];
                            if (!TSHARK_GOOD.equals(status) && !TSHARK_BAD.equals(status))
                            {
                                continue;
                            }
                            final String where = frame.capture + " frame " + frame.number + " " + KINDS[k] +
                                "[" + i + "]";
                            final int verdict = i < ours.byKind[k].size() ? ours.byKind[k].get(i) : NO_VERDICT;
                            if (verdict == NO_VERDICT)
                            {
                                notJudged.add(frame.capture);
                                continue;
                            }
                            compared[k]++;
                            if (TSHARK_BAD.equals(status))
                            {
                                bad[k]++;
                            }
                            if ((verdict == 1) != TSHARK_GOOD.equals(status))
                            {
                                disagreements.add(where + ": tshark " + status + ", ours " + verdict);
                            }
                        }
                    }
                }
            }

            assertEquals(List.of(), disagreements);
            assertEquals(NOT_WALKED, notJudged, "captures with headers tshark judged and we did not");
            // enough real headers were compared, bad ones among them, for agreement to mean something
            final String figures = "compared ip/tcp/udp " + Arrays.toString(compared) + ", bad " + Arrays.toString(bad);
            assertTrue(compared[0] >= 180 && compared[1] >= 60 && compared[2] >= 5, figures);
            assertTrue(bad[0] >= 1 && bad[1] >= 10 && bad[2] >= 1, figures);
        }
        finally
        {
            tsharkRunners.shutdownNow();
        }
    }

    /**
     * Our verdicts on every IPv4 header, TCP header and UDP header of a frame in the order tshark lists them:
     * outermost first, into VXLAN (4789, 8472) and Geneve (6081) tunnels. 1 good, 0 bad, {@link #NO_VERDICT} for a
     * header walked but not judged.
     */
    private static final class Verdicts
    {
        @SuppressWarnings("unchecked")
        final List<Integer>[] byKind = new List[] {new ArrayList<Integer>(), new ArrayList<Integer>(),
            new ArrayList<Integer>()};
        private UnsafeBuffer buffer;

        void walkFrame(final byte[] frame, final int linkType)
        {
            buffer = new UnsafeBuffer(frame);
            final int length = frame.length;
            switch (linkType)
            {
                case DLT_EN10MB -> walkEthernet(0, length);
                case DLT_LINUX_SLL ->
                {
                    if (length >= 16)
                    {
                        walkEthertype(buffer.getShort(14, BIG_ENDIAN) & 0xFFFF, 16, length);
                    }
                }
                case DLT_RAW, DLT_IPV4, DLT_IPV6 -> walkIp(0, length);
                default ->
                {
                }
            }
        }

        private void walkEthernet(final int offset, final int end)
        {
            if (offset + 14 > end)
            {
                return;
            }
            int type = buffer.getShort(offset + 12, BIG_ENDIAN) & 0xFFFF;
            int next = offset + 14;
            while ((type == 0x8100 || type == 0x88A8 || type == 0x9100) && next + 4 <= end)
            {
                type = buffer.getShort(next + 2, BIG_ENDIAN) & 0xFFFF;
                next += 4;
            }
            walkEthertype(type, next, end);
        }

        private void walkEthertype(final int type, final int offset, final int end)
        {
            if (type == ETHERTYPE_IPV4 || type == ETHERTYPE_IPV6)
            {
                walkIp(offset, end);
            }
            else if (type == ETHERTYPE_TEB)
            {
                walkEthernet(offset, end);
            }
        }

        private void walkIp(final int ip, final int end)
        {
            if (ip >= end)
            {
                return;
            }
            final int version = (buffer.getByte(ip) & 0xF0) >>> 4;
            int protocol;
            int l4;
            final int l4End;
            if (version == 4)
            {
                final int headerLength = (buffer.getByte(ip) & 0x0F) * 4;
                if (headerLength < 20 || ip + headerLength > end)
                {
                    return;
                }
                byKind[0].add(Checksums.verifyIpv4Header(buffer, ip) ? 1 : 0);

                final int totalLength = buffer.getShort(ip + 2, BIG_ENDIAN) & 0xFFFF;
                final int fragment = buffer.getShort(ip + 6, BIG_ENDIAN) & 0x3FFF;
                // Total Length 0 is how TSO and BIG TCP frames say "the rest of the frame"
                l4End = totalLength == 0 ? end : ip + totalLength;
                if (fragment != 0 || l4End > end || totalLength != 0 && totalLength < headerLength)
                {
                    return;
                }
                protocol = buffer.getByte(ip + 9) & 0xFF;
                l4 = ip + headerLength;
            }
            else if (version == 6)
            {
                if (ip + 40 > end)
                {
                    return;
                }
                int payloadLength = buffer.getShort(ip + 4, BIG_ENDIAN) & 0xFFFF;
                protocol = buffer.getByte(ip + 6) & 0xFF;
                l4 = ip + 40;
                while (protocol == 0 || protocol == 60 || protocol == 43 || protocol == 44)
                {
                    if (l4 + 8 > end)
                    {
                        return;
                    }
                    final int extensionLength = protocol == 44 ? 8 : ((buffer.getByte(l4 + 1) & 0xFF) + 1) * 8;
                    if (protocol == 44 || (protocol == 43 && (buffer.getByte(l4 + 3) & 0xFF) != 0))
                    {
                        // a fragment, or a routing header with segments left: L4 not judged
                        skipL4(protocol);
                        return;
                    }
                    if (protocol == 0 && payloadLength == 0)
                    {
                        payloadLength = jumboPayloadLength(buffer, l4, extensionLength);
                    }
                    protocol = buffer.getByte(l4) & 0xFF;
                    l4 += extensionLength;
                }
                l4End = ip + 40 + payloadLength;
                if (l4End > end || l4 > l4End)
                {
                    return;
                }
            }
            else
            {
                return;
            }

            final int l4Length = l4End - l4;
            if ((protocol != PROTOCOL_TCP && protocol != PROTOCOL_UDP) ||
                l4Length < Checksums.l4ChecksumOffset(protocol) + 2)
            {
                return;
            }
            final boolean good = Checksums.verifyL4(buffer, ip, l4, l4Length, protocol);
            byKind[protocol == PROTOCOL_TCP ? 1 : 2].add(good ? 1 : 0);

            if (protocol == PROTOCOL_UDP && l4Length >= 16)
            {
                final int port = buffer.getShort(l4 + 2, BIG_ENDIAN) & 0xFFFF;
                if (port == 4789 || port == 8472)
                {
                    walkEthernet(l4 + 16, l4End);
                }
                else if (port == 6081)
                {
                    final int optionsLength = (buffer.getByte(l4 + 8) & 0x3F) * 4;
                    walkEthertype(buffer.getShort(l4 + 10, BIG_ENDIAN) & 0xFFFF, l4 + 16 + optionsLength, l4End);
                }
            }
        }

        private void skipL4(final int protocol)
        {
            // keeps the lists aligned with tshark's, which may still decode the L4 header
            if (protocol == 43)
            {
                byKind[2].add(NO_VERDICT);
            }
        }
    }

    /** RFC 2675 Jumbo Payload option (type 0xC2, 4 bytes) in a Hop-by-Hop header: length of what follows IPv6. */
    private static int jumboPayloadLength(final UnsafeBuffer buffer, final int header, final int headerLength)
    {
        int option = header + 2;
        while (option + 2 <= header + headerLength)
        {
            final int type = buffer.getByte(option) & 0xFF;
            if (type == 0)
            {
                option++;
                continue;
            }
            final int optionLength = buffer.getByte(option + 1) & 0xFF;
            if (type == 0xC2 && optionLength == 4)
            {
                return buffer.getInt(option + 2, BIG_ENDIAN);
            }
            option += 2 + optionLength;
        }
        return 0;
    }

    private static List<String[]> tshark(final Path capture) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(
            "tshark", "-n", "-r", capture.toString(),
            "-o", "ip.check_checksum:TRUE",
            "-o", "tcp.check_checksum:TRUE",
            "-o", "udp.check_checksum:TRUE",
            "-d", "udp.port==8472,vxlan",
            "-T", "fields",
            "-e", "frame.number",
            "-e", "ip.checksum.status",
            "-e", "tcp.checksum.status",
            "-e", "udp.checksum.status")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
        final byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(TSHARK_TIMEOUT_SECONDS, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            fail("tshark timed out on " + capture);
        }
        final List<String[]> rows = new ArrayList<>();
        for (final String line : new String(out, StandardCharsets.UTF_8).split("\n"))
        {
            if (!line.isEmpty())
            {
                final String[] row = line.split("\t", -1);
                assertEquals(4, row.length, "tshark line: " + line);
                rows.add(row);
            }
        }
        return rows;
    }

    private record Frame(String capture, int number, byte[] bytes, int originalLength)
    {
    }

    private static void writePcap(final Path file, final int linkType, final List<Frame> frames) throws IOException
    {
        int size = 24;
        for (final Frame frame : frames)
        {
            size += 16 + frame.bytes.length;
        }
        final ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(0xa1b2c3d4).putShort((short)2).putShort((short)4).putInt(0).putInt(0).putInt(262_144)
            .putInt(linkType);
        for (final Frame frame : frames)
        {
            out.putInt(0).putInt(0).putInt(frame.bytes.length).putInt(frame.originalLength).put(frame.bytes);
        }
        Files.write(file, out.array());
    }

    /**
     * The tiniest classic pcap reader: global header (either byte order, micro- or nanosecond magic), then records
     * of 16-byte header and captured bytes.
     *
     * @return the link type.
     */
    private static int readPcap(final Path capture, final List<byte[]> frames, final List<Integer> originalLengths)
    {
        final ByteBuffer file;
        try
        {
            file = ByteBuffer.wrap(Files.readAllBytes(capture));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final int magic = file.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d)
        {
            file.order(ByteOrder.BIG_ENDIAN);
            final int swapped = file.getInt(0);
            assertTrue(swapped == 0xa1b2c3d4 || swapped == 0xa1b23c4d, "not a pcap: " + capture);
        }
        final int linkType = file.getInt(20) & 0x0FFF_FFFF;
        int position = 24;
        while (position + 16 <= file.limit())
        {
            final int capturedLength = file.getInt(position + 8);
            originalLengths.add(file.getInt(position + 12));
            position += 16;
            assertTrue(capturedLength >= 0 && position + capturedLength <= file.limit(), "record in " + capture);
            final byte[] frame = new byte[capturedLength];
            file.get(position, frame);
            frames.add(frame);
            position += capturedLength;
        }
        return linkType;
    }
}
