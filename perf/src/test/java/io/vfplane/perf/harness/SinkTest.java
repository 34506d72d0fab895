package io.vfplane.perf.harness;

import org.junit.jupiter.api.Test;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SinkTest
{
    @Test
    void shouldReturnEveryBufferByTheEndOfTheBatchEvenWhenTheBatchIsLargerThanItsBulk()
    {
        try (Counters counters = Counters.inMemory(64);
            PacketPool pool = new PacketPool("s", 1024, PacketPool.MIN_HEADROOM, 256, counters);
            PacketPool other = new PacketPool("o", 16, PacketPool.MIN_HEADROOM, 256, counters))
        {
            final Sink sink = new Sink();
            final PacketDescriptor d = new PacketDescriptor();
            final int batch = Sink.RELEASE_BULK * 2 + 7;
            for (int i = 0; i < batch; i++)
            {
                final int id = pool.allocate();
                assertTrue(sink.offer(d.bind(id, pool.dataOffset(id), 60).timestampNs(System.nanoTime()), pool));
            }
            assertEquals(Sink.RELEASE_BULK * 2, pool.releases(), "released a bulk at a time within the batch");
            // a packet of another pool in the same batch: what was held for the first pool goes back to it first
            final int foreign = other.allocate();
            assertTrue(sink.offer(d.bind(foreign, other.dataOffset(foreign), 60), other));
            assertEquals(batch, pool.releases());
            sink.flush();
            assertEquals(0, pool.inFlight());
            assertEquals(0, other.inFlight());
            assertEquals(0, pool.doubleFrees() + other.doubleFrees());
            assertEquals(batch + 1, sink.frames());
        }
    }
}
