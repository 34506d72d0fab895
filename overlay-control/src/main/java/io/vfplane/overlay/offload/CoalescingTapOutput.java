package io.vfplane.overlay.offload;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.dataplane.parse.PacketParser;
import io.vfplane.pipeline.Output;
import io.vfplane.tsorsc.gro.CoalescedFrame;
import io.vfplane.tsorsc.gro.Coalescer;
import io.vfplane.vf.port.tap.TapPort;

/**
 * RSC in front of a VF's TAP: the decapsulated inner TCP segments of a batch are merged by tso-rsc's
 * {@link Coalescer} into frames of up to 64 KiB with gso metadata ({@code GSO_TCPV4}/{@code GSO_TCPV6}, gso size =
 * the MSS), and each goes to the TAP with one {@code writev} of vnet header, head and fragments (no copy), so the
 * guest's kernel takes 64 KiB per write. Everything else passes through unchanged, in order.
 * <p>
 * The coalescer runs without verifying the inner checksums (it reads no payload): a merged frame carries
 * {@code NEEDS_CSUM} with the pseudo-header sum, which the guest's kernel takes as "checksum done by the device", as
 * with a real NIC's tunnel offloads. A flow's frames are flushed at the end of every batch, so nothing waits.
 * <p>
 * USO: when the TAP takes {@code GSO_UDP_L4} frames ({@link TapPort.Sender#takesUdpGso()}: opened with
 * {@code TUN_F_USO4|TUN_F_USO6} on a kernel that has them), runs of consecutive inner UDP datagrams of one flow go
 * to the TAP as one such frame as well ({@link UdpGsoMerger}), so a burst of small datagrams costs one write; without
 * it every datagram is its own write, as before.
 * <p>
 * One instance per pipeline thread (per VF output); nothing allocated per packet.
 */
public final class CoalescingTapOutput implements Output
{
    private static final int FLOW_SLOTS = 16;
    private static final long TIMEOUT_NS = 1_000_000;

    private final TapPort.Sender sender;
    private final long baseAddress;
    private final Coalescer coalescer;
    private final UdpGsoMerger udp;
    private final int[] fragOffsets = new int[Coalescer.MAX_SEGMENTS];
    private final int[] fragLengths = new int[Coalescer.MAX_SEGMENTS];
    private boolean held;

    /**
     * @param sender the TAP's sender for this pipeline's thread.
     * @param pool   the pipeline's pool (the coalescer releases the segments' buffers to it).
     * @param parser knows the tunnel ports (the frames here are inner frames, so only Ethernet/IP/TCP matters).
     */
    public CoalescingTapOutput(final TapPort.Sender sender, final PacketPool pool, final PacketParser parser)
    {
        this.sender = sender;
        this.baseAddress = pool.buffer().addressOffset();
        this.coalescer = new Coalescer(pool, parser, FLOW_SLOTS, TIMEOUT_NS, false, this::write);
        this.udp = sender.takesUdpGso() ? new UdpGsoMerger(sender, pool) : null;
    }

    @Override
    public boolean offer(final PacketDescriptor packet, final PacketPool pool)
    {
        held = true;
        if (udp != null && udp.offer(packet))
        {
            return true;
        }
        coalescer.offer(packet, packet.timestampNs());
        return true;
    }

    private void write(final CoalescedFrame frame)
    {
        final int n = frame.fragmentCount();
        for (int i = 0; i < n; i++)
        {
            fragOffsets[i] = frame.fragmentOffset(i);
            fragLengths[i] = frame.fragmentLength(i);
        }
        sender.sendGathered(frame.metadata(), baseAddress, frame.headOffset(), frame.headLength(), fragOffsets,
            fragLengths, n);
    }

    @Override
    public void flush()
    {
        if (held)
        {
            held = false;
            coalescer.flushAll();
            if (udp != null)
            {
                udp.flushAll();
            }
        }
        sender.flush();
    }

    /** Segments merged into a frame held before them (TCP and UDP). */
    public long merged()
    {
        return coalescer.merged() + udpMerged();
    }

    /** Frames written (merged or not). */
    public long framesOut()
    {
        return coalescer.framesOut() + (udp != null ? udp.framesOut() : 0);
    }

    /** Whether UDP datagrams are merged into {@code GSO_UDP_L4} frames (the TAP takes USO). */
    public boolean mergesUdp()
    {
        return udp != null;
    }

    /** UDP datagrams merged into a {@code GSO_UDP_L4} frame behind another datagram (writes saved). */
    public long udpMerged()
    {
        return udp != null ? udp.merged() : 0;
    }

    /** {@code GSO_UDP_L4} frames written. */
    public long udpGsoFrames()
    {
        return udp != null ? udp.gsoFrames() : 0;
    }
}
