package io.vfplane.encap.stage;

import org.agrona.DirectBuffer;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.encap.rules.RuleTables;
import io.vfplane.pipeline.BackpressurePolicy;
import io.vfplane.pipeline.Output;
import io.vfplane.pipeline.Pipeline;
import io.vfplane.pipeline.Stage;

/**
 * Runs frames through a pipeline with the encap stage (egress) or the decap stage (ingress) and hands every frame
 * that comes out to a sink, in input order: the core of {@code vfplane pcap process}, so the command is a thin shell
 * around a capture reader and writer.
 *
 * <pre>
 *   offer(frame) -> [ encap | decap ] -> tx -> sink.frame(bytes, sequence)
 * </pre>
 *
 * Counters (in the given {@link Counters}): {@code pipeline.process.stage.encap.encapsulated},
 * {@code ...stage.decap.drop.no_rule} and so on, plus the engine's and the pool's own.
 */
public final class TunnelProcessor implements AutoCloseable
{
    /** Which table the frames go through. */
    public enum Direction
    {
        EGRESS, INGRESS
    }

    /** Receives output frames on the pipeline's tx thread; copy what is kept. */
    @FunctionalInterface
    public interface FrameSink
    {
        void frame(DirectBuffer buffer, int offset, int length, long sequence, int vf);
    }

    /** The port every frame comes in on (the capture), for rules that match {@code port: 0}. */
    public static final int INPUT_PORT = 0;
    private static final int OUTPUT_PORT = 0;

    private final PacketPool pool;
    private final Pipeline pipeline;
    private final PacketDescriptor descriptor = new PacketDescriptor();
    private long offered;
    private long oversize;

    /**
     * @param maxFrame largest frame accepted; larger ones are counted as oversize and skipped.
     */
    public TunnelProcessor(final RuleTables tables, final Direction direction, final Counters counters,
        final FrameSink sink, final int maxFrame)
    {
        pool = new PacketPool("process", 512, 256, Math.max(maxFrame, 2048), counters);
        final Stage stage = direction == Direction.EGRESS ? new EncapStage(tables, OUTPUT_PORT, -1) :
            new DecapStage(tables, -1);
        final Output output = new Output()
        {
            @Override
            public boolean offer(final PacketDescriptor packet, final PacketPool from)
            {
                sink.frame(from.buffer(), packet.offset(), packet.length(), packet.userSequence(), packet.vf());
                from.release(packet.bufferId());
                return true;
            }

            @Override
            public void flush()
            {
            }
        };
        pipeline = Pipeline.builder("process").pool(pool).counters(counters).stage(stage).tx(output)
            .backpressure(BackpressurePolicy.BLOCK).build().start();
    }

    /**
     * Puts one frame in (copied). Blocks while the pipeline is full.
     *
     * @param vf       source VF for egress lookups, or -1.
     * @param sequence handed back to the sink with the output frame.
     * @return false when the frame was too big for a buffer (counted by {@link #oversize()}).
     */
    public boolean offer(final byte[] frame, final int length, final int vf, final long sequence)
    {
        if (length > pool.dataCapacity())
        {
            oversize++;
            return false;
        }
        int id;
        while ((id = pool.allocate()) == PacketPool.NO_BUFFER)
        {
            Thread.onSpinWait();
        }
        final int offset = pool.dataOffset(id);
        pool.buffer().putBytes(offset, frame, 0, length);
        descriptor.resetMetadata().bind(id, offset, length);
        descriptor.vf(vf).inPort(INPUT_PORT).outPort(OUTPUT_PORT).userSequence(sequence);
        offered++;
        return pipeline.offer(descriptor);
    }

    /** Frames put in. */
    public long offered()
    {
        return offered;
    }

    /** Frames refused because they were larger than a buffer. */
    public long oversize()
    {
        return oversize;
    }

    /** Drains the pipeline (every offered frame reaches the sink or is counted as dropped) and stops it. */
    @Override
    public void close()
    {
        pipeline.close();
        pool.close();
    }
}
