package io.vfplane.tsorsc.gro;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.checksum.Checksums;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.Offload;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.dataplane.parse.DropReason;
import io.vfplane.dataplane.parse.PacketParser;
import io.vfplane.pipeline.BackpressurePolicy;
import io.vfplane.pipeline.Output;
import io.vfplane.pipeline.Pipeline;
import io.vfplane.tsorsc.SegmentCheck;
import io.vfplane.tsorsc.TestFrames;
import io.vfplane.tsorsc.TestFrames.Tunnel;
import io.vfplane.tsorsc.TunnelDescription;
import io.vfplane.tsorsc.gso.SegmentingOutput;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CoalescingOutputTest
{
    private static final int ACK = 0x10;
    private static final int PSH = 0x08;

    private final PacketParser parser = new PacketParser(SegmentCheck.CONFIG);

    /** Copies what it takes, then releases the buffer to the pool it came from. */
    private static final class Collector implements Output
    {
        final ConcurrentLinkedQueue<byte[]> frames = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<PacketDescriptor> metadata = new ConcurrentLinkedQueue<>();

        @Override
        public boolean offer(final PacketDescriptor packet, final PacketPool pool)
        {
            final byte[] copy = new byte[packet.length()];
            pool.buffer().getBytes(packet.offset(), copy);
            frames.add(copy);
            metadata.add(new PacketDescriptor().copyFrom(packet));
            pool.release(packet.bufferId());
            return true;
        }

        @Override
        public void flush()
        {
        }
    }

    private static PacketDescriptor load(final PacketPool pool, final byte[] frame, final int mss, final int gsoType)
    {
        final int id = pool.allocate();
        final int offset = pool.dataOffset(id);
        pool.buffer().putBytes(offset, frame);
        return new PacketDescriptor().resetMetadata().bind(id, offset, frame.length).outPort(0)
            .gsoType(gsoType).gsoSize(mss);
    }

    private void roundTrip(final boolean verify)
    {
        final Counters counters = Counters.inMemory(256);
        final PacketPool pool = new PacketPool("p", 256, 128, 70_000, counters);
        final Collector collector = new Collector();
        final CoalescingOutput coalescing =
            new CoalescingOutput(collector, pool, parser, 16, 1_000_000_000L, verify).counters(counters, "rx");
        final SegmentingOutput segmenting = new SegmentingOutput(coalescing, parser, false).counters(counters, "tx");
        final Random random = new Random(7);
        final List<byte[]> originals = new ArrayList<>();
        final List<Integer> mssOf = new ArrayList<>();
        final List<Boolean> v6Of = new ArrayList<>();
        int segments = 0;
        int merged = 0;
        try (Pipeline pipeline = Pipeline.builder("tsorsc").pool(pool).counters(counters).tx(segmenting)
            .backpressure(BackpressurePolicy.BLOCK).build().start())
        {
            for (int i = 0; i < 40; i++)
            {
                final boolean v6 = random.nextBoolean();
                final int payload = 1 + random.nextInt(60_000);
                final int mss = 536 + random.nextInt(1000);
                final byte[] frame = TestFrames.tcp(Tunnel.NONE, v6, TestFrames.randomPayload(random, payload),
                    new byte[0], ACK | PSH, random.nextInt(), random.nextInt(65536), false, 0);
                originals.add(frame);
                mssOf.add(mss);
                v6Of.add(v6);
                final int count = (payload + mss - 1) / mss;
                segments += count;
                merged += count > 1 ? 1 : 0;
                assertTrue(pipeline.offer(load(pool, frame, mss, v6 ? Offload.GSO_TCPV6 : Offload.GSO_TCPV4)));
            }
        }
        final byte[][] got = collector.frames.toArray(new byte[0][]);
        final PacketDescriptor[] meta = collector.metadata.toArray(new PacketDescriptor[0]);
        assertEquals(originals.size(), got.length);
        for (int i = 0; i < got.length; i++)
        {
            final byte[] frame = got[i];
            final PacketDescriptor m = meta[i];
            final int l4 = 14 + (v6Of.get(i) ? 40 : 20);
            if (frame.length - l4 - 20 > mssOf.get(i))
            {
                assertEquals(v6Of.get(i) ? Offload.GSO_TCPV6 : Offload.GSO_TCPV4, m.gsoType(), "frame " + i);
                assertEquals(mssOf.get(i), m.gsoSize(), "frame " + i);
                assertEquals(l4 + 20, m.headerLength(), "frame " + i);
                assertEquals(l4, m.csumStart(), "frame " + i);
                assertEquals(16, m.csumOffset(), "frame " + i);
                if (verify)
                {
                    assertEquals(Offload.FLAG_DATA_VALID, m.offloadFlags() & Offload.FLAG_DATA_VALID);
                }
                else
                {
                    // what a virtio-net device does with NEEDS_CSUM: sum from csum_start to the end (the field holds
                    // the pseudo-header sum) and store the complement at csum_start + csum_offset
                    assertEquals(Offload.FLAG_NEEDS_CSUM, m.offloadFlags() & Offload.FLAG_NEEDS_CSUM);
                    final UnsafeBuffer b = new UnsafeBuffer(frame);
                    final int sum = Checksums.sum(b, m.csumStart(), frame.length - m.csumStart(), 0);
                    b.putShort(m.csumStart() + m.csumOffset(), (short)~Checksums.reduce(sum), BIG_ENDIAN);
                }
            }
            assertArrayEquals(originals.get(i), frame, "frame " + i);
        }
        assertEquals(0, pool.inFlight(), "every buffer released");
        assertEquals(segments, counters.valueOf("tsorsc.tx.segment.segments_out", -1));
        assertEquals(originals.size(), counters.valueOf("tsorsc.tx.segment.frames_segmented", -1));
        assertEquals(merged, counters.valueOf("tsorsc.rx.coalesce.coalesced_frames", -1));
        assertEquals(originals.size(), counters.valueOf("tsorsc.rx.coalesce.output_frames", -1));
        assertEquals(segments - originals.size(), counters.valueOf("tsorsc.rx.coalesce.merged", -1));
        assertEquals(coalescing.coalescer().flushes(Coalescer.FLUSH_PUSH),
            counters.valueOf("tsorsc.rx.coalesce.flush.push", -1));
        pool.close();
    }

    @Test
    void shouldGiveBackEveryFrameThroughAPipelineSegmentingThenCoalescingWithVerifiedChecksums()
    {
        roundTrip(true);
    }

    @Test
    void shouldLeaveAChecksumAVirtioDeviceCompletesWhenNotVerifying()
    {
        roundTrip(false);
    }

    private static void offerAll(final CoalescingOutput coalescing, final PacketPool pool, final List<byte[]> segments)
    {
        for (final byte[] bytes : segments)
        {
            final int sid = pool.allocate();
            pool.buffer().putBytes(pool.dataOffset(sid), bytes);
            assertTrue(coalescing.offer(
                new PacketDescriptor().resetMetadata().bind(sid, pool.dataOffset(sid), bytes.length), pool));
        }
        coalescing.flush();
    }

    @Test
    void shouldCopyIntoTheFramePoolWhenTheHeadSlotIsSmallAndDropCountedWhenItIsEmpty()
    {
        final Counters counters = Counters.inMemory(64);
        final PacketPool small = new PacketPool("s", 128, 128, 2048, counters);
        final PacketPool large = new PacketPool("l", 1, 128, 70_000, counters);
        final Collector collector = new Collector();
        final CoalescingOutput coalescing = new CoalescingOutput(collector, small, large, parser, 16,
            1_000_000_000L, true);
        final SegmentingOutput segmenting = new SegmentingOutput(coalescing, parser, false);
        final Random random = new Random(3);
        final byte[] frame = TestFrames.tcp(Tunnel.VXLAN4, false, TestFrames.randomPayload(random, 20_000),
            new byte[0], ACK | PSH, 1000, 5, true, 42);
        final List<PacketDescriptor> wire = new ArrayList<>();
        final Output toWire = new Output()
        {
            @Override
            public boolean offer(final PacketDescriptor packet, final PacketPool pool)
            {
                wire.add(new PacketDescriptor().copyFrom(packet));
                return true;
            }

            @Override
            public void flush()
            {
            }
        };
        // the large frame is cut in the large pool's slot into segments of the small pool
        final PacketPool source = new PacketPool("src", 64, 128, 70_000, counters);
        final SegmentingOutput cutter = new SegmentingOutput(toWire, parser, false);
        final int id = source.allocate();
        source.buffer().putBytes(source.dataOffset(id), frame);
        final PacketDescriptor big = new PacketDescriptor().resetMetadata()
            .bind(id, source.dataOffset(id), frame.length).gsoType(Offload.GSO_TCPV4).gsoSize(1400);
        assertTrue(cutter.offer(big, source));
        final List<byte[]> segments = new ArrayList<>();
        for (final PacketDescriptor segment : wire)
        {
            final byte[] bytes = new byte[segment.length()];
            source.buffer().getBytes(segment.offset(), bytes);
            segments.add(bytes);
            source.release(segment.bufferId());
        }
        assertTrue(segments.size() > 1);
        offerAll(coalescing, small, segments);
        assertEquals(1, collector.frames.size());
        assertArrayEquals(frame, collector.frames.poll());
        assertEquals(0, small.inFlight());
        assertEquals(0, large.inFlight());

        // again with the one large buffer held elsewhere: the merged frame is dropped, counted by segment
        final int held = large.allocate();
        offerAll(coalescing, small, segments);
        assertEquals(0, collector.frames.size());
        assertEquals(segments.size(), coalescing.drops(DropReason.GSO_POOL_EMPTY));
        assertEquals(0, small.inFlight());
        large.release(held);
        assertEquals(0, source.inFlight());
        small.close();
        large.close();
        source.close();
    }

    @Test
    void shouldMarkAFrameOfAnUnsupportedGsoTypeDroppedAndKeepCustomFormatsByPort()
    {
        final Counters counters = Counters.inMemory(64);
        final PacketPool pool = new PacketPool("u", 8, 128, 70_000, counters);
        final Collector collector = new Collector();
        final SegmentingOutput segmenting = new SegmentingOutput(collector, parser, false)
            .customFormat(TestFrames.CUSTOM_PORT, new TunnelDescription().set(TestFrames.outerLength(Tunnel.CUSTOM4),
                14, 34, 46, 8))
            .customFormat(TestFrames.CUSTOM_PORT + 1, new TunnelDescription().set(50, 14, 34, -1, 0))
            .counters(counters, "u");
        final byte[] frame = TestFrames.tcp(Tunnel.NONE, false, new byte[3000], new byte[0], ACK, 1, 1, false, 0);
        final PacketDescriptor p = load(pool, frame, 1000, Offload.GSO_UDP);
        assertTrue(segmenting.offer(p, pool));
        segmenting.flush();
        assertEquals(DropReason.GSO_UNSUPPORTED, p.dropReason());
        assertEquals(1, segmenting.drops(DropReason.GSO_UNSUPPORTED));
        assertEquals(1, counters.valueOf("tsorsc.u.segment.drop.gso_unsupported", -1));
        assertEquals(0, pool.inFlight());
        assertEquals(0, collector.frames.size());

        // an MSS no TCP sender uses: dropped whole, not cut into 3000 one-byte segments
        final PacketDescriptor tiny = load(pool, frame, 1, Offload.GSO_TCPV4);
        assertTrue(segmenting.offer(tiny, pool));
        segmenting.flush();
        assertEquals(DropReason.GSO_BAD_SIZE, tiny.dropReason());
        assertEquals(1, counters.valueOf("tsorsc.u.segment.drop.gso_bad_size", -1));
        assertEquals(0, collector.frames.size());
        assertEquals(0, pool.inFlight());

        // both custom formats are recognised: a CUSTOM4 frame segments under its description
        final byte[] custom = TestFrames.tcp(Tunnel.CUSTOM4, false, new byte[3000], new byte[0], ACK, 1, 1, false, 9);
        assertTrue(segmenting.offer(load(pool, custom, 1000, Offload.GSO_TCPV4), pool));
        assertEquals(3, collector.frames.size());
        assertEquals(0, pool.inFlight());
        pool.close();
    }
}
