package io.vfplane.vf;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.agrona.concurrent.UnsafeBuffer;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.pipeline.Output;
import io.vfplane.pipeline.PacketBatch;
import io.vfplane.pipeline.Pipeline;
import io.vfplane.pipeline.Stage;

/**
 * Runs frames through a real pipeline made of the stage under test, and records what reaches each output.
 */
final class VfHarness implements AutoCloseable
{
    final Counters counters = Counters.inMemory(2048);
    final PacketPool pool = new PacketPool("vf-test", 1024, 256, 2048, counters);
    final VfTable table = new VfTable(2, counters);
    final List<List<byte[]>> outputs = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    final List<List<PacketDescriptor>> descriptors = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());

    private final class Recorder implements Output
    {
        private final int port;

        Recorder(final int port)
        {
            this.port = port;
        }

        @Override
        public boolean offer(final PacketDescriptor packet, final PacketPool pool)
        {
            final byte[] frame = new byte[packet.length()];
            pool.buffer().getBytes(packet.offset(), frame);
            outputs.get(port).add(frame);
            descriptors.get(port).add(new PacketDescriptor().copyFrom(packet));
            pool.release(packet.bufferId());
            return true;
        }

        @Override
        public void flush()
        {
        }
    }

    /** Egress stages leave the out port alone: route whatever is left to port 2 (the "network"). */
    static final class ToNetwork implements Stage
    {
        @Override
        public String name()
        {
            return "to_network";
        }

        @Override
        public void onBatch(final PacketBatch batch)
        {
            for (int i = 0; i < batch.size(); i++)
            {
                final PacketDescriptor d = batch.get(i);
                if (d.action() == PacketDescriptor.ACTION_CONTINUE && d.outPort() == PacketDescriptor.UNSET)
                {
                    d.outPort(2);
                }
            }
        }
    }

    /**
     * Offers one frame per writer to a fresh pipeline of {@code stages} and drains it.
     */
    void run(final List<Stage> stages, final List<Consumer<PacketDescriptor>> frames)
    {
        final Pipeline pipeline = Pipeline.builder("vft")
            .pool(pool)
            .counters(counters)
            .ringSize(1024)
            .stages(stages)
            .tx(new Recorder(0), new Recorder(1), new Recorder(2))
            .build()
            .start();
        final PacketDescriptor packet = new PacketDescriptor();
        for (final Consumer<PacketDescriptor> frame : frames)
        {
            TestFrames.allocate(pool, packet, 0);
            frame.accept(packet);
            pipeline.offer(packet);
        }
        pipeline.close();
    }

    UnsafeBuffer buffer()
    {
        return pool.buffer();
    }

    @Override
    public void close()
    {
        table.close();
        pool.close();
        counters.close();
    }
}
