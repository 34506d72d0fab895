package io.vfplane.tsorsc.gro;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.dataplane.parse.DropReason;
import io.vfplane.dataplane.parse.PacketParser;
import io.vfplane.pipeline.Output;
import io.vfplane.tsorsc.ModuleCounters;
import io.vfplane.tsorsc.TunnelDescription;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Coalescing in front of a port that takes large frames (a TAP with a vnet header, a VF that does LRO): an
 * {@link Output} that hands what it is offered to a {@link Coalescer} and passes the merged frames, contiguous and
 * with gso metadata in the descriptor (gso type TCPv4/TCPv6, gso size, header length, and NEEDS_CSUM with
 * csum_start/csum_offset, or DATA_VALID when the coalescer verifies: what a {@code virtio_net_hdr} needs), to the
 * wrapped output at {@link #flush()} (end of the pipeline's batch) and on the time limit ({@link #poll(long)}).
 *
 * <h2>Making a merged frame contiguous</h2>
 * The segments' payloads are copied after the head segment's payload in the head's own slot when it has room (a
 * pool of large slots), else the whole frame is copied into a buffer of the frame pool; the segments' buffers are
 * released either way. A frame pool with no buffer drops the merged frame: every segment in it is counted under
 * {@link DropReason#GSO_POOL_EMPTY}. Frames that were not merged go to the wrapped output unchanged, in their own
 * buffers.
 *
 * <h2>Time</h2>
 * The clock is read once per batch (the first offer after a flush), not per packet. Inside a pipeline every batch ends
 * with a flush, which hands out every held frame, so the time limit matters only to a caller that offers without
 * flushing and calls {@link #poll(long)}.
 * <p>
 * Called from one thread (the pipeline's tx thread); no allocation per packet.
 */
public final class CoalescingOutput implements Output, CoalescedFrameHandler
{
    private static final int COALESCED_FRAMES = 0;
    private static final int COALESCED_SEGMENTS = 1;
    private static final int FRAMES_OUT = 2;
    private static final int PORT_REFUSED = 3;
    private static final int DROP_POOL_EMPTY = 4;

    private final Output port;
    private final PacketPool pool;
    private final PacketPool framePool;
    private final Coalescer coalescer;
    private final PacketDescriptor out = new PacketDescriptor();
    private long nowNs;
    private boolean clockRead;
    private ModuleCounters published;

    private long coalescedFrames;
    private long coalescedSegments;
    private long framesOut;
    private long portRefused;
    private long poolEmptyDrops;

    /**
     * @param port      the wrapped output: takes the merged frames.
     * @param pool      the pool the offered packets' buffers belong to; it also holds the merged frames when its
     *                  slots are large enough.
     * @param parser    parser for the segments' layouts.
     * @param flowSlots flows held at once, a power of two.
     * @param timeoutNs a frame held longer is handed out by {@link #poll(long)}.
     * @param verify    verify each segment's TCP checksum (see {@link Coalescer}).
     */
    public CoalescingOutput(
        final Output port,
        final PacketPool pool,
        final PacketParser parser,
        final int flowSlots,
        final long timeoutNs,
        final boolean verify)
    {
        this(port, pool, pool, parser, flowSlots, timeoutNs, verify);
    }

    /**
     * @param port      the wrapped output.
     * @param pool      the pool of the offered packets.
     * @param framePool large buffers for merged frames whose head slot is too small to hold them.
     * @param parser    parser for the segments' layouts.
     * @param flowSlots flows held at once, a power of two.
     * @param timeoutNs a frame held longer is handed out by {@link #poll(long)}.
     * @param verify    verify each segment's TCP checksum.
     */
    public CoalescingOutput(
        final Output port,
        final PacketPool pool,
        final PacketPool framePool,
        final PacketParser parser,
        final int flowSlots,
        final long timeoutNs,
        final boolean verify)
    {
        this.port = port;
        this.pool = pool;
        this.framePool = framePool;
        this.coalescer = new Coalescer(pool, parser, flowSlots, timeoutNs, verify, this).releaseBuffers(false);
    }

    /**
     * Declares a custom tunnel format by outer UDP destination port (see {@link Coalescer#customFormat}).
     *
     * @param udpPort     port.
     * @param description format.
     * @return this.
     */
    public CoalescingOutput customFormat(final int udpPort, final TunnelDescription description)
    {
        coalescer.customFormat(udpPort, description);
        return this;
    }

    /**
     * Registers the counters {@code tsorsc.<name>.coalesce.*} (the coalescer's, plus coalesced_frames,
     * coalesced_segments, output_frames, port_refused, drop.gso_pool_empty), published at each flush. Setup time.
     *
     * @param counters where.
     * @param name     names this output in the labels (no dots).
     * @return this.
     */
    public CoalescingOutput counters(final Counters counters, final String name)
    {
        coalescer.counters(counters, name);
        published = new ModuleCounters(counters, ModuleCounters.prefix(name, "coalesce"),
            "coalesced_frames", "coalesced_segments", "output_frames", "port_refused",
            "drop." + DropReason.GSO_POOL_EMPTY.label());
        return this;
    }

    @Override
    public boolean offer(final PacketDescriptor packet, final PacketPool owner)
    {
        if (owner != pool)
        {
            // the coalescer reads one pool's buffer: anything else goes straight on
            return port.offer(packet, owner);
        }
        if (!clockRead)
        {
            nowNs = System.nanoTime();
            clockRead = true;
        }
        coalescer.offer(packet, nowNs);
        return true;
    }

    @Override
    public void flush()
    {
        clockRead = false;
        coalescer.flushAll();
        port.flush();
        publish();
    }

    /**
     * Hands out the frames held longer than the time limit (for a caller that does not flush every batch).
     *
     * @param now the current time, {@link System#nanoTime()} scale.
     * @return frames handed out.
     */
    public int poll(final long now)
    {
        final int n = coalescer.poll(now);
        if (n > 0)
        {
            port.flush();
            publish();
        }
        return n;
    }

    @Override
    public void onFrame(final CoalescedFrame frame)
    {
        final int head = frame.headBufferId();
        final int n = frame.fragmentCount();
        if (n == 0)
        {
            out.copyFrom(frame.metadata());
            send(out, pool);
            return;
        }
        final int length = frame.length();
        final UnsafeBuffer buffer = pool.buffer();
        if (pool.slotLimit(head) - frame.headOffset() >= length)
        {
            // room in the head's slot: append the fragments there, in order (other slots, so no overlap)
            int position = frame.headOffset() + frame.headLength();
            for (int i = 0; i < n; i++)
            {
                buffer.putBytes(position, buffer, frame.fragmentOffset(i), frame.fragmentLength(i));
                position += frame.fragmentLength(i);
            }
            releaseFragments(frame);
            out.copyFrom(frame.metadata()).bind(head, frame.headOffset(), length);
            countMerged(n + 1);
            send(out, pool);
            return;
        }
        final int id = framePool.allocate();
        if (id == PacketPool.NO_BUFFER || framePool.dataCapacity() < length)
        {
            if (id != PacketPool.NO_BUFFER)
            {
                framePool.release(id);
            }
            poolEmptyDrops += n + 1;
            pool.release(head);
            releaseFragments(frame);
            return;
        }
        final int at = framePool.dataOffset(id);
        frame.copyTo(framePool.buffer(), at);
        pool.release(head);
        releaseFragments(frame);
        out.copyFrom(frame.metadata()).bind(id, at, length);
        countMerged(n + 1);
        send(out, framePool);
    }

    private void countMerged(final int segments)
    {
        coalescedFrames++;
        coalescedSegments += segments;
    }

    private void releaseFragments(final CoalescedFrame frame)
    {
        for (int i = 0, n = frame.fragmentCount(); i < n; i++)
        {
            pool.release(frame.fragmentBufferId(i));
        }
    }

    private void send(final PacketDescriptor packet, final PacketPool owner)
    {
        if (port.offer(packet, owner))
        {
            framesOut++;
        }
        else
        {
            portRefused++;
            owner.release(packet.bufferId());
        }
    }

    private void publish()
    {
        final ModuleCounters c = published;
        if (c != null)
        {
            c.publish(COALESCED_FRAMES, coalescedFrames);
            c.publish(COALESCED_SEGMENTS, coalescedSegments);
            c.publish(FRAMES_OUT, framesOut);
            c.publish(PORT_REFUSED, portRefused);
            c.publish(DROP_POOL_EMPTY, poolEmptyDrops);
        }
    }

    /**
     * @return the coalescer (its counters).
     */
    public Coalescer coalescer()
    {
        return coalescer;
    }

    /**
     * @return merged frames (two or more segments) handed out.
     */
    public long coalescedFrames()
    {
        return coalescedFrames;
    }

    /**
     * @return segments in the merged frames.
     */
    public long coalescedSegments()
    {
        return coalescedSegments;
    }

    /**
     * @return frames the wrapped output took.
     */
    public long framesOut()
    {
        return framesOut;
    }

    /**
     * @return frames the wrapped output refused (released).
     */
    public long portRefused()
    {
        return portRefused;
    }

    /**
     * @param reason why.
     * @return segments dropped for that reason (only {@link DropReason#GSO_POOL_EMPTY}: no frame buffer).
     */
    public long drops(final DropReason reason)
    {
        return reason == DropReason.GSO_POOL_EMPTY ? poolEmptyDrops : 0;
    }
}
