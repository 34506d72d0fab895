package io.vfplane.overlay.offload;

import java.nio.ByteOrder;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.headers.EthernetFlyweight;
import io.vfplane.dataplane.headers.Ipv4Flyweight;
import io.vfplane.dataplane.headers.UdpFlyweight;
import io.vfplane.dataplane.packet.Offload;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.dataplane.parse.DropReason;
import io.vfplane.dataplane.parse.PacketParser;
import io.vfplane.dataplane.parse.ParseResult;
import io.vfplane.pipeline.Output;
import io.vfplane.tsorsc.ModuleCounters;
import io.vfplane.tsorsc.SegmentLayout;
import io.vfplane.tsorsc.gso.SegmentSink;
import io.vfplane.tsorsc.gso.Segmenter;
import io.vfplane.tsorsc.gso.SegmentingOutput;
import io.vfplane.vf.port.udp.UdpUnderlayPort;
import io.vfplane.vf.port.udp.UnderlayConfig;

/**
 * Tunnel TSO in front of the UDP underlay: an encapsulated large frame (a guest's 64 KiB TCP frame with gso metadata,
 * outer Ethernet/IPv4/UDP/VXLAN prepended) is cut by tso-rsc's {@link Segmenter} into VXLAN datagrams that are laid
 * end to end in ONE pool slot, and handed to the underlay as one {@code GSO_UDP_L4} frame whose gso size is the
 * datagram size: the underlay sends it with one UDP GSO write (the kernel cuts the payload at every gso size; the last
 * datagram may be shorter), so a 64 KiB guest frame costs one system call and one pass through the kernel's UDP stack.
 *
 * <h2>Laying the datagrams end to end</h2>
 * The segmenter writes each segment as a whole frame (outer headers included). Only the first segment's outer headers
 * are needed (the underlay reads the destination there); the others are written over the previous segment's last
 * {@code outer} bytes and that tail is put back when the segment is committed:
 * <pre>
 *  slot:  | outer(42) | datagram 0 ............... | datagram 1 ............... | datagram 2 ...... |
 *                                     segment 1 written here: | outer | vxlan | inner | payload  |
 *                                     (the 42 bytes under it saved at commit 0, restored at commit 1)
 * </pre>
 * Every inner TCP checksum is computed in full as the payload is copied (one pass): the peer may be the kernel's
 * vxlan device, which verifies it. Frames this cannot lay out (not IPv4/UDP outside, not a tunnel the parser knows,
 * or too large for a slot) go through tso-rsc's per-segment {@link SegmentingOutput}, the underlay then batching the
 * datagrams (sendmmsg).
 * <p>
 * One instance per pipeline thread; nothing allocated per packet.
 */
public final class TunnelGsoOutput implements Output
{
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    private static final int MAX_OUTER = EthernetFlyweight.HEADER_LENGTH + 60 + UdpFlyweight.HEADER_LENGTH;

    private final Output underlay;
    /** The underlay port when it sends gathered trains (native transport with UDP GSO), else null. */
    private final UdpUnderlayPort gatherer;
    private final long[] pieceAddresses = new long[UdpUnderlayPort.MAX_GATHER];
    private final int[] pieceLengths = new int[UdpUnderlayPort.MAX_GATHER];
    private final PacketParser parser;
    private final ParseResult scratch = new ParseResult();
    private final SegmentLayout layout = new SegmentLayout();
    private final Segmenter segmenter = new Segmenter();
    private final SegmentingOutput fallback;
    private final TrainSink sink = new TrainSink();
    private final PacketDescriptor train = new PacketDescriptor();

    private long trains;
    private long gathered;
    private long fallbacks;
    private long poolEmpty;
    private long badSize;
    private ModuleCounters published;

    /**
     * @param underlay the underlay port's output (it must take {@code GSO_UDP_L4} frames).
     * @param parser   knows the tunnel ports in use.
     */
    public TunnelGsoOutput(final Output underlay, final PacketParser parser)
    {
        this(underlay, null, parser);
    }

    /**
     * @param underlay the underlay port's output (it must take {@code GSO_UDP_L4} frames).
     * @param port     the underlay port itself: when it {@link UdpUnderlayPort#sendsGathered() sends gathered}
     *                 trains, a large frame's segments go out as headers written here and payload left in place
     *                 (no payload copy); null or a port that cannot: the train is copied into one slot.
     * @param parser   knows the tunnel ports in use.
     */
    public TunnelGsoOutput(final Output underlay, final UdpUnderlayPort port, final PacketParser parser)
    {
        this.underlay = underlay;
        this.gatherer = port != null && port.sendsGathered() ? port : null;
        this.parser = parser;
        this.fallback = new SegmentingOutput(underlay, parser, false);
    }

    /**
     * Registers the counters {@code tsorsc.<name>.tunnel_tso.trains / gathered / fallbacks / drop.gso_pool_empty /
     * drop.gso_bad_size} and the per-segment fallback's {@code tsorsc.<name>.segment.*}, published at each
     * {@link #flush()}. Setup time only.
     *
     * @param counters where.
     * @param name     names this output (letters, digits, '_' and '-').
     * @return this.
     */
    public TunnelGsoOutput counters(final Counters counters, final String name)
    {
        published = new ModuleCounters(counters, ModuleCounters.prefix(name, "tunnel_tso"), "trains", "gathered",
            "fallbacks", "drop." + DropReason.GSO_POOL_EMPTY.label(), "drop." + DropReason.GSO_BAD_SIZE.label());
        fallback.counters(counters, name);
        return this;
    }

    @Override
    public boolean offer(final PacketDescriptor packet, final PacketPool pool)
    {
        final int type = packet.gsoType() & ~Offload.GSO_ECN;
        if (type == Offload.GSO_NONE || packet.gsoSize() <= 0)
        {
            return underlay.offer(packet, pool);
        }
        final MutableDirectBuffer buffer = pool.buffer();
        final int frame = packet.offset();
        final int outer = outerLength(buffer, frame, packet.length());
        if (outer < 0 ||
            layout.parse(parser, scratch, buffer, frame, packet.length()) != SegmentLayout.OK || !layout.isTunnel())
        {
            fallbacks++;
            return fallback.offer(packet, pool);
        }
        final int gsoSize = packet.gsoSize();
        final int count = Segmenter.segmentCount(layout, gsoSize);
        if (!Segmenter.plausible(layout.l4Protocol(), gsoSize, count))
        {
            badSize++;
            pool.release(packet.bufferId());
            return true;
        }
        final int datagram = layout.headerLength() - outer + gsoSize;
        if (gatherer != null && gather(packet, pool, outer, gsoSize, count, datagram))
        {
            return true;
        }
        if (outer + (long)count * datagram > pool.dataCapacity())
        {
            fallbacks++;
            return fallback.offer(packet, pool);
        }
        final int id = pool.allocate();
        if (id == PacketPool.NO_BUFFER)
        {
            poolEmpty++;
            pool.release(packet.bufferId());
            return true;
        }
        final int base = pool.dataOffset(id);
        sink.begin(buffer, base, outer);
        segmenter.segment(buffer, frame, layout, gsoSize, false, sink);
        train.copyFrom(packet).bind(id, base, sink.end - base);
        train.offloadFlags(0).csumStart(0).csumOffset(0).headerLength(0);
        if (count > 1)
        {
            train.gsoType(Offload.GSO_UDP_L4).gsoSize(datagram);
        }
        else
        {
            train.gsoType(Offload.GSO_NONE).gsoSize(0);
        }
        pool.release(packet.bufferId());
        trains++;
        if (!underlay.offer(train, pool))
        {
            pool.release(id);
        }
        train.unbind();
        return true;
    }

    /**
     * Every segment's headers are written behind the frame in its own slot, and each datagram is gathered from its
     * headers (without the outer ones: the socket adds them) and its payload where the guest put it:
     * <pre>
     *  slot: | headroom | frame: outer | vxlan+inner hdrs | payload 0 | payload 1 | ... | hdrs 0 | hdrs 1 | ... |
     *  message: iov = [hdrs 0 (after outer)] [payload 0] [hdrs 1 (after outer)] [payload 1] ...  UDP_SEGMENT = datagram
     * </pre>
     * A message takes as many datagrams as one UDP GSO send may carry; the slot goes back to the pool with the last.
     *
     * @return false (nothing done) when the slot has no room behind the frame for the headers.
     */
    private boolean gather(
        final PacketDescriptor packet, final PacketPool pool, final int outer, final int gsoSize, final int count,
        final int datagram)
    {
        final MutableDirectBuffer buffer = pool.buffer();
        final int frame = packet.offset();
        final int header = layout.headerLength();
        final int stride = (header + 7) & ~7;
        final int headers = (frame + packet.length() + 7) & ~7;
        final int perMessage = Math.min(UdpUnderlayPort.GSO_MAX_SEGMENTS,
            Math.min(UdpUnderlayPort.MAX_GATHER / 2, UnderlayConfig.MAX_UDP_PAYLOAD / datagram));
        if (headers + (long)count * stride > pool.slotLimit(packet.bufferId()) || perMessage < 1 ||
            segmenter.segmentHeaders(buffer, frame, layout, gsoSize, buffer, headers, stride) != count)
        {
            return false;
        }
        final int ip = frame + EthernetFlyweight.HEADER_LENGTH;
        final int destination = buffer.getInt(ip + Ipv4Flyweight.DESTINATION_OFFSET, BE);
        final int port = buffer.getShort(frame + outer - UdpFlyweight.HEADER_LENGTH + 2, BE) & 0xFFFF;
        // the flow's source port as encap wrote it: the train leaves from the same send socket as the flow's other
        // frames, so one flow shows one outer source port on the wire
        final int sourcePort = buffer.getShort(frame + outer - UdpFlyweight.HEADER_LENGTH, BE) & 0xFFFF;
        final long base = buffer.addressOffset();
        final int payloadStart = frame + layout.inputHeaderLength();
        final int payloadLength = layout.payloadLength();
        int segment = 0;
        while (segment < count)
        {
            final int n = Math.min(perMessage, count - segment);
            int p = 0;
            for (int i = segment; i < segment + n; i++)
            {
                pieceAddresses[p] = base + headers + (long)i * stride + outer;
                pieceLengths[p++] = header - outer;
                final int chunk = Math.min(gsoSize, payloadLength - i * gsoSize);
                if (chunk > 0)
                {
                    pieceAddresses[p] = base + payloadStart + (long)i * gsoSize;
                    pieceLengths[p++] = chunk;
                }
            }
            segment += n;
            gatherer.sendGathered(destination, port, sourcePort, n > 1 ? datagram : 0, pieceAddresses, pieceLengths, p,
                pool, packet.bufferId(), segment == count);
        }
        gathered++;
        return true;
    }

    /** Ethernet (no VLAN) + IPv4 + UDP: the outer header length, or -1 for anything else. */
    private static int outerLength(final MutableDirectBuffer buffer, final int frame, final int length)
    {
        final int ip = frame + EthernetFlyweight.HEADER_LENGTH;
        if (length < EthernetFlyweight.HEADER_LENGTH + Ipv4Flyweight.MIN_HEADER_LENGTH + UdpFlyweight.HEADER_LENGTH ||
            (buffer.getShort(frame + EthernetFlyweight.ETHERTYPE_OFFSET, BE) & 0xFFFF) !=
                EthernetFlyweight.ETHERTYPE_IPV4)
        {
            return -1;
        }
        final int versionIhl = buffer.getByte(ip + Ipv4Flyweight.VERSION_IHL_OFFSET) & 0xFF;
        if ((versionIhl >>> 4) != 4 ||
            (buffer.getByte(ip + Ipv4Flyweight.PROTOCOL_OFFSET) & 0xFF) != Ipv4Flyweight.PROTOCOL_UDP)
        {
            return -1;
        }
        final int outer = EthernetFlyweight.HEADER_LENGTH + ((versionIhl & 0x0F) << 2) + UdpFlyweight.HEADER_LENGTH;
        return outer <= MAX_OUTER ? outer : -1;
    }

    @Override
    public void flush()
    {
        fallback.flush(); // flushes the underlay and publishes the fallback's counters
        final ModuleCounters c = published;
        if (c != null)
        {
            c.publish(0, trains);
            c.publish(1, gathered);
            c.publish(2, fallbacks);
            c.publish(3, poolEmpty);
            c.publish(4, badSize);
        }
    }

    /** Large frames sent as one UDP GSO train. */
    public long trains()
    {
        return trains;
    }

    /** Large frames sent as gathered trains (headers here, payload in place). */
    public long gathered()
    {
        return gathered;
    }

    /** Large frames segmented one datagram per segment instead. */
    public long fallbacks()
    {
        return fallbacks;
    }

    /** Large frames dropped for want of a slot for the train. */
    public long poolEmpty()
    {
        return poolEmpty;
    }

    /** Large frames dropped for a segment size no real sender uses ({@link Segmenter#plausible}). */
    public long badSize()
    {
        return badSize;
    }

    /** Lays the segments end to end, each one's outer headers over the tail of the one before. */
    private static final class TrainSink implements SegmentSink
    {
        private final UnsafeBuffer saved = new UnsafeBuffer(new byte[MAX_OUTER]);
        private MutableDirectBuffer buffer;
        private int outer;
        private int next;
        private int end;
        private boolean first;

        void begin(final MutableDirectBuffer buffer, final int base, final int outer)
        {
            this.buffer = buffer;
            this.outer = outer;
            this.next = base;
            this.end = base;
            this.first = true;
        }

        @Override
        public MutableDirectBuffer buffer()
        {
            return buffer;
        }

        @Override
        public int claim(final int length)
        {
            // the caller sized the slot for every segment before segmenting
            return next;
        }

        @Override
        public void commit(final int length, final PacketDescriptor segment)
        {
            final int segmentEnd = next + length;
            final int tail = segmentEnd - outer;
            if (first)
            {
                saved.putBytes(0, buffer, tail, outer);
                first = false;
            }
            else
            {
                // this segment's outer headers lie over the previous datagram's tail: put that tail back, and keep
                // this segment's own tail, which the next segment's outer headers will cover
                swapTail(tail, next);
            }
            end = segmentEnd;
            next = tail;
        }

        private void swapTail(final int tail, final int restoreAt)
        {
            // restoreAt..restoreAt+outer and tail..tail+outer do not overlap: a segment is longer than 2 * outer
            for (int i = 0; i < outer; i++)
            {
                final byte own = buffer.getByte(tail + i);
                buffer.putByte(restoreAt + i, saved.getByte(i));
                saved.putByte(i, own);
            }
        }
    }
}
