package io.vfplane.overlay.daemon;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AffinityTest
{
    @Test
    void shouldPinAThreadAndTheThreadsItStartsAfterwards() throws Exception
    {
        final AtomicReference<Object> seen = new AtomicReference<>();
        final Thread pinner = new Thread(() ->
        {
            final List<Integer> allowed = Affinity.currentThread();
            final int cpu = allowed.get(allowed.size() - 1);
            final String refused = Affinity.pinCurrentThread(List.of(cpu));
            final AtomicReference<List<Integer>> child = new AtomicReference<>();
            final Thread started = new Thread(() -> child.set(Affinity.currentThread()));
            started.start();
            try
            {
                started.join();
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
            seen.set(new Object[]{refused, cpu, Affinity.currentThread(), child.get()});
        });
        pinner.start();
        pinner.join();
        final Object[] r = (Object[])seen.get();
        assertNull(r[0], "pinned");
        assertEquals(List.of(r[1]), r[2], "the pinned thread runs on its CPU only");
        assertEquals(List.of(r[1]), r[3], "a thread it starts inherits the affinity");
    }

    @Test
    void shouldSayWhyACpuThatDoesNotExistIsRefused() throws Exception
    {
        final AtomicReference<String> refused = new AtomicReference<>();
        final Thread t = new Thread(() -> refused.set(Affinity.pinCurrentThread(List.of(1023))));
        t.start();
        t.join();
        assertNotNull(refused.get());
        assertTrue(refused.get().contains("1023"), refused.get());
    }
}
