package io.vfplane.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.dsl.ProducerType;
import org.agrona.concurrent.status.AtomicCounter;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.pipeline.PipelineCounters.StageRuntime;
import io.vfplane.pipeline.idle.IdleStrategyConfig;
import io.vfplane.pipeline.idle.PollingWaitStrategy;
import io.vfplane.pipeline.idle.Wakeup;

/**
 * One pipeline: a Disruptor 4 ring of {@link PacketEntry}s and an ordered chain of {@link Stage}s laid on threads by
 * a {@link Placement}.
 *
 * <pre>
 *              offer()                  fused:  [ s0 -> s1 -> s2 -> tx ]            one thread
 *  producer ----------> ring ---------> split:  [ s0 ] -> [ s1 ] -> [ s2 ] -> [ tx ]  one thread each
 *           (cursor = head)                     groups "2+2": [ s0 s1 ] -> [ s2 tx ]
 * </pre>
 *
 * <h2>Entry and backpressure</h2>
 * {@link #offer(PacketDescriptor)} copies the descriptor into the next ring entry and publishes it; the buffer's
 * ownership passes to the pipeline whatever the result. When the ring is full the {@link BackpressurePolicy} decides:
 * DROP releases the buffer and counts {@code entry_full}; BLOCK waits for room. A producer with a burst uses
 * {@link #offer(PacketDescriptor[], int, int)}: one ring claim and one publish per run of entries. The head sequence
 * that the anticipatory idle strategy watches is the ring cursor: the sequence of the last packet that entered the
 * first stage.
 *
 * <h2>Inline</h2>
 * With {@link Placement#inline()} the pipeline has no thread: the producer runs the stages itself, over what it
 * offered, when a full batch is in and when it calls {@link #flush()} at the end of its burst (a port's receive
 * thread after each receive call). The ring stays the batch's storage. Several producers may share an inline
 * pipeline: whoever finds it idle runs every published entry, the others only publish (the runner looks again
 * after letting go, so nothing is stranded), so a stage still sees one thread at a time.
 *
 * <h2>Shutdown</h2>
 * {@link #close()} stops accepting, waits until the last group has processed everything published (so the tx stage
 * has sent or released every buffer), then stops and joins the threads. Producers must have stopped calling
 * {@link #offer} before {@code close()} (an offer racing close is refused and its buffer released; any entry still
 * unprocessed after the threads stop is released and counted as {@code shutdown_released}).
 */
public final class Pipeline implements AutoCloseable
{
    private final String name;
    private final PacketPool pool;
    private final Counters counters;
    private final RingBuffer<PacketEntry> ring;
    private final boolean multiProducer;
    private final BackpressurePolicy backpressure;
    private final Placement placement;
    private final List<Stage> stages;
    private final int[] groupOfStage;
    private final StageGroupProcessor[] processors;
    private final StageRuntime[] stageRuntimes;
    private final Thread[] threads;
    private final Wakeup wakeup;
    private final IdleStrategyConfig idle;
    private final int maxBatch;
    private final AtomicCounter entryFull;
    private final AtomicCounter shutdownReleased;
    private final boolean inline;
    /** Inline: 1 while a producer (or close) runs the stages. */
    private final AtomicInteger inlineRunner = new AtomicInteger();
    private volatile boolean accepting;
    private volatile boolean running = true;
    private boolean started;
    private boolean closed;

    private Pipeline(final Builder b)
    {
        this.name = PipelineCounters.checkName("pipeline", b.name);
        if (b.pool == null || b.counters == null)
        {
            throw new IllegalArgumentException("pipeline " + name + ": pool and counters must be set");
        }
        if (b.stages.isEmpty())
        {
            throw new IllegalArgumentException("pipeline " + name + ": needs at least one stage");
        }
        if (Integer.bitCount(b.ringSize) != 1)
        {
            throw new IllegalArgumentException("pipeline " + name + ": ringSize must be a power of two: " +
                b.ringSize);
        }
        if (b.maxBatch < 1 || b.maxBatch > b.ringSize)
        {
            throw new IllegalArgumentException("pipeline " + name + ": maxBatch must be in 1..ringSize: " +
                b.maxBatch);
        }
        this.pool = b.pool;
        this.counters = b.counters;
        this.multiProducer = b.multiProducer;
        this.backpressure = b.backpressure;
        this.placement = b.placement;
        this.stages = List.copyOf(b.stages);
        this.idle = b.idle;
        this.maxBatch = b.maxBatch;
        this.groupOfStage = placement.groupOfStages(stages.size());
        this.inline = placement.isInline();
        final int groups = groupOfStage[stages.size() - 1] + 1;
        this.wakeup = new Wakeup(groups, idle.kind().needsSignal());
        final int maxClones = b.maxClones;
        this.ring = RingBuffer.create(
            multiProducer ? ProducerType.MULTI : ProducerType.SINGLE,
            () -> new PacketEntry(maxClones),
            b.ringSize,
            new PollingWaitStrategy(wakeup));

        final String prefix = PipelineCounters.pipelinePrefix(name);
        counters.newCounter(prefix + "threads").setRelease(inline ? 0 : groups);
        this.entryFull = counters.newCounter(prefix + "entry_full");
        this.shutdownReleased = counters.newCounter(prefix + "shutdown_released");

        final List<String> names = new ArrayList<>();
        for (final Stage stage : stages)
        {
            final String stageName = PipelineCounters.checkName("stage", stage.name());
            if (names.contains(stageName))
            {
                throw new IllegalArgumentException("pipeline " + name + ": two stages named " + stageName);
            }
            names.add(stageName);
        }

        this.stageRuntimes = new StageRuntime[stages.size()];
        this.processors = new StageGroupProcessor[groups];
        this.threads = new Thread[inline ? 0 : groups];
        final int buckets = 32 - Integer.numberOfLeadingZeros(maxBatch);
        Sequence dependent = null;
        Sequence upstreamOfDependent = null;
        int first = 0;
        for (int g = 0; g < groups; g++)
        {
            int last = first;
            while (last + 1 < stages.size() && groupOfStage[last + 1] == g)
            {
                last++;
            }
            final Stage[] groupStages = new Stage[last - first + 1];
            final StageRuntime[] runtimes = new StageRuntime[groupStages.length];
            for (int s = first; s <= last; s++)
            {
                final Stage stage = stages.get(s);
                groupStages[s - first] = stage;
                runtimes[s - first] = new StageRuntime(counters, name, stage.name(), s, g);
                stageRuntimes[s] = runtimes[s - first];
                stage.onStart(new StageContext(name, stage.name(), b.shard, pool, counters));
            }
            final String threadPrefix = PipelineCounters.threadPrefix(name, g);
            final AtomicCounter[] batchBuckets = new AtomicCounter[buckets];
            for (int k = 0; k < buckets; k++)
            {
                batchBuckets[k] = counters.newCounter(threadPrefix + ".batch." + (1 << k));
            }
            processors[g] = new StageGroupProcessor(this, g, ring, dependent, upstreamOfDependent, groupStages,
                runtimes, batchBuckets, idle.newStrategy(counters, threadPrefix), wakeup, maxBatch,
                g + 1 < groups);
            if (!inline)
            {
                threads[g] = b.threadFactory.newThread(processors[g]);
                threads[g].setName("vfplane-pipeline-" + name + "-" + g);
            }
            upstreamOfDependent = dependent;
            dependent = processors[g].sequence();
            first = last + 1;
        }
        ring.addGatingSequences(processors[groups - 1].sequence());
    }

    /**
     * @param name the pipeline's name in counters and thread names.
     */
    public static Builder builder(final String name)
    {
        return new Builder(name);
    }

    /**
     * Starts the stage threads; the pipeline accepts packets from now on.
     */
    public Pipeline start()
    {
        if (started)
        {
            throw new IllegalStateException("pipeline " + name + " already started");
        }
        started = true;
        for (final Thread thread : threads)
        {
            thread.start();
        }
        accepting = true;
        return this;
    }

    /**
     * Puts a packet into the pipeline: copies {@code packet} into the next ring entry (action reset to continue) and
     * publishes it. Ownership of its buffer passes to the pipeline in every case.
     *
     * @return true when it entered; false when it was refused (ring full under DROP, or the pipeline is closing):
     * its buffer has been released.
     */
    public boolean offer(final PacketDescriptor packet)
    {
        if (!accepting)
        {
            return refuse(packet, false);
        }
        if (inline && !ring.hasAvailableCapacity(1))
        {
            runInline();
        }
        final long sequence;
        if (multiProducer)
        {
            sequence = claimMulti();
        }
        else if (ring.hasAvailableCapacity(1))
        {
            sequence = ring.next();
        }
        else
        {
            sequence = backpressure == BackpressurePolicy.BLOCK ? claimBlocking() : -1;
        }
        if (sequence < 0)
        {
            return refuse(packet, true);
        }
        final PacketEntry entry = ring.get(sequence);
        entry.packet.copyFrom(packet).action(PacketDescriptor.ACTION_CONTINUE);
        entry.cloneCount = 0;
        ring.publish(sequence);
        if (inline && sequence - processors[0].sequence().get() >= maxBatch)
        {
            runInline();
        }
        return true;
    }

    /**
     * End of the producer's burst. Inline: runs the stages over everything offered and not yet processed, on the
     * calling thread. Otherwise nothing (the pipeline's threads see each entry as it is published).
     */
    public void flush()
    {
        if (inline)
        {
            runInline();
        }
    }

    /**
     * Inline: runs every published entry through the stages unless another producer is doing so already. That one
     * looks again after letting go, so what was published meanwhile is not stranded.
     */
    private void runInline()
    {
        final StageGroupProcessor runner = processors[0];
        while (inlineRunner.compareAndSet(0, 1))
        {
            try
            {
                if (!running)
                {
                    return;
                }
                runner.runAvailable();
            }
            finally
            {
                inlineRunner.set(0);
            }
            final long done = runner.sequence().get();
            if (runner.lastPublished(done + 1, Math.min(ring.getCursor(), done + 1)) <= done)
            {
                return;
            }
        }
    }

    /**
     * Puts packets {@code packets[offset, offset + count)} into the pipeline in order, as
     * {@link #offer(PacketDescriptor)} would one by one, but claiming and publishing ring entries a run at a time
     * (Disruptor {@code next(n)} and {@code publish(lo, hi)}): one cursor update per run, so the first stage sees the
     * run at once and the producer pays the cross-core publish once. Ownership of every buffer passes to the pipeline
     * whatever the result.
     *
     * @return how many entered, from the front: the rest were refused (ring full under DROP, or the pipeline is
     * closing) and their buffers released.
     */
    public int offer(final PacketDescriptor[] packets, final int offset, final int count)
    {
        int done = 0;
        while (done < count)
        {
            if (!accepting)
            {
                refuseAll(packets, offset + done, count - done, false);
                return done;
            }
            final int wanted = count - done;
            if (multiProducer)
            {
                final long hi;
                try
                {
                    hi = ring.tryNext(wanted);
                }
                catch (final InsufficientCapacityException full)
                {
                    // less room than the run needs: the rest one by one, with the single offer's backpressure
                    for (int i = offset + done, end = offset + count; i < end; i++)
                    {
                        if (offer(packets[i]))
                        {
                            done++;
                        }
                        else
                        {
                            refuseAll(packets, i + 1, end - i - 1, accepting);
                            return done;
                        }
                    }
                    return done;
                }
                publishRun(packets, offset + done, hi - wanted + 1, hi);
                done += wanted;
                if (inline && hi - processors[0].sequence().get() >= maxBatch)
                {
                    runInline();
                }
                continue;
            }
            int n = wanted;
            if (inline && !ring.hasAvailableCapacity(n))
            {
                runInline();
            }
            if (!ring.hasAvailableCapacity(n))
            {
                n = (int)Math.min(n, ring.remainingCapacity());
                if (n == 0)
                {
                    if (backpressure == BackpressurePolicy.DROP)
                    {
                        refuseAll(packets, offset + done, wanted, true);
                        return done;
                    }
                    if (!awaitCapacity())
                    {
                        continue; // closing: refused at the top of the loop
                    }
                    n = (int)Math.min(wanted, ring.remainingCapacity());
                }
            }
            final long hi = ring.next(n);
            publishRun(packets, offset + done, hi - n + 1, hi);
            done += n;
            if (inline && hi - processors[0].sequence().get() >= maxBatch)
            {
                runInline();
            }
        }
        return done;
    }

    private void publishRun(final PacketDescriptor[] packets, final int from, final long lo, final long hi)
    {
        int i = from;
        for (long sequence = lo; sequence <= hi; sequence++)
        {
            final PacketEntry entry = ring.get(sequence);
            entry.packet.copyFrom(packets[i++]).action(PacketDescriptor.ACTION_CONTINUE);
            entry.cloneCount = 0;
        }
        ring.publish(lo, hi);
    }

    /** Single producer, BLOCK: waits until the ring has room for one entry; false when the pipeline is closing. */
    private boolean awaitCapacity()
    {
        int tries = 0;
        while (accepting)
        {
            if (inline)
            {
                runInline(); // nobody else frees entries unless another producer is running the stages
            }
            if (ring.hasAvailableCapacity(1))
            {
                return true;
            }
            backOff(tries++);
        }
        return false;
    }

    private void refuseAll(final PacketDescriptor[] packets, final int from, final int count, final boolean full)
    {
        for (int i = from, end = from + count; i < end; i++)
        {
            refuse(packets[i], full);
        }
    }

    private long claimMulti()
    {
        try
        {
            return ring.tryNext();
        }
        catch (final InsufficientCapacityException full)
        {
            // Disruptor's preallocated exception: only thrown when the ring is full (the backpressure path).
            return backpressure == BackpressurePolicy.BLOCK ? claimBlocking() : -1;
        }
    }

    private long claimBlocking()
    {
        if (!multiProducer)
        {
            return awaitCapacity() ? ring.next() : -1;
        }
        int tries = 0;
        while (accepting)
        {
            if (inline)
            {
                runInline();
            }
            try
            {
                return ring.tryNext();
            }
            catch (final InsufficientCapacityException full)
            {
                backOff(tries++); // keep waiting
            }
        }
        return -1;
    }

    /** Waiting for ring room: spin, then yield, then sleep a microsecond at a time. */
    private static void backOff(final int tries)
    {
        if (tries < 100)
        {
            Thread.onSpinWait();
        }
        else if (tries < 200)
        {
            Thread.yield();
        }
        else
        {
            LockSupport.parkNanos(1_000);
        }
    }

    private boolean refuse(final PacketDescriptor packet, final boolean full)
    {
        if (packet.bufferId() >= 0)
        {
            pool.release(packet.bufferId());
        }
        if (full)
        {
            entryFull.increment();
        }
        else
        {
            shutdownReleased.increment();
        }
        return false;
    }

    /** Drains and stops, waiting up to 10 seconds. */
    @Override
    public void close()
    {
        close(TimeUnit.SECONDS.toNanos(10));
    }

    /**
     * Stops accepting, waits until everything published has been processed by the last stage, then stops and joins
     * the threads, and releases whatever could not be processed in time (counted {@code shutdown_released}).
     *
     * @param timeoutNanos how long to wait for the drain and for the threads to end.
     * @throws IllegalStateException when the threads did not end in time (a stage stuck in a call).
     */
    public void close(final long timeoutNanos)
    {
        if (closed)
        {
            return;
        }
        closed = true;
        accepting = false;
        final long deadline = System.nanoTime() + timeoutNanos;
        final Sequence last = processors[processors.length - 1].sequence();
        if (started && inline)
        {
            closeInline(deadline);
        }
        else if (started)
        {
            while (last.get() < ring.getCursor() && System.nanoTime() - deadline < 0)
            {
                wakeup.unparkAll();
                LockSupport.parkNanos(100_000);
            }
        }
        running = false;
        wakeup.unparkAll();
        boolean stuck = false;
        for (final Thread thread : threads)
        {
            if (!started)
            {
                break;
            }
            while (thread.isAlive())
            {
                wakeup.unparkAll();
                final long left = deadline - System.nanoTime();
                if (left <= 0)
                {
                    stuck = true;
                    break;
                }
                try
                {
                    thread.join(Math.max(1, Math.min(10, TimeUnit.NANOSECONDS.toMillis(left))));
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    stuck = true;
                    break;
                }
            }
        }
        if (stuck)
        {
            throw new IllegalStateException("pipeline " + name + ": stage threads did not stop in time");
        }
        releaseUnprocessed(last.get());
    }

    /**
     * Inline close: takes the runner's place for good (waiting for a producer that is running the stages), runs what
     * was published and ends the stages. Producers that come later only publish; what they leave is released.
     */
    private void closeInline(final long deadline)
    {
        while (!inlineRunner.compareAndSet(0, 1))
        {
            if (System.nanoTime() - deadline >= 0)
            {
                throw new IllegalStateException("pipeline " + name + ": a producer's stage run did not end in time");
            }
            LockSupport.parkNanos(10_000);
        }
        try
        {
            processors[0].runAvailable();
        }
        finally
        {
            running = false;
            for (final Stage stage : stages)
            {
                stage.onStop();
            }
        }
    }

    private void releaseUnprocessed(final long processed)
    {
        final long cursor = ring.getCursor();
        for (long s = processed + 1; s <= cursor; s++)
        {
            if (!ring.isAvailable(s))
            {
                continue;
            }
            final PacketEntry entry = ring.get(s);
            release(entry.packet);
            for (int c = 0; c < entry.cloneCount; c++)
            {
                release(entry.clones[c]);
            }
            entry.cloneCount = 0;
        }
    }

    private void release(final PacketDescriptor packet)
    {
        if (packet.bufferId() >= 0 && pool.release(packet.bufferId()))
        {
            shutdownReleased.increment();
        }
        packet.unbind();
    }

    boolean isRunning()
    {
        return running;
    }

    public String name()
    {
        return name;
    }

    public PacketPool pool()
    {
        return pool;
    }

    public Counters counters()
    {
        return counters;
    }

    public Placement placement()
    {
        return placement;
    }

    public IdleStrategyConfig idleStrategy()
    {
        return idle;
    }

    public BackpressurePolicy backpressure()
    {
        return backpressure;
    }

    public int maxBatch()
    {
        return maxBatch;
    }

    public List<Stage> stages()
    {
        return stages;
    }

    /**
     * @return the head: the sequence of the last packet that entered the pipeline (-1 before the first).
     */
    public long head()
    {
        return ring.getCursor();
    }

    /**
     * @return the sequence the last stage group has processed up to.
     */
    public long processed()
    {
        return processors[processors.length - 1].sequence().get();
    }

    /**
     * @return packets that entered so far.
     */
    public long entered()
    {
        return ring.getCursor() + 1;
    }

    /**
     * @return packets stage {@code index} (chain order) has been handed so far: its runtime counter.
     */
    public long stagePackets(final int index)
    {
        return stageRuntimes[index].packets.get();
    }

    /**
     * @return nanoseconds stage {@code index} has spent in its batches so far (with {@link #stagePackets} the
     * ns per packet that {@code show pipeline} prints and the placement advisor plans with).
     */
    public long stageNanos(final int index)
    {
        return stageRuntimes[index].nanos.get();
    }

    /**
     * @return packets refused at the entry because the ring was full.
     */
    public long entryFull()
    {
        return entryFull.get();
    }

    /**
     * @return the stage threads (for tests and tools: all have ended after {@link #close()}).
     */
    public List<Thread> threads()
    {
        return List.of(threads);
    }

    /**
     * Configures a {@link Pipeline}; {@link #build()} validates and names the bad setting.
     */
    public static final class Builder
    {
        private final String name;
        private final List<Stage> stages = new ArrayList<>();
        private PacketPool pool;
        private Counters counters;
        private int ringSize = 1024;
        private int maxBatch = 256;
        private int maxClones = 4;
        private int shard;
        private boolean multiProducer;
        private Placement placement = Placement.fused();
        private BackpressurePolicy backpressure = BackpressurePolicy.DROP;
        private IdleStrategyConfig idle = IdleStrategyConfig.of(IdleStrategyConfig.Kind.ANTICIPATORY);
        private ThreadFactory threadFactory = Thread::new;

        private Builder(final String name)
        {
            this.name = name;
        }

        public Builder pool(final PacketPool pool)
        {
            this.pool = pool;
            return this;
        }

        public Builder counters(final Counters counters)
        {
            this.counters = counters;
            return this;
        }

        /** Appends a stage to the chain. */
        public Builder stage(final Stage stage)
        {
            stages.add(stage);
            return this;
        }

        public Builder stages(final List<? extends Stage> stages)
        {
            this.stages.addAll(stages);
            return this;
        }

        /** Appends a {@link TxStage} over these outputs (by port). */
        public Builder tx(final Output... outputs)
        {
            return stage(new TxStage(outputs));
        }

        /** Ring entries; a power of two (default 1024). */
        public Builder ringSize(final int ringSize)
        {
            this.ringSize = ringSize;
            return this;
        }

        /** Largest batch a stage is handed (default 256): bounds latency behind a long queue. */
        public Builder maxBatch(final int maxBatch)
        {
            this.maxBatch = maxBatch;
            return this;
        }

        /** Fan-out copies one ring entry holds (default 4). */
        public Builder maxClones(final int maxClones)
        {
            this.maxClones = maxClones;
            return this;
        }

        /** This pipeline's index in its {@link ShardedPipeline}. */
        public Builder shard(final int shard)
        {
            this.shard = shard;
            return this;
        }

        /** True when more than one thread calls {@link Pipeline#offer} (default false: one producer, cheaper). */
        public Builder multiProducer(final boolean multiProducer)
        {
            this.multiProducer = multiProducer;
            return this;
        }

        public Builder placement(final Placement placement)
        {
            this.placement = placement;
            return this;
        }

        public Builder backpressure(final BackpressurePolicy backpressure)
        {
            this.backpressure = backpressure;
            return this;
        }

        public Builder idle(final IdleStrategyConfig idle)
        {
            this.idle = idle;
            return this;
        }

        public Builder idle(final IdleStrategyConfig.Kind kind)
        {
            return idle(IdleStrategyConfig.of(kind));
        }

        public Builder threadFactory(final ThreadFactory threadFactory)
        {
            this.threadFactory = threadFactory;
            return this;
        }

        List<Stage> stagesSoFar()
        {
            return stages;
        }

        Counters countersSoFar()
        {
            return counters;
        }

        PacketPool poolSoFar()
        {
            return pool;
        }

        String nameSoFar()
        {
            return name;
        }

        int maxClonesSoFar()
        {
            return maxClones;
        }

        /** Builds the pipeline (stages' {@link Stage#onStart} run here); call {@link Pipeline#start()} next. */
        public Pipeline build()
        {
            return new Pipeline(this);
        }
    }
}
