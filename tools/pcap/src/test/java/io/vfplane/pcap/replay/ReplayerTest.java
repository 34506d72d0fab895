package io.vfplane.pcap.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vfplane.dataplane.testsupport.Corpus;
import io.vfplane.pcap.PcapWriter;
import io.vfplane.vf.port.tap.NetNs;

/**
 * Replays onto one end of a veth pair (or into a TAP) in a namespace of the test's own, while tcpdump captures the
 * other end: what tcpdump saw must be the capture's frames, all of them, in order, byte for byte.
 */
class ReplayerTest
{
    /** Frames of the synthetic timed capture. */
    private static final int TIMED_FRAMES = 20;
    /** Gap between its frames. */
    private static final long TIMED_GAP_NANOS = 2_000_000L;
    private static final long CAPTURE_TIMEOUT_MS = 10_000;

    private static VethNamespace ns;

    @TempDir
    Path dir;

    @BeforeAll
    static void createNamespace()
    {
        ns = VethNamespace.create(9000);
    }

    @AfterAll
    static void deleteNamespace()
    {
        if (ns != null)
        {
            ns.close();
        }
    }

    private ReplayOptions.Builder onVeth(final Path capture)
    {
        return ReplayOptions.builder(capture).iface(ns.sendSide()).netns(ns.name());
    }

    private List<byte[]> replayAndCapture(final ReplayOptions options, final int expectedFrames,
        final List<ReplayStats> statsOut) throws Exception
    {
        final String device = options.tap() != null ? options.tap() : ns.receiveSide();
        try (TcpdumpCapture tcpdump = TcpdumpCapture.start(ns.name(), device, dir.resolve("seen.pcap")))
        {
            statsOut.add(Replayer.run(options));
            return tcpdump.stopAfter(expectedFrames, CAPTURE_TIMEOUT_MS);
        }
    }

    private static void assertSameFrames(final List<byte[]> expected, final List<byte[]> seen)
    {
        assertEquals(expected.size(), seen.size(), "frames seen by tcpdump");
        for (int i = 0; i < expected.size(); i++)
        {
            assertArrayEquals(expected.get(i), seen.get(i), "frame " + (i + 1));
        }
    }

    @Test
    void shouldDeliverEveryFrameOfAPcapByteForByteAtTopSpeed() throws Exception
    {
        final Path capture = Corpus.file("tcpdump/various_gre.pcap");
        final List<byte[]> expected = TcpdumpCapture.framesIn(capture);
        final List<ReplayStats> stats = new ArrayList<>();
        final List<byte[]> seen = replayAndCapture(onVeth(capture).topspeed().build(), expected.size(), stats);

        assertSameFrames(expected, seen);
        final ReplayStats s = stats.get(0);
        assertEquals(expected.size(), s.packets());
        assertEquals(expected.stream().mapToLong(f -> f.length).sum(), s.bytes());
        assertEquals(0, s.failed());
        assertEquals(0, s.truncated());
        assertNull(s.timing(), "no timing error without pacing");
        assertTrue(s.pps() > 0);
    }

    @Test
    void shouldDeliverEveryFrameOfAPcapngByteForByteWhenPreloaded() throws Exception
    {
        // pcapng, frames up to 3332 bytes (GRO/TSO sized): the veth MTU of 9000 takes them all
        final Path capture = Corpus.file("zeek/krb_kerberos_tso.pcapng");
        final List<byte[]> expected = TcpdumpCapture.framesIn(capture);
        final List<ReplayStats> stats = new ArrayList<>();
        final List<byte[]> seen = replayAndCapture(onVeth(capture).pps(20_000).preload(true).build(),
            expected.size(), stats);

        assertEquals(314, expected.size());
        assertSameFrames(expected, seen);
        assertEquals(expected.size(), stats.get(0).packets());
        assertEquals(expected.size(), stats.get(0).timing().count());
    }

    @Test
    void shouldRepeatTheCaptureInOrderWhenLooping() throws Exception
    {
        final Path capture = Corpus.file("tcpdump/geneve.pcap");
        final List<byte[]> once = TcpdumpCapture.framesIn(capture);
        final List<byte[]> expected = new ArrayList<>();
        for (int loop = 0; loop < 3; loop++)
        {
            expected.addAll(once);
        }
        final List<ReplayStats> stats = new ArrayList<>();
        final List<byte[]> seen = replayAndCapture(onVeth(capture).topspeed().loops(3).build(), expected.size(),
            stats);

        assertSameFrames(expected, seen);
        assertEquals(3, stats.get(0).loops());
        assertEquals(expected.size(), stats.get(0).packets());
    }

    @Test
    void shouldKeepOrderAndReportTimingErrorAtOriginalSpeed() throws Exception
    {
        final Path capture = timedCapture();
        final List<byte[]> expected = TcpdumpCapture.framesIn(capture);
        final List<ReplayStats> stats = new ArrayList<>();
        final List<byte[]> seen = replayAndCapture(onVeth(capture).original().build(), expected.size(), stats);

        assertSameFrames(expected, seen);
        final ReplayStats s = stats.get(0);
        final TimingError timing = s.timing();
        assertNotNull(timing);
        assertEquals(TIMED_FRAMES, timing.count());
        assertTrue(0 <= timing.p50() && timing.p50() <= timing.p90() && timing.p90() <= timing.p99() &&
            timing.p99() <= timing.p999() && timing.p999() <= timing.max(), timing.toString());
        // deadlines are absolute and a frame never goes before its deadline: the run cannot be shorter than the span
        assertTrue(s.elapsedNanos() >= (TIMED_FRAMES - 1) * TIMED_GAP_NANOS, "elapsed " + s.elapsedNanos());
        assertTrue(s.format("rpa").contains("Timing error"), s.format("rpa"));
    }

    @Test
    void shouldNeverSendBeforeTheDeadlineAtAMultipliedSpeed() throws Exception
    {
        final Path capture = timedCapture();
        final ReplayStats s = Replayer.run(onVeth(capture).multiplier(4).build());

        assertEquals(TIMED_FRAMES, s.packets());
        assertEquals(TIMED_FRAMES, s.timing().count());
        assertTrue(s.elapsedNanos() >= (TIMED_FRAMES - 1) * TIMED_GAP_NANOS / 4, "elapsed " + s.elapsedNanos());
    }

    @Test
    void shouldSpaceFramesByPacketRateAndBitRate() throws Exception
    {
        final Path capture = timedCapture();
        final ReplayStats byPackets = Replayer.run(onVeth(capture).pps(2_000).build());
        assertEquals(TIMED_FRAMES, byPackets.packets());
        // frame i is due i / 2000 s after the first
        assertTrue(byPackets.elapsedNanos() >= (TIMED_FRAMES - 1) * 500_000L, "elapsed " + byPackets.elapsedNanos());

        final ReplayStats byBits = Replayer.run(onVeth(capture).mbps(1).build());
        assertEquals(TIMED_FRAMES, byBits.packets());
        // frame i is due after the bits of the frames before it, at 1 Mbit/s: 1 us per bit
        final long bitsBeforeLast = (TIMED_FRAMES - 1) * 64L * 8;
        assertTrue(byBits.elapsedNanos() >= bitsBeforeLast * 1_000L, "elapsed " + byBits.elapsedNanos());
    }

    @Test
    void shouldCountFramesLargerThanTheMtuAsFailed() throws Exception
    {
        // one 80 KB BIG TCP frame: the kernel refuses it with EMSGSIZE
        final ReplayStats s = Replayer.run(onVeth(Corpus.file("tcpdump/bigtcp-ipv4.pcap")).topspeed().build());

        assertEquals(0, s.packets());
        assertEquals(1, s.failed());
        assertNotNull(s.firstFailure());
        assertTrue(s.format("rpa").contains("Failed packets:            1"), s.format("rpa"));
    }

    @Test
    void shouldSkipRecordsThatAreNotEthernet() throws Exception
    {
        final ReplayStats s = Replayer.run(onVeth(Corpus.file("tcpdump/LINKTYPE_RAW_ipv6.pcap")).topspeed().build());

        assertEquals(0, s.packets());
        assertEquals(0, s.failed());
        assertEquals(1, s.skipped());
    }

    @Test
    void shouldSendNothingForAnEmptyPcapng() throws Exception
    {
        final ReplayStats s = Replayer.run(onVeth(Corpus.file("tcpdump/empty.pcapng")).original().build());

        assertEquals(0, s.packets());
        assertEquals(0, s.failed());
        assertEquals(0, s.timing().count());
        assertNull(s.captureError());
    }

    @Test
    void shouldWriteFramesIntoATapThatTcpdumpSeesOnIt() throws Exception
    {
        // a persistent TAP, so tcpdump can listen on it before the replay attaches to it
        final String tap = "rptap0";
        NetNs.run("ip", "-n", ns.name(), "tuntap", "add", "dev", tap, "mode", "tap");
        try
        {
            NetNs.run("ip", "-n", ns.name(), "link", "set", tap, "mtu", "9000", "up");
            final Path capture = Corpus.file("tcpdump/geneve.pcap");
            final List<byte[]> expected = TcpdumpCapture.framesIn(capture);
            final List<ReplayStats> stats = new ArrayList<>();
            final List<byte[]> seen = replayAndCapture(
                ReplayOptions.builder(capture).tap(tap).netns(ns.name()).pps(10_000).build(), expected.size(), stats);

            assertSameFrames(expected, seen);
            assertEquals(expected.size(), stats.get(0).packets());
        }
        finally
        {
            NetNs.run("ip", "-n", ns.name(), "tuntap", "del", "dev", tap, "mode", "tap");
        }
    }

    @Test
    void shouldNameTheMissingInterface()
    {
        final ReplayException ex = assertThrows(ReplayException.class, () -> Replayer.run(
            ReplayOptions.builder(Corpus.file("tcpdump/geneve.pcap")).iface("nosuch0").netns(ns.name()).build()));
        assertTrue(ex.getMessage().contains("nosuch0"), ex.getMessage());
    }

    @Test
    void shouldNameTheMissingFile()
    {
        final Path missing = dir.resolve("missing.pcap");
        final ReplayException ex = assertThrows(ReplayException.class,
            () -> Replayer.run(onVeth(missing).build()));
        assertTrue(ex.getMessage().contains(missing.toString()), ex.getMessage());
        assertFalse(ex.getMessage().contains("Exception"), ex.getMessage());
    }

    /** 20 frames of 64 bytes, 2 ms apart, each carrying its number. */
    private Path timedCapture() throws Exception
    {
        final Path path = dir.resolve("timed.pcap");
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[64]);
        try (PcapWriter writer = PcapWriter.create(path, 1, PcapWriter.DEFAULT_SNAPLEN, PcapWriter.Precision.NANOS))
        {
            final long start = 1_700_000_000_000_000_000L;
            for (int i = 0; i < TIMED_FRAMES; i++)
            {
                frame.setMemory(0, 64, (byte)0);
                frame.setMemory(0, 6, (byte)0xff); // broadcast
                frame.putLong(6, 0x0200_0000_0001_0000L, ByteOrder.BIG_ENDIAN); // 02:00:00:00:00:01, then type
                frame.putShort(12, (short)0x88b5, ByteOrder.BIG_ENDIAN); // local experimental EtherType
                frame.putInt(14, i, ByteOrder.BIG_ENDIAN);
                writer.write(frame, 0, 64, 64, start + i * TIMED_GAP_NANOS);
            }
        }
        return path;
    }
}
