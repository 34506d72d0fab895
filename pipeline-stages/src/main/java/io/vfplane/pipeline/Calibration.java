package io.vfplane.pipeline;

import java.util.Arrays;
import java.util.List;

import com.lmax.disruptor.RingBuffer;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;

/**
 * Measures each stage's cost in ns per packet before a pipeline starts, by running sample frames through the stages
 * on the calling thread, run to completion, as the fused placement would:
 *
 * <pre>
 *  round r:  sample.fill(...) x batch  ->  [ s0 ] [ s1 ] ... [ sN ]   each stage timed over the whole batch
 *            release every buffer still bound (originals and fan-out copies)
 * </pre>
 *
 * Warm-up rounds first (so the JIT compiles the stages), then measured rounds; a stage's figure is the median over
 * the measured rounds of its ns per packet, so a round that lost the core to another thread does not move it.
 * The batch's ring entries are allocated once; frames come from the pipeline's own pool and go back to it each round
 * (no allocation on the data path, no buffer kept). Stages that are not {@link Stage#calibratable()} (tx) are not
 * run and get 0.
 */
public final class Calibration
{
    /** Batch of sample packets a round runs (a typical vector). */
    public static final int DEFAULT_BATCH = 64;
    /** Time the calibration may take, warm-up included. */
    public static final long DEFAULT_BUDGET_NANOS = 300_000_000L;

    private static final int WARMUP_ROUNDS = 50;
    private static final int MAX_ROUNDS = 400;

    /**
     * Where calibration packets come from: the caller's sample frames or a generator.
     */
    @FunctionalInterface
    public interface Sample
    {
        /**
         * Fills sample packet {@code index} (it grows without bound: take it modulo the sample's size): allocate a
         * buffer from {@code pool}, write the frame and bind {@code packet} to it, set its metadata (flow hash, ports)
         * as the receive side would. Leaving the descriptor unbound is allowed (descriptor-only stages).
         *
         * @return false when no buffer could be had: calibration fails, naming the pool.
         */
        boolean fill(long index, PacketPool pool, PacketDescriptor packet);
    }

    private Calibration()
    {
    }

    /**
     * Runs the calibration. The stages must be a throwaway set (the factory is asked for one more pipeline's
     * stages): {@link Stage#onStart} runs here with scratch counters, {@link Stage#onStop} at the end.
     *
     * @param pipelineName name given to the stages' context.
     * @param stages       the chain, in order.
     * @param pool         the pool sample frames are written into; needs {@code batch * (1 + maxClones)} free buffers.
     * @param maxClones    fan-out copies a ring entry holds.
     * @param sample       the sample frames.
     * @param batch        packets per round.
     * @param budgetNanos  time bound of the whole calibration.
     * @return each stage's ns per packet, in chain order.
     */
    public static double[] measure(
        final String pipelineName,
        final List<Stage> stages,
        final PacketPool pool,
        final int maxClones,
        final Sample sample,
        final int batch,
        final long budgetNanos)
    {
        if (batch < 1 || sample == null || pool == null)
        {
            throw new IllegalArgumentException("calibration of " + pipelineName +
                ": needs a pool, a sample and batch >= 1 (batch " + batch + ")");
        }
        final int n = stages.size();
        final RingBuffer<PacketEntry> ring = RingBuffer.createSingleProducer(() -> new PacketEntry(maxClones),
            1 << (32 - Integer.numberOfLeadingZeros(batch - 1)));
        final PacketBatch view = new PacketBatch(ring, pool);
        view.wrap(0, batch);
        final double[][] perRound = new double[n][MAX_ROUNDS];
        int measured = 0;
        try (Counters scratch = Counters.inMemory(4096))
        {
            for (final Stage stage : stages)
            {
                stage.onStart(new StageContext(pipelineName, stage.name(), 0, pool, scratch));
            }
            final long start = System.nanoTime();
            final long warmUntil = start + budgetNanos / 3;
            final long deadline = start + budgetNanos;
            long index = 0;
            for (int round = 0; measured < MAX_ROUNDS; round++)
            {
                final long now = System.nanoTime();
                if (now - deadline > 0 && measured > 0)
                {
                    break;
                }
                final boolean warm = round >= WARMUP_ROUNDS || now - warmUntil > 0;
                for (int i = 0; i < batch; i++)
                {
                    final PacketEntry entry = ring.get(i);
                    entry.cloneCount = 0;
                    entry.packet.unbind().resetMetadata().action(PacketDescriptor.ACTION_CONTINUE);
                    if (!sample.fill(index++, pool, entry.packet))
                    {
                        throw new IllegalStateException("calibration of " + pipelineName + ": pool " + pool.name() +
                            " has no buffer for sample packet " + (index - 1) + " (needs " + batch * (1 + maxClones) +
                            " free)");
                    }
                }
                for (int s = 0; s < n; s++)
                {
                    final Stage stage = stages.get(s);
                    if (!stage.calibratable())
                    {
                        continue;
                    }
                    final long t0 = System.nanoTime();
                    try
                    {
                        stage.onBatch(view);
                        stage.onEndOfBatch();
                    }
                    catch (final RuntimeException ex)
                    {
                        releaseAll(ring, pool, batch);
                        throw new IllegalStateException("calibration of " + pipelineName + ": stage " +
                            stage.name() + " failed on the sample: " + ex, ex);
                    }
                    if (warm)
                    {
                        perRound[s][measured] = (System.nanoTime() - t0) / (double)batch;
                    }
                }
                releaseAll(ring, pool, batch);
                view.takeClones();
                view.takeCloneFailures();
                Arrays.fill(view.dropCounts(), 0);
                if (warm)
                {
                    measured++;
                }
            }
        }
        finally
        {
            for (final Stage stage : stages)
            {
                stage.onStop();
            }
        }
        final double[] ns = new double[n];
        for (int s = 0; s < n; s++)
        {
            final double[] rounds = Arrays.copyOf(perRound[s], measured);
            Arrays.sort(rounds);
            ns[s] = measured == 0 ? 0 : rounds[measured / 2];
        }
        return ns;
    }

    private static void releaseAll(final RingBuffer<PacketEntry> ring, final PacketPool pool, final int batch)
    {
        for (int i = 0; i < batch; i++)
        {
            final PacketEntry entry = ring.get(i);
            if (entry.packet.bufferId() >= 0)
            {
                pool.release(entry.packet.bufferId());
                entry.packet.unbind();
            }
            for (int c = 0; c < entry.cloneCount; c++)
            {
                if (entry.clones[c].bufferId() >= 0)
                {
                    pool.release(entry.clones[c].bufferId());
                    entry.clones[c].unbind();
                }
            }
            entry.cloneCount = 0;
        }
    }
}
