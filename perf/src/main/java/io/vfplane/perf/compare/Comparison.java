package io.vfplane.perf.compare;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import io.vfplane.dataplane.text.JsonText;

/**
 * One side-by-side figure: vfplane ({@code ours}) and a peer on the same work, in the same run.
 *
 * <pre>
 *   {"name":"overlay-tcp","unit":"bit/s","ours":9.1e8,"peer":1.61e10,"peer_name":"kernel-vxlan","ratio":0.0565}
 * </pre>
 *
 * {@code ratio} is always {@code ours / peer}: for a throughput above 1 is better, for a latency below 1 is.
 * {@code extra} holds further named numbers or strings written after the common keys, in insertion order (the idle
 * comparison adds {@code p99_ratio} and {@code cpu_ratio} and each strategy's figures).
 *
 * @param name     what was compared.
 * @param unit     the unit of {@code ours} and {@code peer}.
 * @param ours     vfplane's figure.
 * @param peer     the peer's figure.
 * @param peerName who the peer is.
 * @param extra    more keys, written after {@code ratio}; values are {@link Number}s or {@link String}s.
 */
public record Comparison(String name, String unit, double ours, double peer, String peerName, Map<String, Object> extra)
{
    public Comparison
    {
        extra = new LinkedHashMap<>(extra);
    }

    /**
     * @return {@code ours / peer}, or NaN when the peer's figure is 0.
     */
    public double ratio()
    {
        return peer == 0 ? Double.NaN : ours / peer;
    }

    /**
     * @return this comparison as one JSON object on one line.
     */
    public String toJson()
    {
        final StringBuilder json = new StringBuilder(160).append('{');
        field(json, "name", name).append(',');
        field(json, "unit", unit).append(',');
        field(json, "ours", ours).append(',');
        field(json, "peer", peer).append(',');
        field(json, "peer_name", peerName).append(',');
        field(json, "ratio", ratio());
        for (final Map.Entry<String, Object> e : extra.entrySet())
        {
            json.append(',');
            field(json, e.getKey(), e.getValue());
        }
        return json.append('}').toString();
    }

    private static StringBuilder field(final StringBuilder json, final String key, final Object value)
    {
        string(json, key).append(':');
        if (value instanceof Number number)
        {
            final double d = number.doubleValue();
            // JSON has no NaN or infinity: a figure that could not be computed is null.
            json.append(Double.isFinite(d) ? number(d) : "null");
        }
        else
        {
            string(json, String.valueOf(value));
        }
        return json;
    }

    private static String number(final double d)
    {
        if (d == Math.rint(d) && Math.abs(d) < 1e15)
        {
            return Long.toString((long)d);
        }
        return String.format(Locale.ROOT, "%.6g", d).replaceFirst("(\\.\\d*?)0+(e|$)", "$1$2").replace(".e", "e")
            .replaceFirst("\\.$", "");
    }

    private static StringBuilder string(final StringBuilder json, final String s)
    {
        return JsonText.appendQuoted(json, s);
    }
}
