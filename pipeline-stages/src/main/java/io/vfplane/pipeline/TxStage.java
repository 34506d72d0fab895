package io.vfplane.pipeline;

import org.agrona.concurrent.status.AtomicCounter;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.packet.PacketDescriptor;

/**
 * The last stage: hands every live packet (and every fan-out copy after its original) to the {@link Output} named by
 * its {@link PacketDescriptor#outPort()}, returns the buffers of dropped packets to the pool (in one bulk release at
 * the end of the batch: the buffers were allocated on another core), and flushes the outputs
 * it used at the end of the batch. A packet whose port has no output, or whose output is full, is released and
 * counted ({@code no_output}, {@code output_full}); those are tx's own counters, not {@code DropReason}s, because
 * the packet has left the stage chain and no later stage looks at its reason.
 */
public final class TxStage implements Stage
{
    /** The name tx stages have in counters and {@code show pipeline}. */
    public static final String NAME = "tx";
    /** Buffers held for one bulk release; a batch that drops more releases every this many. */
    private static final int RELEASE_BULK = 256;

    private final Output[] outputs;
    private final boolean[] used;
    /** Buffers of dropped or refused packets, released together at the end of the batch. */
    private final int[] toRelease = new int[RELEASE_BULK];
    private int pendingReleases;
    private PacketPool pool;
    private AtomicCounter sentCounter;
    private AtomicCounter noOutputCounter;
    private AtomicCounter outputFullCounter;
    private AtomicCounter releasedCounter;
    private long sent;
    private long noOutput;
    private long outputFull;
    private long released;

    /**
     * @param outputs the outputs by port number; null entries are ports with no output.
     */
    public TxStage(final Output... outputs)
    {
        this.outputs = outputs.clone();
        this.used = new boolean[outputs.length];
    }

    @Override
    public String name()
    {
        return NAME;
    }

    /** Never run over calibration samples: they would leave by the real outputs. */
    @Override
    public boolean calibratable()
    {
        return false;
    }

    @Override
    public void onStart(final StageContext context)
    {
        pool = context.pool();
        sentCounter = context.newCounter("sent");
        noOutputCounter = context.newCounter("no_output");
        outputFullCounter = context.newCounter("output_full");
        releasedCounter = context.newCounter("released");
    }

    @Override
    public void onBatch(final PacketBatch batch)
    {
        for (int i = 0, n = batch.size(); i < n; i++)
        {
            final PacketEntry entry = batch.entry(i);
            final PacketDescriptor packet = entry.packet;
            if (packet.isDropped())
            {
                release(packet);
            }
            else
            {
                send(packet);
            }
            for (int c = 0, k = entry.cloneCount; c < k; c++)
            {
                send(entry.clones[c]);
            }
            entry.cloneCount = 0;
        }
    }

    private void send(final PacketDescriptor packet)
    {
        final int port = packet.outPort();
        final Output output = port >= 0 && port < outputs.length ? outputs[port] : null;
        if (output == null)
        {
            noOutput++;
            release(packet);
        }
        else if (output.offer(packet, pool))
        {
            used[port] = true;
            sent++;
            packet.unbind();
        }
        else
        {
            used[port] = true;
            outputFull++;
            release(packet);
        }
    }

    private void release(final PacketDescriptor packet)
    {
        if (packet.bufferId() >= 0)
        {
            if (pendingReleases == toRelease.length)
            {
                releasePending();
            }
            toRelease[pendingReleases++] = packet.bufferId();
            released++;
        }
        packet.unbind();
    }

    /** One bulk release (one free-list CAS, one counter add) for the buffers of the batch's dropped packets. */
    private void releasePending()
    {
        if (pendingReleases != 0)
        {
            pool.release(toRelease, 0, pendingReleases);
            pendingReleases = 0;
        }
    }

    @Override
    public void onEndOfBatch()
    {
        // first: the engine calls this after a failed batch too, and the buffers must go back whatever flush does
        releasePending();
        for (int p = 0; p < outputs.length; p++)
        {
            if (used[p])
            {
                used[p] = false;
                outputs[p].flush();
            }
        }
        if (sent != 0)
        {
            sentCounter.getAndAddRelease(sent);
            sent = 0;
        }
        if (noOutput != 0)
        {
            noOutputCounter.getAndAddRelease(noOutput);
            noOutput = 0;
        }
        if (outputFull != 0)
        {
            outputFullCounter.getAndAddRelease(outputFull);
            outputFull = 0;
        }
        if (released != 0)
        {
            releasedCounter.getAndAddRelease(released);
            released = 0;
        }
    }
}
