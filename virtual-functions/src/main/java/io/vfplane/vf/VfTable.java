package io.vfplane.vf;

import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;

/**
 * Every VF of one PF: the current {@link VfConfig} of each (replaced atomically by the control side, read without
 * locks by the stages), the output port that delivers to each VF's guest side, the PF link state, and the VF
 * counters.
 *
 * <p>The stages read the config once per packet with a volatile read; a change made by {@code vf set} takes effect
 * from the next packet on. The egress stage notices a changed {@code max_tx_rate} by the config instance changing.
 */
public final class VfTable implements AutoCloseable
{
    private final AtomicReferenceArray<VfConfig> configs;
    private final VfCounters[] counters;
    private final int[] guestPorts;
    private volatile boolean pfLinkUp = true;

    /**
     * @param vfCount  how many VFs.
     * @param counters where the per-VF counters are registered.
     */
    public VfTable(final int vfCount, final Counters counters)
    {
        if (vfCount < 1)
        {
            throw new IllegalArgumentException("vfs: need at least one VF: " + vfCount);
        }
        this.configs = new AtomicReferenceArray<>(vfCount);
        this.counters = new VfCounters[vfCount];
        this.guestPorts = new int[vfCount];
        for (int i = 0; i < vfCount; i++)
        {
            configs.set(i, VfConfig.defaults(i));
            this.counters[i] = new VfCounters(i, counters);
            guestPorts[i] = PacketDescriptor.UNSET;
        }
    }

    public int size()
    {
        return configs.length();
    }

    /**
     * @return VF {@code vf}'s config, or null when there is no such VF.
     */
    public VfConfig get(final int vf)
    {
        return vf >= 0 && vf < configs.length() ? configs.get(vf) : null;
    }

    /**
     * Publishes a new config for the VF it names.
     */
    public void set(final VfConfig config)
    {
        check(config.index());
        configs.set(config.index(), config);
    }

    /**
     * Applies {@code vf set N args...}.
     *
     * @return the config now in force.
     * @throws IllegalArgumentException naming the field (or {@code vf}) when the arguments are bad; nothing changes.
     */
    public VfConfig apply(final int vf, final List<String> args)
    {
        check(vf);
        while (true)
        {
            final VfConfig current = configs.get(vf);
            final VfConfig next = VfSetCommand.apply(current, args);
            if (configs.compareAndSet(vf, current, next))
            {
                return next;
            }
        }
    }

    /** Sets the output port that delivers to VF {@code vf}'s guest side (its TAP). Setup time. */
    public void guestPort(final int vf, final int port)
    {
        check(vf);
        guestPorts[vf] = port;
    }

    public int guestPort(final int vf)
    {
        return guestPorts[vf];
    }

    public boolean pfLinkUp()
    {
        return pfLinkUp;
    }

    public void pfLinkUp(final boolean up)
    {
        pfLinkUp = up;
    }

    public VfCounters counters(final int vf)
    {
        check(vf);
        return counters[vf];
    }

    private void check(final int vf)
    {
        if (vf < 0 || vf >= configs.length())
        {
            throw new IllegalArgumentException("vf: no VF " + vf + " (this PF has " + configs.length() + ")");
        }
    }

    /**
     * The text of {@code vfplane vf show}: per VF the {@code ip link} line and its counters.
     */
    public String show()
    {
        final StringBuilder sb = new StringBuilder(256 * configs.length());
        for (int i = 0; i < configs.length(); i++)
        {
            final VfCounters c = counters[i];
            sb.append("    ").append(configs.get(i)).append('\n');
            sb.append("        RX: bytes ").append(c.rxBytes()).append(" packets ").append(c.rxPackets());
            sb.append("  TX: bytes ").append(c.txBytes()).append(" packets ").append(c.txPackets()).append('\n');
            appendDrops(sb, "        TX drops:", c.txDrops);
            appendDrops(sb, "        RX drops:", c.rxDrops);
        }
        return sb.toString();
    }

    private static void appendDrops(
        final StringBuilder sb, final String title, final org.agrona.concurrent.status.AtomicCounter[] drops)
    {
        boolean any = false;
        for (final VfDropReason reason : VfDropReason.VALUES)
        {
            final long n = drops[reason.ordinal()].get();
            if (n != 0)
            {
                sb.append(any ? ", " : title + " ").append(reason.label()).append(' ').append(n);
                any = true;
            }
        }
        if (any)
        {
            sb.append('\n');
        }
    }

    @Override
    public void close()
    {
        for (final VfCounters c : counters)
        {
            c.close();
        }
    }
}
