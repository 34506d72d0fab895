package io.vfplane.vf.port.udp;

import java.net.InetSocketAddress;

/**
 * How to open the UDP underlay port.
 *
 * @param transport    epoll (default) or io_uring.
 * @param bind         the local address and port (IPv4).
 * @param recvBatch    datagrams per receive system call (recvmmsg on epoll); 1 turns batching off.
 * @param maxDatagram  the largest datagram payload expected without GRO (native: the spill room behind each
 *                     message's slot, so that a datagram too big for a slot is counted rather than cut).
 * @param gro          ask for UDP GRO (epoll only; the kernel may coalesce a burst of equal-sized datagrams). With
 *                     Netty 4.2 this replaces recvmmsg by one recvmsg per GRO train: worth it when peers send
 *                     with GSO or the NIC coalesces, not for a stream of small unrelated datagrams.
 * @param gso          send frames marked {@code GSO_UDP_L4} as one UDP GSO write (epoll only, when supported);
 *                     otherwise they are split into datagrams here.
 * @param portId       the in-port set on received packets.
 * @param perFlowSourcePorts native only: send each frame from one of a set of sockets chosen by the frame's outer
 *                     UDP source port (which the encap stage draws from the inner flow, RFC 7348 section 5), so
 *                     the source port on the wire differs per flow (ECMP entropy) and one flow keeps one port;
 *                     otherwise everything leaves from the bound port. On by default.
 */
public record UnderlayConfig(
    UnderlayTransport transport,
    InetSocketAddress bind,
    int recvBatch,
    int maxDatagram,
    boolean gro,
    boolean gso,
    int portId,
    boolean perFlowSourcePorts)
{
    /** The largest UDP payload over IPv4. */
    public static final int MAX_UDP_PAYLOAD = 65_507;

    public UnderlayConfig
    {
        if (transport == null)
        {
            throw new IllegalArgumentException("underlay.transport: epoll, io_uring or native");
        }
        if (bind == null || bind.isUnresolved() || !(bind.getAddress() instanceof java.net.Inet4Address))
        {
            throw new IllegalArgumentException("underlay.bind: an IPv4 address and port: " + bind);
        }
        if (recvBatch < 1 || recvBatch > 1024)
        {
            throw new IllegalArgumentException("underlay.recv_batch: 1..1024: " + recvBatch);
        }
        if (maxDatagram < 64 || maxDatagram > MAX_UDP_PAYLOAD)
        {
            throw new IllegalArgumentException("underlay.max_datagram: 64.." + MAX_UDP_PAYLOAD + ": " + maxDatagram);
        }
    }

    /** With per-flow source ports on (the default). */
    public UnderlayConfig(
        final UnderlayTransport transport, final InetSocketAddress bind, final int recvBatch, final int maxDatagram,
        final boolean gro, final boolean gso, final int portId)
    {
        this(transport, bind, recvBatch, maxDatagram, gro, gso, portId, true);
    }

    /**
     * @return epoll, 16 datagrams per recvmmsg, 2048-byte datagrams, GSO on where offered, GRO off (recvmmsg).
     */
    public static UnderlayConfig defaults(final InetSocketAddress bind, final int portId)
    {
        return new UnderlayConfig(UnderlayTransport.EPOLL, bind, 16, 2048, false, true, portId);
    }

    public UnderlayConfig withTransport(final UnderlayTransport t)
    {
        return new UnderlayConfig(t, bind, recvBatch, maxDatagram, gro, gso, portId, perFlowSourcePorts);
    }

    public UnderlayConfig withPerFlowSourcePorts(final boolean on)
    {
        return new UnderlayConfig(transport, bind, recvBatch, maxDatagram, gro, gso, portId, on);
    }
}
