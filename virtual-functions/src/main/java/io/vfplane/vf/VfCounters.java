package io.vfplane.vf;

import org.agrona.concurrent.status.AtomicCounter;

import io.vfplane.dataplane.counters.Counters;

/**
 * One VF's counters, registered at setup, labelled {@code vf.<n>.<name>}. The names are the VF's view as
 * {@code ip -s link} gives it: tx is what the VF (the guest) sent, rx what was delivered to it. The tx side is
 * written only by the egress stage's thread and the rx side only by the ingress stage's, so each counter has one
 * writer and is published with an ordered add once per batch.
 */
public final class VfCounters implements AutoCloseable
{
    final AtomicCounter txPackets;
    final AtomicCounter txBytes;
    final AtomicCounter rxPackets;
    final AtomicCounter rxBytes;
    final AtomicCounter[] txDrops = new AtomicCounter[VfDropReason.VALUES.length];
    final AtomicCounter[] rxDrops = new AtomicCounter[VfDropReason.VALUES.length];

    VfCounters(final int vf, final Counters counters)
    {
        final String prefix = "vf." + vf + ".";
        txPackets = counters.newCounter(prefix + "tx_packets");
        txBytes = counters.newCounter(prefix + "tx_bytes");
        rxPackets = counters.newCounter(prefix + "rx_packets");
        rxBytes = counters.newCounter(prefix + "rx_bytes");
        for (final VfDropReason reason : VfDropReason.VALUES)
        {
            txDrops[reason.ordinal()] = counters.newCounter(prefix + "tx_drop." + reason.label());
            rxDrops[reason.ordinal()] = counters.newCounter(prefix + "rx_drop." + reason.label());
        }
    }

    public long txPackets()
    {
        return txPackets.get();
    }

    public long txBytes()
    {
        return txBytes.get();
    }

    public long rxPackets()
    {
        return rxPackets.get();
    }

    public long rxBytes()
    {
        return rxBytes.get();
    }

    /** Packets the VF sent that were dropped for {@code reason}. */
    public long txDrops(final VfDropReason reason)
    {
        return txDrops[reason.ordinal()].get();
    }

    /** Packets for the VF that were dropped for {@code reason}. */
    public long rxDrops(final VfDropReason reason)
    {
        return rxDrops[reason.ordinal()].get();
    }

    @Override
    public void close()
    {
        txPackets.close();
        txBytes.close();
        rxPackets.close();
        rxBytes.close();
        for (int i = 0; i < txDrops.length; i++)
        {
            txDrops[i].close();
            rxDrops[i].close();
        }
    }
}
