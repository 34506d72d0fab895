package io.vfplane.tsorsc.gso;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.packet.Offload;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.parse.DropReason;
import io.vfplane.dataplane.parse.PacketParser;
import io.vfplane.dataplane.parse.ParseResult;
import io.vfplane.pipeline.Output;
import io.vfplane.tsorsc.CustomFormats;
import io.vfplane.tsorsc.ModuleCounters;
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
 * and counted if the port refuses it. A pool that runs dry drops the rest of the frame, counted. A dropped packet's
 * descriptor carries its {@link DropReason} ({@code GSO_UNSUPPORTED}, {@code GSO_POOL_EMPTY}, {@code GSO_BAD_SIZE}),
 * counted by reason.
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
    private final CustomFormats customFormats = new CustomFormats();
    private final long[] drops = new long[DropReason.VALUES.length];
    private ModuleCounters published;

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
        customFormats.put(udpPort, description);
        return this;
    }

    /**
     * Forgets the custom format declared for a port.
     *
     * @param udpPort destination port.
     * @return this.
     */
    public SegmentingOutput removeCustomFormat(final int udpPort)
    {
        customFormats.remove(udpPort);
        return this;
    }

    /**
     * Registers the counters {@code tsorsc.<name>.segment.frames_segmented / segments_out / port_refused /
     * drop.gso_unsupported / drop.gso_pool_empty / drop.gso_bad_size}, published at each {@link #flush()}. Setup
     * time only.
     *
     * @param counters where.
     * @param name     names this output in the labels (no dots).
     * @return this.
     */
    public SegmentingOutput counters(final Counters counters, final String name)
    {
        published = new ModuleCounters(counters, ModuleCounters.prefix(name, "segment"),
            "frames_segmented", "segments_out", "port_refused",
            "drop." + DropReason.GSO_UNSUPPORTED.label(), "drop." + DropReason.GSO_POOL_EMPTY.label(),
            "drop." + DropReason.GSO_BAD_SIZE.label());
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
        final TunnelDescription custom = customFormats.find(buffer, packet.offset(), packet.length());
        final int rc = custom != null ?
            layout.describe(custom, parser, scratch, buffer, packet.offset(), packet.length()) :
            layout.parse(parser, scratch, buffer, packet.offset(), packet.length());
        if (rc != SegmentLayout.OK || (type != Offload.GSO_TCPV4 && type != Offload.GSO_TCPV6 &&
            type != Offload.GSO_UDP_L4))
        {
            unsupported++;
            drop(packet, pool, DropReason.GSO_UNSUPPORTED);
            return true;
        }
        if (!Segmenter.plausible(layout.l4Protocol(), packet.gsoSize(),
            Segmenter.segmentCount(layout, packet.gsoSize())))
        {
            drop(packet, pool, DropReason.GSO_BAD_SIZE);
            return true;
        }
        sink.begin(pool, packet);
        final boolean partial = checksumOffload && (packet.offloadFlags() & Offload.FLAG_NEEDS_CSUM) != 0;
        if (segmenter.segment(buffer, packet.offset(), layout, packet.gsoSize(), partial, sink) < 0)
        {
            // the segments already sent stay sent; the rest of the frame is lost
            poolEmpty++;
            drop(packet, pool, DropReason.GSO_POOL_EMPTY);
        }
        else
        {
            framesSegmented++;
            pool.release(packet.bufferId());
        }
        return true;
    }

    private void drop(final PacketDescriptor packet, final PacketPool pool, final DropReason reason)
    {
        drops[reason.ordinal()]++;
        pool.release(packet.bufferId());
        packet.drop(reason);
    }

    @Override
    public void flush()
    {
        port.flush();
        final ModuleCounters c = published;
        if (c != null)
        {
            c.publish(0, framesSegmented);
            c.publish(1, segmentsOut);
            c.publish(2, portRefused);
            c.publish(3, drops[DropReason.GSO_UNSUPPORTED.ordinal()]);
            c.publish(4, drops[DropReason.GSO_POOL_EMPTY.ordinal()]);
            c.publish(5, drops[DropReason.GSO_BAD_SIZE.ordinal()]);
        }
    }

    /**
     * @param reason why.
     * @return packets dropped for that reason.
     */
    public long drops(final DropReason reason)
    {
        return drops[reason.ordinal()];
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
