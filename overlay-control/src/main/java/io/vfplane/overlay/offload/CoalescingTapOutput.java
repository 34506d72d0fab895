package io.vfplane.overlay.offload;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.dataplane.parse.PacketParser;
import io.vfplane.pipeline.Output;
import io.vfplane.tsorsc.ModuleCounters;
import io.vfplane.tsorsc.gro.CoalescedFrame;
import io.vfplane.tsorsc.gro.Coalescer;
import io.vfplane.vf.port.tap.TapPort;

/**
 * RSC in front of a VF's TAP: the decapsulated inner TCP segments of a batch are merged by tso-rsc's
 * {@link Coalescer} into frames of up to 64 KiB with gso metadata ({@code GSO_TCPV4}/{@code GSO_TCPV6}, gso size =
 * the MSS), and each goes to the TAP with one {@code writev} of vnet header, head and fragments (no copy), so the
 * guest's kernel takes 64 KiB per write. Everything else passes through unchanged, in order.
 * <p>
 * Checksums: the guest's kernel takes a merged frame's {@code NEEDS_CSUM} as "checksum done by the device" and never
 * checks the segments inside it again, so every segment's TCP checksum is verified before it is merged, as Linux's
 * GRO and a NIC's RSC do. The tunnel's UDP checksum does not vouch for them: it may be 0 (Linux's vxlan sends none
 * over IPv4 by default) and the socket does not tell. A segment that fails is written alone as it came, for the
 * guest to drop and count, and counted here ({@code tsorsc.<vf>.coalesce.bad_checksum}). The merged frame still
 * carries the pseudo-header sum with {@code NEEDS_CSUM} ({@link Coalescer#partialChecksums}): a TAP's kernel ignores
 * {@code DATA_VALID} and would checksum a fully summed 64 KiB frame again. A flow's frames are flushed at the end of
 * every batch, so nothing waits.
 * <p>
 * USO: when the TAP takes {@code GSO_UDP_L4} frames ({@link TapPort.Sender#takesUdpGso()}: opened with
 * {@code TUN_F_USO4|TUN_F_USO6} on a kernel that has them), runs of consecutive inner UDP datagrams of one flow go
 * to the TAP as one such frame as well ({@link UdpGsoMerger}), so a burst of small datagrams costs one write; without
 * it every datagram is its own write, as before. Their UDP checksums are verified the same way
 * ({@code tsorsc.<vf>.uso.bad_checksum}).
 * <p>
 * Counters (after {@link #counters}): {@code tsorsc.<vf>.coalesce.*} (see tso-rsc's {@code CoalescerCounters}) and
 * {@code tsorsc.<vf>.uso.merged / frames / bad_checksum}, published at the end of each batch.
 * <p>
 * One instance per pipeline thread (per VF output); nothing allocated per packet.
 */
public final class CoalescingTapOutput implements Output
{
    private static final int FLOW_SLOTS = 16;
    private static final long TIMEOUT_NS = 1_000_000;
    private static final int USO_MERGED = 0;
    private static final int USO_FRAMES = 1;
    private static final int USO_BAD_CHECKSUM = 2;

    private final TapPort.Sender sender;
    private final long baseAddress;
    private final Coalescer coalescer;
    private final UdpGsoMerger udp;
    private final int[] fragOffsets = new int[Coalescer.MAX_SEGMENTS];
    private final int[] fragLengths = new int[Coalescer.MAX_SEGMENTS];
    private boolean held;
    private ModuleCounters udpCounters;

    /**
     * @param sender the TAP's sender for this pipeline's thread.
     * @param pool   the pipeline's pool (the coalescer releases the segments' buffers to it).
     * @param parser knows the tunnel ports (the frames here are inner frames, so only Ethernet/IP/TCP matters).
     */
    public CoalescingTapOutput(final TapPort.Sender sender, final PacketPool pool, final PacketParser parser)
    {
        this.sender = sender;
        this.baseAddress = pool.buffer().addressOffset();
        this.coalescer = new Coalescer(pool, parser, FLOW_SLOTS, TIMEOUT_NS, true, this::write).partialChecksums(true);
        this.udp = sender.takesUdpGso() ? new UdpGsoMerger(sender, pool) : null;
    }

    /**
     * Registers the counters under {@code tsorsc.<name>.} (setup time).
     *
     * @param counters where.
     * @param name     names the VF (letters, digits, '_' and '-').
     * @return this.
     */
    public CoalescingTapOutput counters(final Counters counters, final String name)
    {
        coalescer.counters(counters, name);
        if (udp != null)
        {
            udpCounters = new ModuleCounters(counters, ModuleCounters.prefix(name, "uso"), "merged", "frames",
                "bad_checksum");
        }
        return this;
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
                if (udpCounters != null)
                {
                    udpCounters.publish(USO_MERGED, udp.merged());
                    udpCounters.publish(USO_FRAMES, udp.gsoFrames());
                    udpCounters.publish(USO_BAD_CHECKSUM, udp.badChecksums());
                }
            }
        }
        sender.flush();
    }

    /** TCP segments that failed checksum verification (written alone, never merged). */
    public long tcpBadChecksums()
    {
        return coalescer.badChecksums();
    }

    /** UDP datagrams that failed checksum verification (written alone, never merged). */
    public long udpBadChecksums()
    {
        return udp != null ? udp.badChecksums() : 0;
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
