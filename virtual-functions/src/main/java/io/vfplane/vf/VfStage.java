package io.vfplane.vf;

import org.agrona.concurrent.UnsafeBuffer;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.headers.EthernetFlyweight;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.dataplane.parse.DropReason;
import io.vfplane.pipeline.PacketBatch;
import io.vfplane.pipeline.Stage;
import io.vfplane.pipeline.StageContext;

/**
 * What the two VF stages share: per packet still going, find its VF ({@code no_such_vf} when there is none, counted
 * by the engine), run the direction's {@link #check}, and drop and count by VF and reason what it refuses; the
 * counts go out once per batch.
 */
abstract class VfStage implements Stage
{
    final VfTable table;
    final EthernetFlyweight ethernet = new EthernetFlyweight();
    final VfBatchCounts counts;
    PacketPool pool;

    /**
     * @param egress true for the tx direction (see {@link VfBatchCounts}).
     */
    VfStage(final VfTable table, final boolean egress)
    {
        this.table = table;
        this.counts = new VfBatchCounts(table.size(), egress);
    }

    @Override
    public void onStart(final StageContext context)
    {
        pool = context.pool();
    }

    @Override
    public void onBatch(final PacketBatch batch)
    {
        final UnsafeBuffer buffer = pool.buffer();
        final boolean pfUp = table.pfLinkUp();
        beginBatch();
        for (int i = 0, n = batch.size(); i < n; i++)
        {
            final PacketDescriptor packet = batch.get(i);
            if (packet.action() != PacketDescriptor.ACTION_CONTINUE || !takes(packet))
            {
                continue;
            }
            final int vf = packet.vf();
            final VfConfig config = table.get(vf);
            if (config == null)
            {
                batch.drop(i, DropReason.NO_SUCH_VF); // counted by the engine per stage
                continue;
            }
            counts.touched(vf);
            final VfDropReason reason = check(buffer, packet, config, pfUp);
            if (reason != null)
            {
                batch.drop(i, reason.shared());
                counts.dropped(vf, reason);
            }
        }
    }

    @Override
    public void onEndOfBatch()
    {
        counts.publish(table);
    }

    /** Whether this stage looks at the packet at all (true unless a stage says otherwise). */
    boolean takes(final PacketDescriptor packet)
    {
        return true;
    }

    /** Once per batch, before its packets (the tx direction reads its clock here). */
    void beginBatch()
    {
    }

    /**
     * @param buffer the pool's buffer.
     * @param packet a packet for {@code config}'s VF.
     * @param config the VF.
     * @param pfUp   whether the physical function's link is up.
     * @return null when the packet goes on (counted as passed by the check), else why not.
     */
    abstract VfDropReason check(UnsafeBuffer buffer, PacketDescriptor packet, VfConfig config, boolean pfUp);
}
