package io.vfplane.vf.port.udp;

/**
 * Which Netty native transport carries the UDP underlay.
 */
public enum UnderlayTransport
{
    /** epoll: recvmmsg/sendmmsg, UDP GSO (SegmentedDatagramPacket) and GRO (UDP_GRO). The default. */
    EPOLL("epoll"),
    /** io_uring: batched submission; Netty 4.2's io_uring datagram channel offers neither GSO nor GRO. */
    IO_URING("io_uring");

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
     * @return the transport named {@code word} ({@code epoll}, {@code io_uring}).
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
        throw new IllegalArgumentException("underlay.transport: epoll or io_uring: " + word);
    }
}
