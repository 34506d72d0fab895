package io.vfplane.vf.port.udp;

import java.util.ArrayList;
import java.util.List;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.uring.IoUring;

/**
 * What the underlay can use on this machine, probed once at start, and why something is not used: the native
 * transports' availability (with Netty's reason when absent) and the UDP batching and offload features.
 *
 * @param epoll            epoll transport available.
 * @param epollCause       why not, or null.
 * @param ioUring          io_uring transport available.
 * @param ioUringCause     why not, or null.
 * @param gso              UDP GSO on epoll (Netty's SegmentedDatagramPacket support: kernel >= 4.18 and native lib).
 * @param ioUringFeatures  Netty's io_uring feature string, or null.
 */
public record UnderlayProbe(
    boolean epoll,
    String epollCause,
    boolean ioUring,
    String ioUringCause,
    boolean gso,
    String ioUringFeatures)
{
    /**
     * @return the probe of this machine.
     */
    public static UnderlayProbe probe()
    {
        final boolean epoll = Epoll.isAvailable();
        final boolean ioUring = IoUring.isAvailable();
        return new UnderlayProbe(
            epoll,
            epoll ? null : String.valueOf(Epoll.unavailabilityCause()),
            ioUring,
            ioUring ? null : String.valueOf(IoUring.unavailabilityCause()),
            epoll && EpollDatagramChannel.isSegmentedDatagramPacketSupported(),
            ioUring ? IoUring.featureString() : null);
    }

    /**
     * @return whether {@code transport} can be used.
     */
    public boolean available(final UnderlayTransport transport)
    {
        return switch (transport)
        {
            case EPOLL -> epoll;
            case IO_URING -> ioUring;
            case NATIVE -> true; // a plain socket; the port reports what the kernel refuses
        };
    }

    /**
     * What a port with {@code config} will use, one line per feature, each with its reason.
     */
    public List<String> describe(final UnderlayConfig config)
    {
        final List<String> lines = new ArrayList<>();
        lines.add("epoll: " + (epoll ? "available" : "unavailable: " + epollCause));
        lines.add("io_uring: " + (ioUring ? "available (" + ioUringFeatures + ")" : "unavailable: " + ioUringCause));
        final UnderlayTransport t = config.transport();
        lines.add("transport: " + t.label() + (available(t) ? "" : " NOT AVAILABLE"));
        if (t == UnderlayTransport.EPOLL)
        {
            lines.add("recvmmsg: " + (config.gro() ? "off: udp gro is on (Netty reads a GRO train of up to 64 KiB " +
                "per recvmsg and splits it; recvmmsg does not report the segment size)" :
                config.recvBatch() > 1 ? "on, " + config.recvBatch() + " datagrams per call" : "off (recv_batch 1)"));
            lines.add("sendmmsg: on (every flush writes the batch's datagrams with one flush)");
            lines.add("udp gso: " + (!config.gso() ? "off (configured)" : gso ? "on" :
                "off: the kernel or Netty's native library lacks UDP_SEGMENT"));
            lines.add("udp gro: " + (config.gro() ? "requested (UDP_GRO socket option; kernel >= 5.0)" :
                "off (configured)"));
        }
        else if (t == UnderlayTransport.NATIVE)
        {
            lines.add("native: a plain UDP socket through FFM (no Netty); the port adds what it uses");
        }
        else
        {
            lines.add("batching: io_uring submits the batch's sends and receives in one io_uring_enter");
            lines.add("udp gso: off: Netty's io_uring datagram channel has no SegmentedDatagramPacket support; " +
                "GSO frames are split into datagrams");
            lines.add("udp gro: off: Netty's io_uring datagram channel has no UDP_GRO option");
        }
        return lines;
    }
}
