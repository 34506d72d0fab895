package io.vfplane.perf.harness;

import java.util.concurrent.atomic.AtomicLong;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.packet.Offload;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.pipeline.Output;

/**
 * The end of a scenario's pipeline: the output every packet leaves by. It counts packets and bytes, records each
 * packet's latency from its generation time ({@link PacketDescriptor#timestampNs()}, set by the generator) into a
 * {@link LatencyRecorder}, and releases the buffers at the end of the batch in one bulk call, as a port that sent them
 * would (one free-list CAS and one counter add per batch, not per packet: the buffers were allocated on another core).
 *
 * <p>Counting unit: a frame that carries a GSO request (a merged RSC frame) counts as the segments it holds
 * ({@code ceil(payload / gso size)}), so RSC is counted in the segments it took in, like every other scenario is in
 * the packets it took in; TSO's segments arrive here one by one and count one each.
 *
 * <p>The clock is read at most once per {@value #CLOCK_EVERY} packets (and at the first packet of each batch), not per
 * packet: a packet's latency may be short by the time the sink spends on the packets before it in the same group,
 * a few nanoseconds each. Counts are published once per batch (an ordered store), so the harness reads them without
 * a lock. No allocation.
 */
final class Sink implements Output
{
    static final int CLOCK_EVERY = 32;
    /** Buffers held for the bulk release; a batch larger than this releases every this many. */
    static final int RELEASE_BULK = 256;

    private final LatencyRecorder latency = new LatencyRecorder();
    private final AtomicLong publishedPackets = new AtomicLong();
    private final AtomicLong publishedBytes = new AtomicLong();
    private final AtomicLong publishedFrames = new AtomicLong();
    private final int[] toRelease = new int[RELEASE_BULK];
    private int releaseCount;
    private PacketPool releasePool;
    private long packets;
    private long bytes;
    private long frames;
    private long now;
    private int sinceClock = CLOCK_EVERY;

    @Override
    public boolean offer(final PacketDescriptor packet, final PacketPool pool)
    {
        if (++sinceClock >= CLOCK_EVERY)
        {
            now = System.nanoTime();
            sinceClock = 0;
        }
        latency.record(now - packet.timestampNs());
        final int length = packet.length();
        frames++;
        bytes += length;
        final int gsoSize = packet.gsoSize();
        if (packet.gsoType() != Offload.GSO_NONE && gsoSize > 0)
        {
            packets += Math.max(1, (length - packet.headerLength() + gsoSize - 1) / gsoSize);
        }
        else
        {
            packets++;
        }
        if (releaseCount == RELEASE_BULK || (releasePool != pool && releaseCount != 0))
        {
            releaseHeld();
        }
        releasePool = pool;
        toRelease[releaseCount++] = packet.bufferId();
        return true;
    }

    @Override
    public void flush()
    {
        releaseHeld();
        sinceClock = CLOCK_EVERY;
        publishedPackets.lazySet(packets);
        publishedBytes.lazySet(bytes);
        publishedFrames.lazySet(frames);
        latency.endOfBatch();
    }

    private void releaseHeld()
    {
        if (releaseCount != 0)
        {
            releasePool.release(toRelease, 0, releaseCount);
            releaseCount = 0;
        }
    }

    LatencyRecorder latency()
    {
        return latency;
    }

    /** Packets so far, in the scenario's unit (see class comment); as of the last batch. */
    long packets()
    {
        return publishedPackets.get();
    }

    /** Bytes of the frames that left so far; as of the last batch. */
    long bytes()
    {
        return publishedBytes.get();
    }

    /** Frames that left so far (merged RSC frames count one); as of the last batch. */
    long frames()
    {
        return publishedFrames.get();
    }
}
