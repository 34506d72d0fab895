package io.vfplane.pcap.replay;

import java.util.concurrent.atomic.AtomicInteger;

import io.vfplane.vf.port.tap.NetNs;

/**
 * A throw-away network namespace holding a veth pair, for measuring and testing replay without touching the host's
 * interfaces: frames sent on {@link #sendSide()} arrive on {@link #receiveSide()}. IPv6 is off in the namespace so
 * the kernel adds no frames of its own (router solicitations, DAD). {@link #close()} deletes the namespace and with it
 * both ends.
 *
 * <pre>
 *   namespace vfrp-PID-N
 *   +------------------------------------------+
 *   |  replay -> [ rpa ] ==veth== [ rpb ] -> capture |
 *   +------------------------------------------+
 * </pre>
 */
public final class VethNamespace implements AutoCloseable
{
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final String name;
    private boolean closed;

    private VethNamespace(final String name)
    {
        this.name = name;
    }

    /**
     * Create the namespace and the veth pair, both ends up.
     *
     * @param mtu MTU of both ends (frames larger than this are refused by the sender's kernel).
     * @return the namespace; close it.
     */
    public static VethNamespace create(final int mtu)
    {
        final String name = "vfrp-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
        NetNs.create(name);
        final VethNamespace ns = new VethNamespace(name);
        try
        {
            NetNs.runIn(name, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
                "net.ipv6.conf.default.disable_ipv6=1");
            NetNs.run("ip", "-n", name, "link", "add", "rpa", "type", "veth", "peer", "name", "rpb");
            for (final String end : new String[]{"rpa", "rpb"})
            {
                NetNs.run("ip", "-n", name, "link", "set", end, "mtu", Integer.toString(mtu), "up");
            }
            return ns;
        }
        catch (final RuntimeException ex)
        {
            ns.close();
            throw ex;
        }
    }

    /** @return the namespace's name, for {@code ip netns exec} and {@link ReplayOptions#netns()}. */
    public String name()
    {
        return name;
    }

    /** @return the end to send on. */
    public String sendSide()
    {
        return "rpa";
    }

    /** @return the end where the frames arrive. */
    public String receiveSide()
    {
        return "rpb";
    }

    /**
     * @param device an interface in the namespace.
     * @return its kernel receive counter (packets).
     */
    public long rxPackets(final String device)
    {
        return Long.parseLong(NetNs.runIn(name, "cat", "/sys/class/net/" + device + "/statistics/rx_packets").strip());
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            NetNs.delete(name);
        }
    }
}
