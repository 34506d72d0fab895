package io.vfplane.perf.harness;

import java.nio.ByteOrder;
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
 * Per burst, not per packet: the buffers are taken from the pool in one bulk call and the descriptors offered to the
 * pipeline in one batch offer (one ring claim, one publish), so the generator pays the cross-core traffic of the free
 * list and the ring cursor once per {@value #BURST} packets. No allocation per packet: the burst's descriptors are
 * reused; the ring copies them.
 */
final class Generator implements Runnable
{
    static final int BURST = 32;
    /** Frames up to this long are copied in 8-byte words; longer ones with a bulk copy. */
    private static final int SMALL_FRAME = 256;
    /** Waits shorter than this spin; longer ones park until this much before the due time. */
    private static final long SPIN_NANOS = 50_000;

    private final Pipeline pipeline;
    private final PacketPool pool;
    private final Templates templates;
    private final double intervalNanos;
    /** The burst's descriptors, filled in place and offered together; the ring copies them. */
    private final PacketDescriptor[] burst = new PacketDescriptor[BURST];
    private final AtomicLong publishedSent = new AtomicLong();
    private final AtomicLong publishedPoolWaits = new AtomicLong();
    private volatile boolean running = true;
    private long sent;
    private long poolWaits;
    private int next;
    private final int[] stock = new int[BURST];
    private int stockSize;
    private int stockNext;

    /**
     * @param rate packets per second, or 0 for as fast as possible.
     */
    Generator(final Pipeline pipeline, final PacketPool pool, final Templates templates, final long rate)
    {
        this.pipeline = pipeline;
        this.pool = pool;
        this.templates = templates;
        this.intervalNanos = rate > 0 ? 1e9 / rate : 0;
        for (int k = 0; k < BURST; k++)
        {
            burst[k] = new PacketDescriptor().resetMetadata().outPort(0).gsoType(templates.gsoType())
                .gsoSize(templates.gsoSize());
        }
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
        releaseStock();
        publishedSent.set(sent);
        publishedPoolWaits.set(poolWaits);
    }

    private void flood()
    {
        while (running)
        {
            final long now = System.nanoTime();
            int n = 0;
            while (n < BURST && fill(n, now))
            {
                n++;
            }
            offer(n);
            if (n < BURST)
            {
                return; // the run ended while waiting for a buffer
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
            int n = 0;
            while (n < BURST && due - now <= 0)
            {
                if (!fill(n, due))
                {
                    offer(n);
                    return;
                }
                n++;
                index++;
                due = start + (long)(index * interval);
            }
            offer(n);
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
     * Fills descriptor {@code k} of the burst: the next buffer, the next template copied into it, the template's
     * metadata and the time stamp.
     *
     * @return false when the run ended while waiting for a buffer.
     */
    private boolean fill(final int k, final long timestamp)
    {
        if (stockNext == stockSize && !restock())
        {
            return false;
        }
        final int id = stock[stockNext++];
        final Templates t = templates;
        final int i = next;
        next = i + 1 == t.count() ? 0 : i + 1;
        final int length = t.length(i);
        final int offset = pool.dataOffset(id);
        copy(t.bytes(), t.offset(i), pool.buffer(), offset, length);
        burst[k].bind(id, offset, length).vf(t.vf(i)).flowHash(t.flowHash(i)).timestampNs(timestamp)
            .userSequence(sent + k);
        return true;
    }

    /**
     * Publishes the burst's {@code n} descriptors in one batch offer (one ring claim and one publish) and ends the
     * burst: with {@code --placement inline} this thread then runs the stages over it, as a port's receive thread.
     */
    private void offer(final int n)
    {
        if (n > 0)
        {
            pipeline.offer(burst, 0, n);
            pipeline.flush();
            sent += n;
        }
    }

    /**
     * Copies a template: small frames (the packet-rate runs) in 8-byte words, rounded up to a whole word (both the
     * template's stride and the slot are 64-byte multiples with room for it), which is cheaper than a bulk memory copy
     * call for a line or two; large frames with the bulk copy. A raw byte copy: both sides in the same order.
     */
    private static void copy(
        final UnsafeBuffer src, final int srcOffset, final UnsafeBuffer dst, final int dstOffset, final int length)
    {
        if (length > SMALL_FRAME)
        {
            dst.putBytes(dstOffset, src, srcOffset, length);
            return;
        }
        final int words = (length + 7) & ~7;
        src.boundsCheck(srcOffset, words);
        dst.boundsCheck(dstOffset, words);
        for (int w = 0; w < words; w += 8)
        {
            dst.putLong(dstOffset + w, src.getLong(srcOffset + w, ByteOrder.nativeOrder()), ByteOrder.nativeOrder());
        }
    }

    /**
     * Takes the next {@value #BURST} buffers from the pool in one bulk call (one free-list CAS and one counter add,
     * not one each per packet: the buffers come back on another core). Waits while the pool is empty.
     *
     * @return false when the run ended while waiting.
     */
    private boolean restock()
    {
        int n = pool.allocate(stock, 0, BURST);
        if (n == 0)
        {
            poolWaits++;
            do
            {
                if (!running)
                {
                    return false;
                }
                Thread.onSpinWait();
                n = pool.allocate(stock, 0, BURST);
            }
            while (n == 0);
        }
        stockSize = n;
        stockNext = 0;
        return true;
    }

    /** Returns the buffers taken and not sent when the run ends, so the pool is whole after close. */
    private void releaseStock()
    {
        if (stockNext < stockSize)
        {
            pool.release(stock, stockNext, stockSize - stockNext);
        }
        stockNext = 0;
        stockSize = 0;
    }
}
