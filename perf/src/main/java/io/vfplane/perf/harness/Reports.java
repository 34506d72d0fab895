package io.vfplane.perf.harness;

import java.util.Locale;
import java.util.Map;

import org.HdrHistogram.Histogram;
import io.vfplane.dataplane.text.JsonText;

/**
 * The two forms of a run's figures: a table for people and one JSON object for machines, with exactly these keys:
 * <pre>
 * {"scenario", "packets", "seconds", "pps", "bps", "ns_per_packet", "limit_pps" (null without a limit loop),
 *  "latency_ns": {"p50", "p90", "p99", "p999", "max"}, "threads": [{"name", "cpu_ns"}]}
 * </pre>
 */
final class Reports
{
    private Reports()
    {
    }

    static String json(final RunResult r)
    {
        final Histogram h = r.latency();
        final StringBuilder sb = new StringBuilder(512);
        sb.append("{\"scenario\": ").append(string(r.scenario()))
            .append(", \"packets\": ").append(r.packets())
            .append(", \"seconds\": ").append(number(r.seconds()))
            .append(", \"pps\": ").append(number(r.pps()))
            .append(", \"bps\": ").append(number(r.bps()))
            .append(", \"ns_per_packet\": ").append(number(r.nsPerPacket()))
            .append(", \"limit_pps\": ").append(r.limitPps() == null ? "null" : number(r.limitPps()))
            .append(", \"latency_ns\": {\"p50\": ").append(percentile(h, 50))
            .append(", \"p90\": ").append(percentile(h, 90))
            .append(", \"p99\": ").append(percentile(h, 99))
            .append(", \"p999\": ").append(percentile(h, 99.9))
            .append(", \"max\": ").append(h.getTotalCount() == 0 ? 0 : h.getMaxValue())
            .append("}, \"threads\": [");
        for (int i = 0; i < r.threads().size(); i++)
        {
            final RunResult.ThreadCpu t = r.threads().get(i);
            sb.append(i == 0 ? "" : ", ").append("{\"name\": ").append(string(t.name()))
                .append(", \"cpu_ns\": ").append(t.cpuNs()).append('}');
        }
        return sb.append("]}\n").toString();
    }

    static String table(final RunResult r)
    {
        final StringBuilder sb = new StringBuilder(1024);
        final Histogram h = r.latency();
        sb.append(String.format(Locale.ROOT, "scenario %s: %s%n", r.scenario(), r.description()));
        sb.append(String.format(Locale.ROOT, "  %s%n", r.settings()));
        sb.append(String.format(Locale.ROOT, "  loadavg before: %s, after: %s%n%n", r.loadBefore(), r.loadAfter()));
        final char u = r.unit().charAt(0);
        sb.append(String.format(Locale.ROOT, "  %-10s %14s %9s %9s %8s %11s %11s %11s%n",
            "", r.unit(), "seconds", "M" + u + "/s", "Gbit/s", "ns/" + u, "M" + u + "/s/core", "cpu ns/" + u));
        sb.append(String.format(Locale.ROOT, "  %-10s %14d %9.3f %9.3f %8.3f %11.1f %11.3f %11.1f%n",
            "pipeline", r.packets(), r.seconds(), r.pps() / 1e6, r.bps() / 1e9, r.nsPerPacket(),
            1e3 / r.nsPerPacket(), r.packets() == 0 ? Double.NaN : (double)r.stageCpuNs() / r.packets()));
        if (r.limitPps() != null)
        {
            final double limitNs = r.limitPackets() == 0 ? Double.NaN : (double)r.limitCpuNs() / r.limitPackets();
            sb.append(String.format(Locale.ROOT, "  %-10s %14d %9.3f %9.3f %8s %11.1f %11.3f %11.1f%n",
                "limit", r.limitPackets(), r.limitSeconds(), r.limitPps() / 1e6, "-",
                r.limitSeconds() * 1e9 / r.limitPackets(), r.limitPps() / 1e6 * r.limitSeconds() * 1e9 /
                Math.max(1, r.limitCpuNs()), limitNs));
            sb.append(String.format(Locale.ROOT, "  ours/limit %.3f (rate), %.3f (per busy core: limit ns / " +
                "pipeline ns)%n", r.pps() / r.limitPps(), r.limitSeconds() * 1e9 / r.limitPackets() /
                r.nsPerPacket()));
            sb.append(String.format(Locale.ROOT, "  limit loop: %s%n", r.limitDescription()));
        }
        else
        {
            sb.append("  no limit loop (no header work to compare with)\n");
        }
        sb.append("  ns/" + u + " by stage (time in its batches / packets handed to it):");
        for (final RunResult.StageCost c : r.stages())
        {
            sb.append(String.format(Locale.ROOT, "  %s %.1f", c.name(),
                c.packets() == 0 ? Double.NaN : (double)c.nanos() / c.packets()));
        }
        sb.append('\n');
        sb.append("  (ns/" + u + " = stage batch time per " + r.unit() + " out, M" + u + "/s/core = 1000 / ns/" + u +
            "; cpu ns/" + u + " = stage threads' CPU time per " + r.unit() + ", idle spinning included)\n");
        sb.append(String.format(Locale.ROOT, "%n  latency generation -> sink%s, %d frames at the sink: p50 %s  " +
            "p90 %s  p99 %s  p99.9 %s  max %s%n", r.coCorrected() ?
            " (from intended send time: corrected for coordinated omission)" :
            " (max rate: queueing in a full ring included when the pipeline is the slower side; --rate for service " +
            "latency)",
            h.getTotalCount(), micros(percentile(h, 50)), micros(percentile(h, 90)),
            micros(percentile(h, 99)), micros(percentile(h, 99.9)), micros(h.getTotalCount() == 0 ? 0 :
            h.getMaxValue())));
        sb.append("  per thread in the window:");
        for (final RunResult.ThreadCpu t : r.threads())
        {
            final double window = t.name().equals("vfplane-perf-limit") ? r.limitSeconds() : r.seconds();
            sb.append(String.format(Locale.ROOT, "  %s %.3f s (%.0f%%, %s allocated)", t.name(), t.cpuNs() / 1e9,
                window == 0 ? 0 : t.cpuNs() / 1e9 / window * 100,
                t.allocatedBytes() < 0 ? "?" : t.allocatedBytes() + " B"));
        }
        sb.append('\n');
        sb.append(String.format(Locale.ROOT, "  generated %d, generator waited for a buffer %d times; buffers " +
            "not returned after close: %d%n", r.generated(), r.generatorPoolWaits(), r.poolInFlight()));
        if (r.drops().isEmpty())
        {
            sb.append("  drops: none\n");
        }
        else
        {
            sb.append("  drops:");
            for (final Map.Entry<String, Long> e : r.drops().entrySet())
            {
                sb.append(' ').append(e.getKey()).append(' ').append(e.getValue());
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static long percentile(final Histogram h, final double p)
    {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(p);
    }

    private static String micros(final long nanos)
    {
        return nanos < 10_000 ? nanos + " ns" : String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
    }

    private static String number(final double value)
    {
        if (Double.isNaN(value) || Double.isInfinite(value))
        {
            return "null";
        }
        return String.format(Locale.ROOT, "%.3f", value);
    }

    private static String string(final String s)
    {
        return JsonText.quote(s);
    }
}
