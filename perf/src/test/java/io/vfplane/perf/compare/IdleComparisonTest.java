package io.vfplane.perf.compare;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs a very short idle comparison for real and checks the JSON it gives: the keys, and that the ratios are the
 * arithmetic of the figures beside them (no timing is asserted).
 */
class IdleComparisonTest
{
    private static final Pattern FIELD = Pattern.compile("\"([a-z0-9_]+)\":(\"[^\"]*\"|[-+0-9.eE]+|null)");

    @Test
    void shouldReportAnticipatoryAgainstBusySpinWithP99AndIdleCpuRatios()
    {
        final Comparison idle = IdleComparison.run(IdleComparison.DEFAULT_RATE, 0.5);
        final String json = idle.toJson();
        final Map<String, String> fields = fields(json);
        assertEquals("\"idle\"", fields.get("name"), json);
        assertEquals("\"busy-spin\"", fields.get("peer_name"), json);
        for (final String key : new String[]{"unit", "ours", "peer", "ratio", "p99_ratio", "cpu_ratio",
            "busy_spin_p99_us", "busy_spin_idle_cpu", "anticipatory_p99_us", "anticipatory_idle_cpu",
            "blocking_p99_us", "blocking_idle_cpu", "anticipatory_load_cpu"})
        {
            assertTrue(fields.containsKey(key), key + " in " + json);
        }
        final double ours = number(fields, "ours");
        final double peer = number(fields, "peer");
        assertTrue(ours > 0 && peer > 0, json);
        assertEquals(ours, number(fields, "anticipatory_p99_us"), 1e-9);
        assertEquals(peer, number(fields, "busy_spin_p99_us"), 1e-9);
        assertEquals(ours / peer, number(fields, "ratio"), 1e-5 * ours / peer);
        assertEquals(number(fields, "ratio"), number(fields, "p99_ratio"), 1e-5 * ours / peer);
        final double cpuRatio = number(fields, "anticipatory_idle_cpu") / number(fields, "busy_spin_idle_cpu");
        assertEquals(cpuRatio, number(fields, "cpu_ratio"), 1e-4 * cpuRatio + 1e-9);
        assertTrue(number(fields, "busy_spin_idle_cpu") > 0.05, "busy-spin burns CPU with no traffic: " + json);
    }

    private static Map<String, String> fields(final String json)
    {
        assertTrue(json.startsWith("{") && json.endsWith("}"), json);
        final Map<String, String> fields = new LinkedHashMap<>();
        final Matcher m = FIELD.matcher(json);
        while (m.find())
        {
            fields.put(m.group(1), m.group(2));
        }
        return fields;
    }

    private static double number(final Map<String, String> fields, final String key)
    {
        return Double.parseDouble(fields.get(key));
    }
}
