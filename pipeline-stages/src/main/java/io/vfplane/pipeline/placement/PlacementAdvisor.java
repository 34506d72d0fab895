package io.vfplane.pipeline.placement;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.status.AtomicCounter;

import io.vfplane.pipeline.AutoPlacement;
import io.vfplane.pipeline.Pipeline;
import io.vfplane.pipeline.PipelineCounters;
import io.vfplane.pipeline.ShardedPipeline;

/**
 * Control side of automatic placement: every interval it reads the runtime counters of an automatically placed
 * {@link ShardedPipeline} (each stage's ns and packets, each shard's entered and refused packets), re-plans with
 * the {@link PlacementPlanner}, and reports the result on the line {@code pipeline-plan.<name>.advice} that
 * {@code show pipeline} prints: {@code keep <layout>} or {@code would re-place to <layout>}, with the reasoning.
 *
 * <pre>
 *  stage threads --(release stores)--> counters <--(reads, every interval)-- advisor thread --> advice line
 * </pre>
 *
 * It reports and does not apply. Applying means a drain-and-rebuild of the shard set: with another shard count the
 * flow-to-shard map changes, so every producer must stop offering, every shard must drain (a flow's old packets
 * must leave before its new ones enter a different shard), then the new shards start. Producers call
 * {@code offer} without any lock today; a safe hand-over needs a producer-side pause protocol (an epoch the
 * producers check per burst) that the receive side does not have yet. A wrong re-placement costs more than a late
 * one, so the operator (or a later control loop) applies the advice by restarting with the advised layout pinned.
 *
 * <p>Nothing here runs on the data path: it reads counters (plain loads) and allocates freely.
 */
public final class PlacementAdvisor implements AutoCloseable
{
    private final ShardedPipeline target;
    private final AutoPlacement settings;
    private final AtomicCounter adviceCounter;
    private final double[] stageNs;
    private final long[] lastPackets;
    private final long[] lastNanos;
    private final long[] lastEntered;
    private final long[] lastRefused;
    private long lastTime;
    private volatile String advice = "no traffic measured yet";
    private volatile PlacementPlanner.Plan lastPlan;
    private volatile boolean running;
    private Thread thread;

    /**
     * @param target shards built by {@link ShardedPipeline#auto}.
     */
    public PlacementAdvisor(final ShardedPipeline target)
    {
        if (target.plan() == null)
        {
            throw new IllegalArgumentException("placement advisor: the shards were not placed automatically " +
                "(build them with ShardedPipeline.auto)");
        }
        this.target = target;
        this.settings = target.autoPlacement();
        this.stageNs = target.calibratedNs();
        final int stages = stageNs.length;
        this.lastPackets = new long[stages];
        this.lastNanos = new long[stages];
        this.lastEntered = new long[target.shardCount()];
        this.lastRefused = new long[target.shardCount()];
        this.adviceCounter = target.planCounters().newCounter(label(advice));
        snapshot();
    }

    private String label(final String text)
    {
        return PipelineCounters.PLAN_PREFIX + target.groupName() + ".advice " + text;
    }

    private long snapshot()
    {
        final long now = System.nanoTime();
        final long before = lastTime;
        lastTime = now;
        for (int s = 0; s < stageNs.length; s++)
        {
            long packets = 0;
            long nanos = 0;
            for (int i = 0; i < target.shardCount(); i++)
            {
                packets += target.shard(i).stagePackets(s);
                nanos += target.shard(i).stageNanos(s);
            }
            lastPackets[s] = packets;
            lastNanos[s] = nanos;
        }
        for (int i = 0; i < target.shardCount(); i++)
        {
            final Pipeline p = target.shard(i);
            lastEntered[i] = p.entered();
            lastRefused[i] = p.entryFull();
        }
        return now - before;
    }

    /**
     * Looks at the counters since the last call, re-plans, and updates the advice line.
     *
     * @return the plan for the measured figures, or null when no packet entered since the last call.
     */
    public PlacementPlanner.Plan evaluate()
    {
        final long[] packets = lastPackets.clone();
        final long[] nanos = lastNanos.clone();
        final long[] entered = lastEntered.clone();
        final long[] refused = lastRefused.clone();
        final long elapsed = snapshot();
        final long[] shardLoads = new long[entered.length];
        long offered = 0;
        for (int i = 0; i < entered.length; i++)
        {
            shardLoads[i] = lastEntered[i] - entered[i];
            offered += shardLoads[i] + (lastRefused[i] - refused[i]);
        }
        if (offered == 0 || elapsed <= 0)
        {
            advice = "keep " + target.plan().layout() + ": no traffic in the last interval";
            adviceCounter.updateLabel(label(advice));
            adviceCounter.incrementRelease();
            return null;
        }
        for (int s = 0; s < stageNs.length; s++)
        {
            final long dp = lastPackets[s] - packets[s];
            if (dp > 0)
            {
                // A stage that saw no packet keeps its previous figure (calibrated, or the last measured).
                stageNs[s] = (lastNanos[s] - nanos[s]) / (double)dp;
            }
        }
        final double offeredPps = offered * 1e9 / elapsed;
        final PlacementPlanner.Plan plan = PlacementPlanner.plan(settings.cores(), stageNs, offeredPps,
            PlacementPlanner.skew(shardLoads), settings.handoffNs(), settings.utilisation(), settings.maxShards());
        lastPlan = plan;
        final StringBuilder measured = new StringBuilder(" [measured ns/packet");
        for (final double ns : stageNs)
        {
            measured.append(' ').append(String.format(Locale.ROOT, "%.1f", ns));
        }
        measured.append(']');
        if (settings.pinned() || plan.sameLayout(target.plan()))
        {
            advice = (plan.sameLayout(target.plan()) ? "keep " : "pinned " + target.plan().layout() +
                ", planner would choose ") + plan.layout() + ": " + plan.reason() + measured;
        }
        else
        {
            advice = "would re-place to " + plan.layout() + " (now " + target.plan().layout() + "): " +
                plan.reason() + measured;
        }
        adviceCounter.updateLabel(label(advice));
        adviceCounter.incrementRelease();
        return plan;
    }

    /**
     * @return the last advice line.
     */
    public String advice()
    {
        return advice;
    }

    /**
     * @return the plan of the last evaluation with traffic, or null.
     */
    public PlacementPlanner.Plan lastPlan()
    {
        return lastPlan;
    }

    /**
     * Evaluates every {@code intervalNanos} on a daemon thread until {@link #close()}.
     */
    public synchronized PlacementAdvisor start(final long intervalNanos)
    {
        if (thread != null)
        {
            throw new IllegalStateException("placement advisor already started");
        }
        running = true;
        thread = Thread.ofPlatform().daemon().name("vfplane-placement-advisor-" + target.groupName()).start(() ->
        {
            while (running)
            {
                LockSupport.parkNanos(intervalNanos);
                if (running)
                {
                    evaluate();
                }
            }
        });
        return this;
    }

    @Override
    public synchronized void close()
    {
        running = false;
        if (thread != null)
        {
            LockSupport.unpark(thread);
            try
            {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
    }
}
