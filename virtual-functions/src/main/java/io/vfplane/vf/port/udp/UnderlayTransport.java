package io.vfplane.vf.port.udp;

/**
 * What carries the UDP underlay: one of Netty's native transports, or a plain socket driven through FFM.
 */
public enum UnderlayTransport
{
    /** epoll: recvmmsg/sendmmsg, UDP GSO (SegmentedDatagramPacket) and GRO (UDP_GRO). The default. */
    EPOLL("epoll"),
    /** io_uring: batched submission; Netty 4.2's io_uring datagram channel offers neither GSO nor GRO. */
    IO_URING("io_uring"),
    /**
     * native: a plain socket through FFM, no Netty: recvmmsg with UDP GRO (batching and GRO together), sendmmsg with
     * UDP GSO and gathered iovecs, sent from the pipeline's own thread.
     */
    NATIVE("native");

    private final String label;

    UnderlayTransport(final String label)
    {
        this.label = label;
    }

    public String label()
    {
        return label;
    }

    /**
     * @return the transport named {@code word} ({@code epoll}, {@code io_uring}, {@code native}).
     * @throws IllegalArgumentException naming the setting otherwise.
     */
    public static UnderlayTransport of(final String word)
    {
        for (final UnderlayTransport t : values())
        {
            if (t.label.equals(word))
            {
                return t;
            }
        }
        throw new IllegalArgumentException("underlay.transport: epoll, io_uring or native: " + word);
    }
}
