package io.vfplane.pipeline;

import java.nio.ByteOrder;
import java.util.Arrays;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.dataplane.parse.DropReason;

/**
 * Stages and outputs the engine tests run: they route, drop and fan out by rules the test can recompute, and the
 * output records what arrived, in order, and checks the bytes travelled with the descriptor.
 */
final class TestStages
{
    static final int FLOWS = 16;

    private TestStages()
    {
    }

    static boolean dropped(final long seq)
    {
        return seq % 7 == 3;
    }

    static boolean flooded(final int flow)
    {
        return flow % 3 == 0;
    }

    /** Sends everything to port 0. */
    static final class Classify implements Stage
    {
        @Override
        public String name()
        {
            return "classify";
        }

        @Override
        public void onBatch(final PacketBatch batch)
        {
            for (int i = 0; i < batch.size(); i++)
            {
                final PacketDescriptor d = batch.get(i);
                if (d.action() == PacketDescriptor.ACTION_CONTINUE)
                {
                    d.outPort(0);
                }
            }
        }
    }

    /** Drops every packet whose per-flow sequence says so. */
    static final class Filter implements Stage
    {
        @Override
        public String name()
        {
            return "filter";
        }

        @Override
        public void onBatch(final PacketBatch batch)
        {
            for (int i = 0; i < batch.size(); i++)
            {
                final PacketDescriptor d = batch.get(i);
                if (d.action() == PacketDescriptor.ACTION_CONTINUE && dropped(d.userSequence()))
                {
                    batch.drop(i, DropReason.TRUNCATED);
                }
            }
        }
    }

    /** Floods the packets of some flows to port 1 as well. */
    static final class Flood implements Stage
    {
        @Override
        public String name()
        {
            return "flood";
        }

        @Override
        public void onBatch(final PacketBatch batch)
        {
            for (int i = 0; i < batch.size(); i++)
            {
                final PacketDescriptor d = batch.get(i);
                if (d.action() == PacketDescriptor.ACTION_CONTINUE && flooded(d.flowHash()))
                {
                    batch.cloneTo(i, 1);
                }
            }
        }
    }

    /**
     * Records (flow, sequence) of every packet it takes, checks the frame bytes carry the same pair, and releases
     * the buffer as a real output would once sent.
     */
    static final class Recorder implements Output
    {
        long[] received = new long[1 << 16];
        int count;
        int byteMismatches;
        int flushes;

        @Override
        public boolean offer(final PacketDescriptor packet, final PacketPool pool)
        {
            final int flow = packet.flowHash();
            final long seq = packet.userSequence();
            if (pool.buffer().getInt(packet.offset(), ByteOrder.BIG_ENDIAN) != flow ||
                pool.buffer().getLong(packet.offset() + 4, ByteOrder.BIG_ENDIAN) != seq)
            {
                byteMismatches++;
            }
            if (count == received.length)
            {
                received = Arrays.copyOf(received, count * 2);
            }
            received[count++] = ((long)flow << 32) | seq;
            pool.release(packet.bufferId());
            return true;
        }

        @Override
        public void flush()
        {
            flushes++;
        }
    }

    /** Takes a buffer (waiting for one), writes (flow, seq) into the frame and fills the descriptor. */
    static boolean fill(final PacketPool pool, final PacketDescriptor d, final int flow, final long seq)
    {
        int id;
        long spins = 0;
        while ((id = pool.allocate()) == PacketPool.NO_BUFFER)
        {
            if (++spins > 50_000_000L)
            {
                return false;
            }
            Thread.onSpinWait();
        }
        final int offset = pool.dataOffset(id);
        pool.buffer().putInt(offset, flow, ByteOrder.BIG_ENDIAN);
        pool.buffer().putLong(offset + 4, seq, ByteOrder.BIG_ENDIAN);
        d.resetMetadata().bind(id, offset, 64).flowHash(flow).userSequence(seq);
        return true;
    }
}
