package io.vfplane.tsorsc.gso;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.packet.Offload;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.dataplane.parse.PacketParser;
import io.vfplane.dataplane.parse.ParseResult;
import io.vfplane.pipeline.Output;
import io.vfplane.tsorsc.SegmentLayout;
import io.vfplane.tsorsc.TunnelDescription;
import org.agrona.MutableDirectBuffer;

/**
 * Segmentation in the transmit path: an {@link Output} in front of a port's output that cuts each packet whose
 * metadata asks for GSO (gso type TCPv4, TCPv6 or UDP_L4, gso size) into segments in fresh pool buffers and offers
 * them, in order, to the port. Packets without GSO pass straight through.
 *
 * <h2>Why here and not in a stage</h2>
 * A pipeline stage changes packets in their ring entry and may fan out only a few copies per entry
 * ({@code PacketBatch.cloneTo}, a handful of clone descriptors carried by the entry), while one 64 KiB frame makes
 * 45 segments, and a BIG TCP frame more. Doing it at the last moment, where a NIC or the kernel's
 * {@code dev_queue_xmit} would, keeps every stage before it working on one large packet (one rule lookup, one
 * encapsulation per 64 KiB: the point of TSO), needs no ring room for the segments, and lets a port that can take
 * large frames (a TAP with a vnet header) skip this output altogether.
 * <p>
 * Ownership: the large packet's buffer is released once cut; each segment buffer goes to the port, or is released
 * and counted if the port refuses it. A pool that runs dry drops the rest of the frame, counted.
 */
public final class SegmentingOutput implements Output
{
    private final Output port;
    private final PacketParser parser;
    private final ParseResult scratch = new ParseResult();
    private final SegmentLayout layout = new SegmentLayout();
    private final Segmenter segmenter = new Segmenter();
    private final boolean checksumOffload;
    private final PoolSink sink = new PoolSink();
    private TunnelDescription custom;
    private int customPort = -1;

    private long framesSegmented;
    private long segmentsOut;
    private long unsupported;
    private long poolEmpty;
    private long portRefused;

    /**
     * @param port            the port's output.
     * @param parser          parser for the frames' layouts.
     * @param checksumOffload the port completes partial checksums (virtio-net NEEDS_CSUM): plain TCP segments whose
     *                        packet asked for it keep the checksum partial.
     */
    public SegmentingOutput(final Output port, final PacketParser parser, final boolean checksumOffload)
    {
        this.port = port;
        this.parser = parser;
        this.checksumOffload = checksumOffload;
    }

    /**
     * Declares a custom tunnel format by outer UDP destination port.
     *
     * @param udpPort     port.
     * @param description format.
     * @return this.
     */
    public SegmentingOutput customFormat(final int udpPort, final TunnelDescription description)
    {
        this.customPort = udpPort;
        this.custom = description;
        return this;
    }

    @Override
    public boolean offer(final PacketDescriptor packet, final PacketPool pool)
    {
        final int type = packet.gsoType() & ~Offload.GSO_ECN;
        if (type == Offload.GSO_NONE || packet.gsoSize() <= 0)
        {
            return port.offer(packet, pool);
        }
        final MutableDirectBuffer buffer = pool.buffer();
        final int rc = isCustom(buffer, packet) ?
            layout.describe(custom, parser, scratch, buffer, packet.offset(), packet.length()) :
            layout.parse(parser, scratch, buffer, packet.offset(), packet.length());
        if (rc != SegmentLayout.OK)
        {
            unsupported++;
            pool.release(packet.bufferId());
            return true;
        }
        sink.begin(pool, packet);
        final boolean partial = checksumOffload && (packet.offloadFlags() & Offload.FLAG_NEEDS_CSUM) != 0;
        if (segmenter.segment(buffer, packet.offset(), layout, packet.gsoSize(), partial, sink) < 0)
        {
            poolEmpty++;
        }
        else
        {
            framesSegmented++;
        }
        pool.release(packet.bufferId());
        return true;
    }

    @Override
    public void flush()
    {
        port.flush();
    }

    private boolean isCustom(final MutableDirectBuffer buffer, final PacketDescriptor packet)
    {
        return customPort >= 0 && custom.udpOffset() >= 0 && packet.length() > custom.outerHeaderLength() &&
            (buffer.getShort(packet.offset() + custom.udpOffset() + 2, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF) ==
            customPort;
    }

    public long framesSegmented()
    {
        return framesSegmented;
    }

    public long segmentsOut()
    {
        return segmentsOut;
    }

    public long unsupported()
    {
        return unsupported;
    }

    public long poolEmpty()
    {
        return poolEmpty;
    }

    public long portRefused()
    {
        return portRefused;
    }

    private final class PoolSink implements SegmentSink
    {
        private final PacketDescriptor out = new PacketDescriptor();
        private PacketPool pool;
        private PacketDescriptor source;
        private int id;
        private int offset;

        void begin(final PacketPool pool, final PacketDescriptor source)
        {
            this.pool = pool;
            this.source = source;
        }

        @Override
        public MutableDirectBuffer buffer()
        {
            return pool.buffer();
        }

        @Override
        public int claim(final int length)
        {
            id = pool.allocate();
            if (id == PacketPool.NO_BUFFER)
            {
                return -1;
            }
            if (length > pool.dataCapacity())
            {
                pool.release(id);
                return -1;
            }
            offset = pool.dataOffset(id);
            return offset;
        }

        @Override
        public void commit(final int length, final PacketDescriptor segment)
        {
            out.copyFrom(source).bind(id, offset, length);
            out.gsoType(Offload.GSO_NONE).gsoSize(0)
                .offloadFlags(segment.offloadFlags())
                .headerLength(segment.headerLength())
                .csumStart(segment.csumStart())
                .csumOffset(segment.csumOffset());
            if (port.offer(out, pool))
            {
                segmentsOut++;
            }
            else
            {
                portRefused++;
                pool.release(id);
            }
        }
    }
}
