package io.vfplane.perf.harness;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.pipeline.Pipeline;

/**
 * The traffic source of a run, on its own thread: takes a pool buffer, copies the next template into it, sets the
 * descriptor as a guest-side port would (VF, flow hash, GSO request, out port 0) and the generation time, and offers
 * it to the pipeline (which blocks when the ring is full: nothing is dropped at the entry).
 *
 * <h2>Time stamps</h2>
 * <ul>
 *   <li>{@code --rate max}: as fast as the pipeline takes packets; the clock is read once per burst of
 *       {@value #BURST} and every packet of the burst carries that reading.</li>
 *   <li>{@code --rate PPS}: packet {@code i} is due at {@code start + i / PPS}; the generator sends every packet that
 *       is due (bursts of at most {@value #BURST}) and stamps it with its <em>intended</em> send time, not the time it
 *       actually went. When the pipeline holds the generator back, the packets it could not send in time carry the
 *       wait in their latency: the coordinated-omission correction (Gil Tene), without which a stall would be
 *       recorded as one slow packet instead of all the packets that should have been sent during it.</li>
 * </ul>
 * No allocation per packet: one descriptor, reused; the ring copies it.
 */
final class Generator implements Runnable
{
    static final int BURST = 32;
    /** Waits shorter than this spin; longer ones park until this much before the due time. */
    private static final long SPIN_NANOS = 50_000;

    private final Pipeline pipeline;
    private final PacketPool pool;
    private final Templates templates;
    private final double intervalNanos;
    private final PacketDescriptor d = new PacketDescriptor();
    private final AtomicLong publishedSent = new AtomicLong();
    private final AtomicLong publishedPoolWaits = new AtomicLong();
    private volatile boolean running = true;
    private long sent;
    private long poolWaits;
    private int next;

    /**
     * @param rate packets per second, or 0 for as fast as possible.
     */
    Generator(final Pipeline pipeline, final PacketPool pool, final Templates templates, final long rate)
    {
        this.pipeline = pipeline;
        this.pool = pool;
        this.templates = templates;
        this.intervalNanos = rate > 0 ? 1e9 / rate : 0;
        d.resetMetadata().outPort(0).gsoType(templates.gsoType()).gsoSize(templates.gsoSize());
    }

    /** Asks the generator to stop after its current burst. */
    void stop()
    {
        running = false;
    }

    /** Packets offered so far (published once per burst). */
    long sent()
    {
        return publishedSent.get();
    }

    /** Times the generator found the pool empty and waited for a buffer. */
    long poolWaits()
    {
        return publishedPoolWaits.get();
    }

    @Override
    public void run()
    {
        if (intervalNanos > 0)
        {
            paced();
        }
        else
        {
            flood();
        }
        publishedSent.set(sent);
        publishedPoolWaits.set(poolWaits);
    }

    private void flood()
    {
        while (running)
        {
            final long now = System.nanoTime();
            for (int i = 0; i < BURST; i++)
            {
                if (!send(now))
                {
                    return;
                }
            }
            publishedSent.lazySet(sent);
        }
    }

    private void paced()
    {
        final long start = System.nanoTime();
        final double interval = intervalNanos;
        long index = 0;
        while (running)
        {
            long due = start + (long)(index * interval);
            long now = System.nanoTime();
            if (due - now > 0)
            {
                waitUntil(due);
                now = System.nanoTime();
            }
            for (int i = 0; i < BURST && due - now <= 0; i++)
            {
                if (!send(due))
                {
                    return;
                }
                index++;
                due = start + (long)(index * interval);
            }
            publishedSent.lazySet(sent);
        }
    }

    private void waitUntil(final long due)
    {
        long now;
        while ((now = System.nanoTime()) - due < 0 && running)
        {
            final long left = due - now;
            if (left > SPIN_NANOS + 10_000)
            {
                LockSupport.parkNanos(left - SPIN_NANOS);
            }
            else
            {
                Thread.onSpinWait();
            }
        }
    }

    /**
     * @return false when the run ended while waiting for a buffer.
     */
    private boolean send(final long timestamp)
    {
        int id = pool.allocate();
        if (id == PacketPool.NO_BUFFER)
        {
            poolWaits++;
            do
            {
                if (!running)
                {
                    return false;
                }
                Thread.onSpinWait();
                id = pool.allocate();
            }
            while (id == PacketPool.NO_BUFFER);
        }
        final Templates t = templates;
        final int i = next;
        next = i + 1 == t.count() ? 0 : i + 1;
        final int length = t.length(i);
        final int offset = pool.dataOffset(id);
        final UnsafeBuffer buffer = pool.buffer();
        buffer.putBytes(offset, t.bytes(), t.offset(i), length);
        d.bind(id, offset, length).vf(t.vf(i)).flowHash(t.flowHash(i)).timestampNs(timestamp).userSequence(sent);
        pipeline.offer(d);
        sent++;
        return true;
    }
}
