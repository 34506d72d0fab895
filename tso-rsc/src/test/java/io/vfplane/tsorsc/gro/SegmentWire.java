package io.vfplane.tsorsc.gro;

import java.util.ArrayList;
import java.util.List;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.Offload;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.dataplane.parse.PacketParser;
import io.vfplane.pipeline.Output;
import io.vfplane.tsorsc.SegmentCheck;
import io.vfplane.tsorsc.TestFrames;
import io.vfplane.tsorsc.TestFrames.Tunnel;
import io.vfplane.tsorsc.TunnelDescription;
import io.vfplane.tsorsc.gso.SegmentingOutput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The coalescer tests' wire: test frames cut by the real segmenter, their segments waiting in pool slots
 * ({@link #segments}) to be reordered, damaged or dropped before a coalescer takes them. Knows the custom test format.
 */
final class SegmentWire implements AutoCloseable
{
    final Counters counters = Counters.inMemory(64);
    final PacketPool pool = new PacketPool("wire", 512, 128, 70_000, counters);
    final PacketParser parser = new PacketParser(SegmentCheck.CONFIG);
    final TunnelDescription custom = new TunnelDescription().set(TestFrames.outerLength(Tunnel.CUSTOM4), 14, 34, 46, 8);
    /** Segments from the tx path, in the order sent until a test changes it. */
    final List<PacketDescriptor> segments = new ArrayList<>();

    private final SegmentingOutput segmenting = new SegmentingOutput(new Output()
    {
        @Override
        public boolean offer(final PacketDescriptor packet, final PacketPool p)
        {
            segments.add(new PacketDescriptor().copyFrom(packet));
            return true;
        }

        @Override
        public void flush()
        {
        }
    }, parser, false).customFormat(TestFrames.CUSTOM_PORT, custom);

    /** A coalescer over this wire's pool and parser that knows the custom test format. */
    Coalescer coalescer(final boolean verify, final CoalescedFrameHandler handler)
    {
        return new Coalescer(pool, parser, 16, 1_000_000, verify, handler)
            .customFormat(TestFrames.CUSTOM_PORT, custom);
    }

    /** Segments {@code frame} at {@code mss} onto the wire (the segmenter takes the IP version from the frame). */
    void send(final byte[] frame, final int mss)
    {
        final int id = pool.allocate();
        final int offset = pool.dataOffset(id);
        pool.buffer().putBytes(offset, frame);
        final PacketDescriptor p = new PacketDescriptor().resetMetadata().bind(id, offset, frame.length);
        p.gsoType(Offload.GSO_TCPV4).gsoSize(mss);
        assertTrue(segmenting.offer(p, pool));
    }

    @Override
    public void close()
    {
        assertEquals(0, pool.inFlight(), "every buffer released");
        pool.close();
        counters.close();
    }
}
