package io.vfplane.overlay.control;

import org.agrona.concurrent.status.CountersReader;

/**
 * The counters in the Prometheus text exposition format (0.0.4): one sample per counter, named {@code vfplane_} plus
 * the counter's label with every character outside {@code [a-zA-Z0-9_]} turned into {@code _}, and the original label
 * kept as a label ({@code vfplane_pool_main_allocations{counter="pool.main.allocations"} 42}).
 */
public final class Metrics
{
    private Metrics()
    {
    }

    public static String format(final CountersReader reader)
    {
        final StringBuilder sb = new StringBuilder(16 * 1024);
        reader.forEach((value, id, label) ->
        {
            final String name = name(label);
            sb.append("# TYPE ").append(name).append(" untyped\n");
            sb.append(name).append("{counter=\"").append(label.replace("\\", "\\\\").replace("\"", "\\\""))
                .append("\"} ").append(value).append('\n');
        });
        return sb.toString();
    }

    /** {@code pool.main.allocations} becomes {@code vfplane_pool_main_allocations}. */
    public static String name(final String label)
    {
        final StringBuilder sb = new StringBuilder("vfplane_");
        for (int i = 0; i < label.length(); i++)
        {
            final char c = label.charAt(i);
            sb.append(Character.isLetterOrDigit(c) && c < 128 || c == '_' ? c : '_');
        }
        return sb.toString();
    }
}
