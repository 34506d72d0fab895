package io.vfplane.tsorsc.gro;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.checksum.Checksums;
import io.vfplane.dataplane.packet.Offload;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.dataplane.parse.PacketParser;
import io.vfplane.tsorsc.SegmentCheck;
import io.vfplane.tsorsc.TestFrames;
import io.vfplane.tsorsc.TestFrames.Tunnel;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CoalescerTest
{
    private static final int ACK = 0x10;
    private static final int PSH = 0x08;
    private static final int FIN = 0x01;
    private static final int CWR = 0x80;

    private final SegmentWire w = new SegmentWire();
    private final PacketPool pool = w.pool;
    private final PacketParser parser = w.parser;
    private final List<byte[]> frames = new ArrayList<>();
    private final List<PacketDescriptor> metadata = new ArrayList<>();

    private final Coalescer coalescer = w.coalescer(true, f ->
    {
        final byte[] copy = new byte[f.length()];
        f.copyTo(new UnsafeBuffer(copy), 0);
        frames.add(copy);
        metadata.add(new PacketDescriptor().copyFrom(f.metadata()));
    });

    /** Segments arrive here from the tx path and may be reordered, dropped or corrupted before coalescing. */
    private final List<PacketDescriptor> wire = w.segments;

    @AfterEach
    void close()
    {
        w.close();
    }

    private void send(final byte[] frame, final int mss)
    {
        w.send(frame, mss);
    }

    private void deliver()
    {
        for (final PacketDescriptor p : wire)
        {
            coalescer.offer(p, 0);
        }
        wire.clear();
        coalescer.flushAll();
    }

    @Test
    void shouldGiveBackTheOriginalFrameByteForByteAfterSegmentThenCoalesce()
    {
        final Random random = new Random(42);
        final Tunnel[] tunnels = Tunnel.values();
        for (int round = 0; round < 300; round++)
        {
            final Tunnel tunnel = tunnels[random.nextInt(tunnels.length)];
            final boolean v6 = random.nextBoolean();
            final byte[] options = new byte[4 * random.nextInt(11)];
            for (int i = 0; i < options.length; i++)
            {
                options[i] = 1; // NOPs: the options only have to be equal on every segment
            }
            final int headers = TestFrames.outerLength(tunnel) + 14 + (v6 ? 40 : 20) + 20 + options.length;
            final int maxPayload = 65535 - (headers - 14);
            final int payloadLength = random.nextInt(4) == 0 ? random.nextInt(3000) : random.nextInt(maxPayload);
            final int mss = 500 + random.nextInt(1000);
            int flags = ACK;
            flags |= random.nextBoolean() ? PSH : 0;
            flags |= random.nextInt(5) == 0 ? FIN : 0;
            flags |= random.nextInt(5) == 0 ? CWR : 0;
            final byte[] original = TestFrames.tcp(tunnel, v6, TestFrames.randomPayload(random, payloadLength),
                options, flags, random.nextInt(), random.nextInt(65536), random.nextBoolean(), random.nextInt(1 << 24));
            send(original, mss);
            final int segments = wire.size();
            assertEquals(Math.max(1, (payloadLength + mss - 1) / mss), segments);
            deliver();
            final String what = "round " + round + " " + tunnel + (v6 ? " v6" : " v4") + " payload " +
                payloadLength + " mss " + mss + " flags " + flags;
            assertEquals(1, frames.size(), what);
            assertArrayEquals(original, frames.get(0), what);
            if (segments > 1)
            {
                assertEquals(mss, metadata.get(0).gsoSize(), what);
                assertEquals(v6 ? Offload.GSO_TCPV6 : Offload.GSO_TCPV4, metadata.get(0).gsoType(), what);
            }
            frames.clear();
            metadata.clear();
        }
        assertTrue(coalescer.fastPath() > coalescer.merged() / 2, "most segments take the fast path: " +
            coalescer.fastPath() + " of " + coalescer.merged());
    }

    /**
     * One stream, frame after frame, each delivered in its own batch: the coalescer restarts a flow it has just
     * flushed without parsing again, and every frame must still come back byte for byte.
     */
    @Test
    void shouldGiveBackEveryFrameOfOneStreamAcrossBatches()
    {
        final Random random = new Random(9);
        for (final Tunnel tunnel : new Tunnel[] {Tunnel.NONE, Tunnel.VXLAN4, Tunnel.GENEVE6})
        {
            int seq = random.nextInt();
            int ipId = random.nextInt(65536);
            for (int frame = 0; frame < 6; frame++)
            {
                final int payloadLength = 1448 * (10 + random.nextInt(30)) + random.nextInt(1448);
                final byte[] original = TestFrames.tcp(tunnel, false, TestFrames.randomPayload(random, payloadLength),
                    new byte[0], ACK, seq, ipId, true, 4242);
                send(original, 1448);
                final int segments = wire.size();
                deliver();
                final String what = tunnel + " frame " + frame + " payload " + payloadLength;
                assertEquals(1, frames.size(), what);
                assertArrayEquals(original, frames.get(0), what);
                frames.clear();
                metadata.clear();
                seq += payloadLength;
                ipId = (ipId + segments) & 0xFFFF;
            }
        }
    }

    @Test
    void shouldNeverMergeAcrossVnisEvenWithTheSameInnerFiveTuple()
    {
        final Random random = new Random(1);
        final byte[] a = TestFrames.tcp(Tunnel.VXLAN4, false, TestFrames.randomPayload(random, 20_000), new byte[0],
            ACK, 1000, 1, false, 100);
        final byte[] b = TestFrames.tcp(Tunnel.VXLAN4, false, TestFrames.randomPayload(random, 20_000), new byte[0],
            ACK, 1000, 1, false, 200);
        send(a, 1400);
        final List<PacketDescriptor> first = new ArrayList<>(wire);
        wire.clear();
        send(b, 1400);
        final List<PacketDescriptor> second = new ArrayList<>(wire);
        wire.clear();
        // interleave the two flows segment by segment
        for (int i = 0; i < first.size(); i++)
        {
            wire.add(first.get(i));
            wire.add(second.get(i));
        }
        deliver();
        assertEquals(2, frames.size());
        final byte[] x = frames.get(0);
        final byte[] y = frames.get(1);
        assertTrue(java.util.Arrays.equals(x, a) && java.util.Arrays.equals(y, b) ||
            java.util.Arrays.equals(x, b) && java.util.Arrays.equals(y, a));
    }

    @Test
    void shouldFlushOnAGapAndKeepTheStreamInOrder()
    {
        final Random random = new Random(2);
        final byte[] payload = TestFrames.randomPayload(random, 14_000);
        send(TestFrames.tcp(Tunnel.GENEVE6, true, payload, new byte[0], ACK, 5, 1, true, 7), 1000);
        final PacketDescriptor lost = wire.remove(6);
        pool.release(lost.bufferId());
        deliver();
        assertEquals(2, frames.size(), "one frame before the gap, one after");
        final byte[] got = SegmentCheck.tcpPayloads(frames);
        final byte[] expected = new byte[13_000];
        System.arraycopy(payload, 0, expected, 0, 6000);
        System.arraycopy(payload, 7000, expected, 6000, 7000);
        assertArrayEquals(expected, got);
    }

    @Test
    void shouldNotMergeASegmentWithABadChecksumAndCountIt()
    {
        final Random random = new Random(3);
        send(TestFrames.tcp(Tunnel.NONE, false, TestFrames.randomPayload(random, 10_000), new byte[0], ACK, 5, 1,
            false, 0), 1000);
        final PacketDescriptor bad = wire.get(4);
        pool.buffer().putByte(bad.offset() + 100, (byte)(pool.buffer().getByte(bad.offset() + 100) ^ 0x40));
        deliver();
        assertEquals(1, coalescer.badChecksums());
        assertEquals(3, frames.size(), "segments 0-3 merged, 4 alone, 5-9 merged");
        assertEquals(14 + 20 + 20 + 4000, frames.get(0).length);
        assertEquals(14 + 20 + 20 + 1000, frames.get(1).length);
        assertEquals(14 + 20 + 20 + 5000, frames.get(2).length);
    }

    @Test
    void shouldFlushAHeldFrameAfterTheTimeLimit()
    {
        final Random random = new Random(4);
        send(TestFrames.tcp(Tunnel.NONE, true, TestFrames.randomPayload(random, 3000), new byte[0], ACK, 5, 1,
            false, 0), 1000);
        coalescer.offer(wire.get(0), 10);
        coalescer.offer(wire.get(1), 20);
        assertEquals(0, coalescer.poll(500_000));
        assertEquals(0, frames.size());
        assertEquals(1, coalescer.poll(1_000_010));
        assertEquals(1, frames.size());
        coalescer.offer(wire.get(2), 30);
        coalescer.flushAll();
        wire.clear();
        assertEquals(2, frames.size());
    }

    @Test
    void shouldLeaveThePseudoHeaderSumWhenNotVerifying()
    {
        final List<byte[]> out = new ArrayList<>();
        final List<PacketDescriptor> meta = new ArrayList<>();
        final Coalescer trusting = new Coalescer(pool, parser, 16, 1_000_000, false, f ->
        {
            final byte[] copy = new byte[f.length()];
            f.copyTo(new UnsafeBuffer(copy), 0);
            out.add(copy);
            meta.add(new PacketDescriptor().copyFrom(f.metadata()));
        });
        final Random random = new Random(5);
        final byte[] original = TestFrames.tcp(Tunnel.NONE, false, TestFrames.randomPayload(random, 9000),
            new byte[0], ACK | PSH, 5, 1, false, 0);
        send(original, 1448);
        for (final PacketDescriptor p : wire)
        {
            trusting.offer(p, 0);
        }
        wire.clear();
        trusting.flushAll();
        assertEquals(1, out.size());
        final PacketDescriptor m = meta.get(0);
        assertEquals(Offload.FLAG_NEEDS_CSUM, m.offloadFlags());
        final UnsafeBuffer b = new UnsafeBuffer(out.get(0));
        final int sum = Checksums.sum(b, m.csumStart(), out.get(0).length - m.csumStart(), 0);
        b.putShort(m.csumStart() + m.csumOffset(), (short)Checksums.fold(sum), BIG_ENDIAN);
        assertArrayEquals(original, out.get(0), "completing the partial checksum gives the original frame");
    }

    @Test
    void shouldVerifyYetLeaveThePseudoHeaderSumWhenAskedForPartialChecksums()
    {
        final List<byte[]> out = new ArrayList<>();
        final List<PacketDescriptor> meta = new ArrayList<>();
        final Coalescer verifying = new Coalescer(pool, parser, 16, 1_000_000, true, f ->
        {
            final byte[] copy = new byte[f.length()];
            f.copyTo(new UnsafeBuffer(copy), 0);
            out.add(copy);
            meta.add(new PacketDescriptor().copyFrom(f.metadata()));
        }).partialChecksums(true);
        final Random random = new Random(11);
        final byte[] original = TestFrames.tcp(Tunnel.NONE, false, TestFrames.randomPayload(random, 6000),
            new byte[0], ACK, 5, 1, false, 0);
        send(original, 1000);
        final PacketDescriptor bad = wire.get(3);
        pool.buffer().putByte(bad.offset() + 200, (byte)(pool.buffer().getByte(bad.offset() + 200) ^ 0x01));
        for (final PacketDescriptor p : wire)
        {
            verifying.offer(p, 0);
        }
        wire.clear();
        verifying.flushAll();

        assertEquals(1, verifying.badChecksums());
        assertEquals(3, out.size(), "segments 0-2 merged, 3 alone (its own, wrong checksum), 4-5 merged");
        for (final int merged : new int[] {0, 2})
        {
            final PacketDescriptor m = meta.get(merged);
            assertEquals(Offload.FLAG_NEEDS_CSUM, m.offloadFlags(), "frame " + merged);
            final UnsafeBuffer b = new UnsafeBuffer(out.get(merged));
            final int sum = Checksums.sum(b, m.csumStart(), out.get(merged).length - m.csumStart(), 0);
            b.putShort(m.csumStart() + m.csumOffset(), (short)Checksums.fold(sum), BIG_ENDIAN);
            assertEquals(0xFFFF, Checksums.reduce(Checksums.sum(b, m.csumStart(), out.get(merged).length -
                m.csumStart(), Checksums.ipv4PseudoHeaderSum(b, 14, 6, out.get(merged).length - m.csumStart()))),
                "completing the partial checksum gives a valid TCP checksum, frame " + merged);
        }
        assertEquals(0, meta.get(1).offloadFlags() & Offload.FLAG_NEEDS_CSUM, "the bad segment goes as it came");
        assertEquals(0, pool.inFlight());
    }
}
