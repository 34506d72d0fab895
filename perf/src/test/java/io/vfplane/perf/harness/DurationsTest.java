package io.vfplane.perf.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DurationsTest
{
    @Test
    void shouldParseSecondsMillisecondsAndMinutes()
    {
        assertEquals(10_000_000_000L, Durations.parseNanos("10s"));
        assertEquals(500_000_000L, Durations.parseNanos("500ms"));
        assertEquals(120_000_000_000L, Durations.parseNanos("2m"));
        assertEquals(1_500_000_000L, Durations.parseNanos("1.5s"));
        assertEquals(3_000_000_000L, Durations.parseNanos("3"));
    }

    @Test
    void shouldRefuseTextThatIsNoPositiveDuration()
    {
        assertThrows(IllegalArgumentException.class, () -> Durations.parseNanos("ten seconds"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parseNanos("-1s"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parseNanos("0s"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parseNanos(""));
    }

    @Test
    void shouldParseRatesWithSuffixesAndMax()
    {
        assertEquals(0, RunCommand.parseRate("max"));
        assertEquals(500_000, RunCommand.parseRate("500k"));
        assertEquals(2_000_000, RunCommand.parseRate("2M"));
        assertEquals(1234, RunCommand.parseRate("1234"));
        assertThrows(IllegalArgumentException.class, () -> RunCommand.parseRate("0"));
    }
}
