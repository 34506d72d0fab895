package io.vfplane.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.agrona.concurrent.status.CountersReader;

/**
 * Formats {@code vfplane show pipeline} from counters (this process's, or another's through
 * {@code Counters.openReader(file)}), in the manner of VPP's {@code show runtime}: per pipeline its placement, per
 * thread the batch size distribution and idle decisions, per stage calls, packets, vectors per call, ns per packet
 * and drops. Free of picocli so the CLI module wraps it in its command.
 *
 * <pre>
 * plan vf chosen: 1 shard(s) x 1+2 | why: chain 2010.0 ns/packet, 2 core(s), ... fits (hottest thread ...)
 * plan vf calibrated: ns/packet a=1004.2 b=1003.9 c=1.9
 * plan vf advice: keep 1 shard(s) x 1+2: ...          (the placement advisor, while running)
 * pipeline p0: placement 2+2 on 2 threads, entry_full 0
 *   thread 0: batch 1:12 2:3 4:0 8:5 ... | idle awake_head 3 awake_upstream 0 went_idle 10 woke 10
 *   Stage              Thread        Calls      Packets  Vectors/Call   ns/Packet      Drops
 *   classify                0          120        20000        166.67       12.30          0
 * </pre>
 */
public final class ShowPipeline
{
    private ShowPipeline()
    {
    }

    private static final class StageRow
    {
        final Map<String, Long> values = new TreeMap<>();
        long drops;
    }

    private static final class PipelineRows
    {
        final Map<String, StageRow> stages = new TreeMap<>();
        final Map<Integer, Map<String, Long>> threads = new TreeMap<>();
        final Map<String, Long> values = new TreeMap<>();
    }

    /**
     * @param reader the counters.
     * @return the report, one line per pipeline, thread and stage; empty when no pipeline counters exist.
     */
    public static String format(final CountersReader reader)
    {
        final Map<String, PipelineRows> pipelines = new TreeMap<>();
        final List<String> plans = new ArrayList<>();
        reader.forEach((value, id, label) ->
        {
            if (label.startsWith(PipelineCounters.PLAN_PREFIX))
            {
                plans.add(planLine(label));
            }
            collect(pipelines, label, value);
        });
        final StringBuilder out = new StringBuilder();
        for (final String plan : plans)
        {
            out.append(plan).append('\n');
        }
        for (final Map.Entry<String, PipelineRows> p : pipelines.entrySet())
        {
            format(out, p.getKey(), p.getValue());
        }
        return out.toString();
    }

    /** {@code pipeline-plan.vf.chosen 1 shard(s) x 1+2 | why: ...} becomes {@code plan vf chosen: 1 shard(s)...}. */
    private static String planLine(final String label)
    {
        final String rest = label.substring(PipelineCounters.PLAN_PREFIX.length());
        final int dot = rest.indexOf('.');
        final int space = rest.indexOf(' ');
        if (dot < 0 || space < dot)
        {
            return "plan " + rest;
        }
        return "plan " + rest.substring(0, dot) + " " + rest.substring(dot + 1, space) + ": " +
            rest.substring(space + 1);
    }

    private static void collect(final Map<String, PipelineRows> pipelines, final String label, final long value)
    {
        if (!label.startsWith("pipeline."))
        {
            return;
        }
        final String[] parts = label.split("\\.");
        if (parts.length < 3)
        {
            return;
        }
        final PipelineRows rows = pipelines.computeIfAbsent(parts[1], k -> new PipelineRows());
        if (parts[2].equals("stage") && parts.length >= 5)
        {
            final StageRow stage = rows.stages.computeIfAbsent(parts[3], k -> new StageRow());
            if (parts[4].equals("drop") && parts.length == 6)
            {
                stage.drops += value;
                if (value != 0)
                {
                    stage.values.put("drop." + parts[5], value);
                }
            }
            else
            {
                stage.values.put(String.join(".", List.of(parts).subList(4, parts.length)), value);
            }
        }
        else if (parts[2].equals("thread") && parts.length >= 6)
        {
            rows.threads.computeIfAbsent(Integer.parseInt(parts[3]), k -> new TreeMap<>())
                .put(parts[4] + "." + parts[5], value);
        }
        else if (parts.length == 3)
        {
            rows.values.put(parts[2], value);
        }
    }

    private static void format(final StringBuilder out, final String name, final PipelineRows rows)
    {
        final List<Map.Entry<String, StageRow>> ordered = new ArrayList<>(rows.stages.entrySet());
        ordered.sort((a, b) -> Long.compare(a.getValue().values.getOrDefault("index", 0L),
            b.getValue().values.getOrDefault("index", 0L)));
        final long threads = rows.values.getOrDefault("threads", 0L);
        // an inline pipeline has no thread of its own: its producers (port receive threads) run the stages
        final boolean inline = threads == 0 && !ordered.isEmpty();
        out.append("pipeline ").append(name).append(": placement ")
            .append(inline ? "inline on its producers' threads" : placement(ordered) + " on " + threads + " thread(s)")
            .append(", entry_full ").append(rows.values.getOrDefault("entry_full", 0L)).append('\n');
        for (final Map.Entry<Integer, Map<String, Long>> t : rows.threads.entrySet())
        {
            out.append("  thread ").append(t.getKey()).append(": batch");
            final TreeMap<Long, Long> buckets = new TreeMap<>();
            final StringBuilder idle = new StringBuilder();
            for (final Map.Entry<String, Long> v : t.getValue().entrySet())
            {
                if (v.getKey().startsWith("batch."))
                {
                    buckets.put(Long.parseLong(v.getKey().substring(6)), v.getValue());
                }
                else if (v.getKey().startsWith("idle."))
                {
                    idle.append(' ').append(v.getKey().substring(5)).append(' ').append(v.getValue());
                }
            }
            buckets.forEach((size, count) -> out.append(' ').append(size).append(':').append(count));
            if (!idle.isEmpty() && !inline)
            {
                out.append(" | idle").append(idle);
            }
            out.append('\n');
        }
        out.append(String.format("  %-18s %6s %12s %12s %13s %11s %10s%n",
            "Stage", "Thread", "Calls", "Packets", "Vectors/Call", "ns/Packet", "Drops"));
        for (final Map.Entry<String, StageRow> s : ordered)
        {
            final Map<String, Long> v = s.getValue().values;
            final long calls = v.getOrDefault("calls", 0L);
            final long packets = v.getOrDefault("packets", 0L);
            final long nanos = v.getOrDefault("nanos", 0L);
            out.append(String.format("  %-18s %6d %12d %12d %13.2f %11.2f %10d",
                s.getKey(), v.getOrDefault("thread", 0L), calls, packets,
                calls == 0 ? 0.0 : (double)packets / calls, packets == 0 ? 0.0 : (double)nanos / packets,
                s.getValue().drops));
            for (final Map.Entry<String, Long> e : v.entrySet())
            {
                if (e.getKey().startsWith("drop.") && e.getValue() != 0)
                {
                    out.append(' ').append(e.getKey().substring(5)).append('=').append(e.getValue());
                }
            }
            out.append('\n');
        }
    }

    private static String placement(final List<Map.Entry<String, StageRow>> ordered)
    {
        final List<Integer> sizes = new ArrayList<>();
        long current = -1;
        for (final Map.Entry<String, StageRow> s : ordered)
        {
            final long thread = s.getValue().values.getOrDefault("thread", 0L);
            if (thread != current)
            {
                sizes.add(0);
                current = thread;
            }
            sizes.set(sizes.size() - 1, sizes.get(sizes.size() - 1) + 1);
        }
        if (sizes.size() <= 1)
        {
            return "fused";
        }
        if (sizes.size() == ordered.size())
        {
            return "split";
        }
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sizes.size(); i++)
        {
            sb.append(i == 0 ? "" : "+").append(sizes.get(i));
        }
        return sb.toString();
    }
}
