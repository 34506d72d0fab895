package io.vfplane.vf;

import org.agrona.concurrent.status.AtomicCounter;

/**
 * One VF stage's counts for the batch in hand: packets and bytes passed and drops by reason, per VF, kept in plain
 * arrays on the stage thread and added to the VF's shared counters once per batch for the VFs the batch touched.
 * The add is atomic ({@code getAndAdd}): several shards' stages may count the same VF.
 */
final class VfBatchCounts
{
    private final boolean tx;
    private final long[] packets;
    private final long[] bytes;
    private final long[][] drops;
    private final boolean[] touched;

    /**
     * @param vfs how many VFs.
     * @param tx  true to publish into the VFs' tx counters (egress), false into their rx counters (ingress).
     */
    VfBatchCounts(final int vfs, final boolean tx)
    {
        this.tx = tx;
        this.packets = new long[vfs];
        this.bytes = new long[vfs];
        this.drops = new long[vfs][VfDropReason.VALUES.length];
        this.touched = new boolean[vfs];
    }

    void touched(final int vf)
    {
        touched[vf] = true;
    }

    void passed(final int vf, final int length)
    {
        packets[vf]++;
        bytes[vf] += length;
    }

    void dropped(final int vf, final VfDropReason reason)
    {
        drops[vf][reason.ordinal()]++;
    }

    /** Adds the batch's counts to the VFs' counters and starts over. */
    void publish(final VfTable table)
    {
        for (int vf = 0; vf < touched.length; vf++)
        {
            if (!touched[vf])
            {
                continue;
            }
            touched[vf] = false;
            final VfCounters counters = table.counters(vf);
            if (packets[vf] != 0)
            {
                (tx ? counters.txPackets : counters.rxPackets).getAndAdd(packets[vf]);
                (tx ? counters.txBytes : counters.rxBytes).getAndAdd(bytes[vf]);
                packets[vf] = 0;
                bytes[vf] = 0;
            }
            final long[] vfDrops = drops[vf];
            final AtomicCounter[] shared = tx ? counters.txDrops : counters.rxDrops;
            for (int r = 0; r < vfDrops.length; r++)
            {
                if (vfDrops[r] != 0)
                {
                    shared[r].getAndAdd(vfDrops[r]);
                    vfDrops[r] = 0;
                }
            }
        }
    }
}
