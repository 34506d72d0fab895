package io.vfplane.dataplane.counters;

import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CountersTest
{
    @Test
    void shouldLetAnotherReaderSeeMappedCountersByLabel(@TempDir final Path dir)
    {
        final Path file = dir.resolve("counters.dat");
        try (Counters counters = Counters.mapped(file, 16))
        {
            final AtomicCounter rx = counters.newCounter("port.tap0.rx_packets");
            final AtomicCounter drops = counters.newCounter("stage.parse.drop.truncated");
            rx.getAndAdd(41);
            rx.increment();
            drops.increment();

            // a reader that knows nothing but the file, as `vfplane show counters` is
            final CountersReader reader = Counters.openReader(file);
            final Map<String, Long> seen = new LinkedHashMap<>();
            reader.forEach((value, id, label) -> seen.put(label, value));
            assertEquals(Map.of("port.tap0.rx_packets", 42L, "stage.parse.drop.truncated", 1L), seen);

            rx.increment();
            final Map<String, Long> again = new LinkedHashMap<>();
            reader.forEach((value, id, label) -> again.put(label, value));
            assertEquals(43L, again.get("port.tap0.rx_packets"), "reader sees live values");
            assertEquals(43L, counters.valueOf("port.tap0.rx_packets", -1));
        }
    }

    @Test
    void shouldRefuseAFileThatIsNotACountersFile(@TempDir final Path dir) throws IOException
    {
        final Path file = dir.resolve("junk.dat");
        Files.write(file, new byte[4096]);
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> Counters.openReader(file));
        assertTrue(ex.getMessage().contains("junk.dat"), ex.getMessage());
    }
}
