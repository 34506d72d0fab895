package io.vfplane.pipeline;

import java.util.regex.Pattern;

import org.agrona.concurrent.status.AtomicCounter;

import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.parse.DropReason;

/**
 * The counter labels of pipelines, in one place so that {@link ShowPipeline} (another process) reads what the engine
 * writes.
 *
 * <pre>
 *  pipeline.&lt;p&gt;.threads                          stage threads of the pipeline
 *  pipeline.&lt;p&gt;.entry_full                       packets refused at the entry (backpressure DROP)
 *  pipeline.&lt;p&gt;.shutdown_released                buffers released by close() without being processed
 *  pipeline.&lt;p&gt;.stage.&lt;s&gt;.index / .thread       position in the chain, and which thread runs it (placement)
 *  pipeline.&lt;p&gt;.stage.&lt;s&gt;.calls / .packets / .nanos   runtime: batches, packets, time spent (VPP show runtime)
 *  pipeline.&lt;p&gt;.stage.&lt;s&gt;.drop.&lt;reason&gt;          drops by {@link DropReason#label()}
 *  pipeline.&lt;p&gt;.stage.&lt;s&gt;.clones / .clone_failed / .errors
 *  pipeline.&lt;p&gt;.thread.&lt;t&gt;.batch.&lt;2^k&gt;          batches of size in [2^k, 2^(k+1))
 *  pipeline.&lt;p&gt;.thread.&lt;t&gt;.idle.&lt;what&gt;           see {@link io.vfplane.pipeline.idle.IdleCounters}
 * </pre>
 */
public final class PipelineCounters
{
    /**
     * Prefix of the placement lines of an automatically placed set of shards: the label is
     * {@code pipeline-plan.<name>.<kind> <text>} (kind {@code chosen}, {@code calibrated} or {@code advice}), the
     * text is the line {@code show pipeline} prints; it is in the label because counters carry only numbers.
     */
    public static final String PLAN_PREFIX = "pipeline-plan.";

    /** Names of pipelines and stages: no dots, so labels split unambiguously. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");

    private PipelineCounters()
    {
    }

    static String checkName(final String what, final String name)
    {
        if (name == null || !NAME.matcher(name).matches())
        {
            throw new IllegalArgumentException(what + " name must match " + NAME.pattern() + ": '" + name + "'");
        }
        return name;
    }

    public static String pipelinePrefix(final String pipeline)
    {
        return "pipeline." + pipeline + ".";
    }

    public static String stagePrefix(final String pipeline, final String stage)
    {
        return pipelinePrefix(pipeline) + "stage." + stage + ".";
    }

    public static String threadPrefix(final String pipeline, final int thread)
    {
        return pipelinePrefix(pipeline) + "thread." + thread;
    }

    /**
     * The runtime counters of one stage, written by its thread once per batch (single writer: release stores).
     */
    static final class StageRuntime
    {
        final AtomicCounter calls;
        final AtomicCounter packets;
        final AtomicCounter nanos;
        final AtomicCounter errors;
        final AtomicCounter clones;
        final AtomicCounter cloneFailures;
        final AtomicCounter[] drops;

        StageRuntime(final Counters counters, final String pipeline, final String stage, final int index,
            final int thread)
        {
            final String prefix = stagePrefix(pipeline, stage);
            counters.newCounter(prefix + "index").setRelease(index);
            counters.newCounter(prefix + "thread").setRelease(thread);
            calls = counters.newCounter(prefix + "calls");
            packets = counters.newCounter(prefix + "packets");
            nanos = counters.newCounter(prefix + "nanos");
            errors = counters.newCounter(prefix + "errors");
            clones = counters.newCounter(prefix + "clones");
            cloneFailures = counters.newCounter(prefix + "clone_failed");
            drops = new AtomicCounter[DropReason.VALUES.length];
            for (final DropReason reason : DropReason.VALUES)
            {
                if (reason != DropReason.NONE)
                {
                    drops[reason.ordinal()] = counters.newCounter(prefix + "drop." + reason.label());
                }
            }
        }

        void publish(final PacketBatch batch, final int size, final long spentNanos)
        {
            calls.incrementRelease();
            packets.getAndAddRelease(size);
            nanos.getAndAddRelease(spentNanos);
            final long[] counts = batch.dropCounts();
            for (int r = 1; r < counts.length; r++)
            {
                if (counts[r] != 0)
                {
                    drops[r].getAndAddRelease(counts[r]);
                    counts[r] = 0;
                }
            }
            final long c = batch.takeClones();
            if (c != 0)
            {
                clones.getAndAddRelease(c);
            }
            final long f = batch.takeCloneFailures();
            if (f != 0)
            {
                cloneFailures.getAndAddRelease(f);
            }
        }
    }
}
