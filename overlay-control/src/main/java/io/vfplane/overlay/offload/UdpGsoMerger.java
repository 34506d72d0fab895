package io.vfplane.overlay.offload;

import org.agrona.concurrent.UnsafeBuffer;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.checksum.Checksums;
import io.vfplane.dataplane.packet.Offload;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.tsorsc.CopySum;
import io.vfplane.vf.port.tap.TapPort;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * USO toward a guest: runs of consecutive inner UDP datagrams of one flow in a batch go to the TAP as ONE
 * {@code GSO_UDP_L4} frame, which the guest's kernel splits back into the datagrams (in its UDP receive path, or in
 * GSO when it forwards them), so a burst of small datagrams costs one {@code writev} instead of one per datagram.
 * <p>
 * A run is datagrams with equal Ethernet header, equal IP header bar length, ID and checksum (IPv4 without options
 * and not fragmented, or IPv6 with UDP as next header), equal ports, and equal payload lengths but for the last,
 * which may be shorter and ends the run. At most {@value #MAX_SEGMENTS} datagrams (the kernel's
 * {@code UDP_MAX_SEGMENTS}) and an IP length within 64 KiB. The write gathers the first datagram's headers, patched
 * to describe the whole frame, and every datagram's payload where it lies (no copy):
 * <pre>
 *  iov: | vnet hdr | Eth | IP (length of all) | UDP (length of all) | payload 0 | payload 1 | ... | payload n-1 |
 *                                               check = pseudo-header sum over the whole length (not complemented)
 *  vnet hdr: flags NEEDS_CSUM, gso_type UDP_L4 (5), gso_size = payload length, hdr_len = Eth + IP + UDP,
 *            csum_start = Eth + IP, csum_offset = 6
 * </pre>
 * The UDP length and checksum describe the whole frame, as the kernel's own UDP GSO sends and UDP GRO build them:
 * its segmentation ({@code __udp_gso_segment}) moves the checksum from the frame's length to a segment's by
 * subtracting {@code uh->len} and adding the segment's, and its UDP receive path trims the frame to {@code uh->len}.
 * IPv4 IDs of the segments count up from the first datagram's.
 * <p>
 * Each datagram's own UDP checksum is verified before it joins a run, as the kernel's UDP GRO does: the guest takes
 * {@code NEEDS_CSUM} as "checksum done by the device" and would never check the datagrams in the frame again. A
 * datagram with a wrong checksum (or, over IPv6, none) is not merged but written alone as it came, for the guest to
 * drop and count, and counted here ({@link #badChecksums()}); an IPv4 datagram without a checksum (0) has nothing to
 * verify and merges. A flow's order is kept: a datagram that cannot join its
 * flow's run flushes the run first, and any frame that is neither mergeable UDP nor TCP (IP fragments, UDP with IPv4
 * options, ICMP, ARP, frames carrying offload metadata) flushes every run before it is passed on. TCP frames go on
 * to the TCP merge without touching the runs: they are other flows.
 * <p>
 * Runs are held until {@link #flushAll()} at the end of each batch. One instance per sender; nothing allocated per
 * packet.
 */
final class UdpGsoMerger
{
    /** The kernel's {@code UDP_MAX_SEGMENTS}: it refuses a {@code GSO_UDP_L4} frame of more segments. */
    static final int MAX_SEGMENTS = 64;
    /** Runs held at once (flows in one batch); a further flow flushes one. */
    static final int RUNS = 8;

    /** {@link #classify} results below zero. */
    private static final int TCP = -1;
    private static final int OTHER = -2;

    private static final int ETHERNET_LENGTH = 14;
    private static final int ETHER_TYPE_OFFSET = 12;
    private static final int ETHER_TYPE_IPV4 = 0x0800;
    private static final int ETHER_TYPE_IPV6 = 0x86DD;
    private static final int IPV4_LENGTH = 20;
    private static final int IPV4_VERSION_IHL_NO_OPTIONS = 0x45;
    private static final int IPV4_TOTAL_LENGTH_OFFSET = 2;
    private static final int IPV4_FRAGMENT_OFFSET = 6;
    private static final int IPV4_MF_AND_OFFSET = 0x3FFF;
    private static final int IPV4_PROTOCOL_OFFSET = 9;
    private static final int IPV4_ADDRESSES_OFFSET = 12;
    private static final int IPV6_LENGTH = 40;
    private static final int IPV6_PAYLOAD_LENGTH_OFFSET = 4;
    private static final int IPV6_NEXT_HEADER_OFFSET = 6;
    private static final int IPV6_ADDRESSES_OFFSET = 8;
    private static final int UDP_LENGTH = 8;
    private static final int UDP_LENGTH_OFFSET = 4;
    private static final int NO_CHECKSUM = 0;
    private static final int PROTOCOL_TCP = 6;
    private static final int PROTOCOL_UDP = 17;
    private static final int MAX_IP_LENGTH = 65_535;

    private final TapPort.Sender sender;
    private final PacketPool pool;
    private final UnsafeBuffer buffer;
    private final long baseAddress;

    // per run; a run's datagrams are at [run * MAX_SEGMENTS, run * MAX_SEGMENTS + count[run])
    private final PacketDescriptor[] first = new PacketDescriptor[RUNS];
    private final int[] count = new int[RUNS];
    private final int[] ipLength = new int[RUNS];
    private final int[] segmentSize = new int[RUNS];
    private final int[] payloadTotal = new int[RUNS];
    private final boolean[] closed = new boolean[RUNS];
    private final int[] bufferIds = new int[RUNS * MAX_SEGMENTS];
    private final int[] payloadOffsets = new int[RUNS * MAX_SEGMENTS];
    private final int[] payloadLengths = new int[RUNS * MAX_SEGMENTS];
    private int active;
    private int lastRun = -1;
    private int victim;

    // what classify found out about the frame offered
    private int ipHeaderLength;

    private final PacketDescriptor merged = new PacketDescriptor();
    private final int[] fragOffsets = new int[MAX_SEGMENTS];
    private final int[] fragLengths = new int[MAX_SEGMENTS];

    private long mergedDatagrams;
    private long badChecksums;
    private long gsoFrames;
    private long framesOut;

    UdpGsoMerger(final TapPort.Sender sender, final PacketPool pool)
    {
        this.sender = sender;
        this.pool = pool;
        this.buffer = pool.buffer();
        this.baseAddress = buffer.addressOffset();
        for (int r = 0; r < RUNS; r++)
        {
            first[r] = new PacketDescriptor();
        }
    }

    /**
     * Takes a mergeable datagram into its flow's run.
     *
     * @return true when the datagram was taken (its buffer is held until the run is written); false when the caller
     * sends the frame on (held runs that must go before it have been written by then).
     */
    boolean offer(final PacketDescriptor packet)
    {
        final int payload = classify(packet);
        if (payload < 0)
        {
            if (payload != TCP && active != 0)
            {
                flushAll();
            }
            return false;
        }
        final int offset = packet.offset();
        int run = lastRun >= 0 && count[lastRun] != 0 && sameFlow(lastRun, offset) ? lastRun : find(offset);
        if (run >= 0)
        {
            if (canAppend(run, offset, payload))
            {
                append(run, packet, payload);
                return true;
            }
            write(run);
        }
        else
        {
            run = freeRun();
        }
        start(run, packet, payload);
        return true;
    }

    /** Writes every held run: call at the end of each batch. */
    void flushAll()
    {
        for (int r = 0; r < RUNS && active != 0; r++)
        {
            if (count[r] != 0)
            {
                write(r);
            }
        }
    }

    /** Datagrams that went into a frame behind another datagram (saved writes). */
    long merged()
    {
        return mergedDatagrams;
    }

    /** Datagrams whose UDP checksum failed verification (written alone, never merged). */
    long badChecksums()
    {
        return badChecksums;
    }

    /** {@code GSO_UDP_L4} frames written. */
    long gsoFrames()
    {
        return gsoFrames;
    }

    /** Writes done here (GSO frames and runs of one datagram). */
    long framesOut()
    {
        return framesOut;
    }

    /**
     * @return the UDP payload length (above 0) of a mergeable datagram, {@link #TCP} for TCP (not fragmented), or
     * {@link #OTHER}.
     */
    private int classify(final PacketDescriptor packet)
    {
        if (packet.gsoType() != Offload.GSO_NONE || (packet.offloadFlags() & Offload.FLAG_NEEDS_CSUM) != 0)
        {
            return OTHER;
        }
        final int frame = packet.offset();
        final int length = packet.length();
        if (length < ETHERNET_LENGTH + IPV4_LENGTH + UDP_LENGTH)
        {
            return OTHER;
        }
        final int etherType = buffer.getShort(frame + ETHER_TYPE_OFFSET, BIG_ENDIAN) & 0xFFFF;
        final int ip = frame + ETHERNET_LENGTH;
        final int udpLength;
        if (etherType == ETHER_TYPE_IPV4)
        {
            if ((buffer.getShort(ip + IPV4_FRAGMENT_OFFSET, BIG_ENDIAN) & IPV4_MF_AND_OFFSET) != 0)
            {
                return OTHER;
            }
            final int protocol = buffer.getByte(ip + IPV4_PROTOCOL_OFFSET) & 0xFF;
            if (protocol == PROTOCOL_TCP)
            {
                return TCP;
            }
            if (protocol != PROTOCOL_UDP || buffer.getByte(ip) != IPV4_VERSION_IHL_NO_OPTIONS)
            {
                return OTHER;
            }
            final int total = buffer.getShort(ip + IPV4_TOTAL_LENGTH_OFFSET, BIG_ENDIAN) & 0xFFFF;
            udpLength = total - IPV4_LENGTH;
            if (ETHERNET_LENGTH + total > length)
            {
                return OTHER;
            }
            ipHeaderLength = IPV4_LENGTH;
        }
        else if (etherType == ETHER_TYPE_IPV6)
        {
            if (length < ETHERNET_LENGTH + IPV6_LENGTH + UDP_LENGTH)
            {
                return OTHER;
            }
            final int next = buffer.getByte(ip + IPV6_NEXT_HEADER_OFFSET) & 0xFF;
            if (next == PROTOCOL_TCP)
            {
                return TCP;
            }
            if (next != PROTOCOL_UDP)
            {
                return OTHER;
            }
            udpLength = buffer.getShort(ip + IPV6_PAYLOAD_LENGTH_OFFSET, BIG_ENDIAN) & 0xFFFF;
            if (ETHERNET_LENGTH + IPV6_LENGTH + udpLength > length)
            {
                return OTHER;
            }
            ipHeaderLength = IPV6_LENGTH;
        }
        else
        {
            return OTHER;
        }
        final int udp = ip + ipHeaderLength;
        // a UDP length that disagrees with IP's, or no payload: let the guest's kernel judge it on its own
        if ((buffer.getShort(udp + UDP_LENGTH_OFFSET, BIG_ENDIAN) & 0xFFFF) != udpLength ||
            udpLength <= UDP_LENGTH)
        {
            return OTHER;
        }
        if (!checksumGood(ip, udp, udpLength))
        {
            badChecksums++;
            return OTHER;
        }
        return udpLength - UDP_LENGTH;
    }

    /**
     * The datagram's UDP checksum over pseudo-header, header and payload sums to 0xFFFF; an IPv4 datagram without
     * one (0) passes, an IPv6 one does not (RFC 8200 section 8.1). Header and payload are read once ({@link CopySum#sum}).
     */
    private boolean checksumGood(final int ip, final int udp, final int udpLength)
    {
        if ((buffer.getShort(udp + Checksums.UDP_CHECKSUM_OFFSET, BIG_ENDIAN) & 0xFFFF) == NO_CHECKSUM)
        {
            return ipHeaderLength == IPV4_LENGTH;
        }
        final int pseudo = ipHeaderLength == IPV4_LENGTH ?
            Checksums.ipv4PseudoHeaderSum(buffer, ip, PROTOCOL_UDP, udpLength) :
            Checksums.ipv6PseudoHeaderSum(buffer, ip, PROTOCOL_UDP, udpLength);
        return Checksums.reduce(Checksums.add(pseudo, CopySum.sum(buffer, udp, udpLength))) == 0xFFFF;
    }

    private int find(final int offset)
    {
        for (int r = 0; r < RUNS; r++)
        {
            if (count[r] != 0 && sameFlow(r, offset))
            {
                return r;
            }
        }
        return -1;
    }

    private int freeRun()
    {
        if (active < RUNS)
        {
            for (int r = 0; r < RUNS; r++)
            {
                if (count[r] == 0)
                {
                    return r;
                }
            }
        }
        // every run busy: the oldest-started is not tracked, so take turns (the evicted run is written, not lost)
        final int r = victim;
        victim = (victim + 1) % RUNS;
        write(r);
        return r;
    }

    /** Same IP version, addresses and ports as the run (its 5-tuple). */
    private boolean sameFlow(final int run, final int offset)
    {
        final int head = first[run].offset();
        if (ipLength[run] != ipHeaderLength)
        {
            return false;
        }
        final int ipA = head + ETHERNET_LENGTH;
        final int ipB = offset + ETHERNET_LENGTH;
        if (ipHeaderLength == IPV4_LENGTH)
        {
            return equal64(ipA + IPV4_ADDRESSES_OFFSET, ipB + IPV4_ADDRESSES_OFFSET) &&
                equal32(ipA + IPV4_LENGTH, ipB + IPV4_LENGTH);
        }
        final int a = ipA + IPV6_ADDRESSES_OFFSET;
        final int b = ipB + IPV6_ADDRESSES_OFFSET;
        return equal64(a, b) && equal64(a + 8, b + 8) && equal64(a + 16, b + 16) && equal64(a + 24, b + 24) &&
            equal32(ipA + IPV6_LENGTH, ipB + IPV6_LENGTH);
    }

    /**
     * The rest of the headers equal (the 5-tuple is known to): Ethernet header; IPv4 version/IHL and TOS, fragment
     * field (DF), TTL and protocol; IPv6 version, traffic class, flow label, next header and hop limit. And the
     * payload fits the run: not longer than its segment size, the run not ended by a shorter one, within the
     * segment and length limits.
     */
    private boolean canAppend(final int run, final int offset, final int payload)
    {
        if (closed[run] || count[run] == MAX_SEGMENTS || payload > segmentSize[run] ||
            ipHeaderLength + UDP_LENGTH + payloadTotal[run] + payload > MAX_IP_LENGTH)
        {
            return false;
        }
        final int head = first[run].offset();
        if (!equal64(head, offset) || !equal32(head + 8, offset + 8))
        {
            return false;
        }
        final int ipA = head + ETHERNET_LENGTH;
        final int ipB = offset + ETHERNET_LENGTH;
        if (ipHeaderLength == IPV4_LENGTH)
        {
            return equal16(ipA, ipB) && equal32(ipA + IPV4_FRAGMENT_OFFSET, ipB + IPV4_FRAGMENT_OFFSET);
        }
        return equal32(ipA, ipB) && equal16(ipA + IPV6_NEXT_HEADER_OFFSET, ipB + IPV6_NEXT_HEADER_OFFSET);
    }

    private boolean equal64(final int a, final int b)
    {
        return buffer.getLong(a, BIG_ENDIAN) == buffer.getLong(b, BIG_ENDIAN);
    }

    private boolean equal32(final int a, final int b)
    {
        return buffer.getInt(a, BIG_ENDIAN) == buffer.getInt(b, BIG_ENDIAN);
    }

    private boolean equal16(final int a, final int b)
    {
        return buffer.getShort(a, BIG_ENDIAN) == buffer.getShort(b, BIG_ENDIAN);
    }

    private void start(final int run, final PacketDescriptor packet, final int payload)
    {
        first[run].copyFrom(packet);
        ipLength[run] = ipHeaderLength;
        segmentSize[run] = payload;
        payloadTotal[run] = 0;
        closed[run] = false;
        active++;
        lastRun = run;
        append(run, packet, payload);
    }

    private void append(final int run, final PacketDescriptor packet, final int payload)
    {
        final int i = run * MAX_SEGMENTS + count[run];
        bufferIds[i] = packet.bufferId();
        payloadOffsets[i] = packet.offset() + ETHERNET_LENGTH + ipHeaderLength + UDP_LENGTH;
        payloadLengths[i] = payload;
        count[run]++;
        payloadTotal[run] += payload;
        if (payload < segmentSize[run])
        {
            closed[run] = true;
        }
        lastRun = run;
    }

    private void write(final int run)
    {
        final int n = count[run];
        final PacketDescriptor head = first[run];
        final int from = run * MAX_SEGMENTS;
        count[run] = 0;
        active--;
        framesOut++;
        if (n == 1)
        {
            // nothing to merge: the datagram goes as it came (its own checksum, verified by the guest)
            sender.offer(head, pool);
            return;
        }
        final int ip = head.offset() + ETHERNET_LENGTH;
        final int l3 = ipLength[run];
        final int udp = ip + l3;
        final int udpLength = UDP_LENGTH + payloadTotal[run];
        buffer.putShort(udp + UDP_LENGTH_OFFSET, (short)udpLength, BIG_ENDIAN);
        final int pseudo;
        if (l3 == IPV4_LENGTH)
        {
            buffer.putShort(ip + IPV4_TOTAL_LENGTH_OFFSET, (short)(IPV4_LENGTH + udpLength), BIG_ENDIAN);
            Checksums.writeIpv4HeaderChecksum(buffer, ip);
            pseudo = Checksums.ipv4PseudoHeaderSum(buffer, ip, PROTOCOL_UDP, udpLength);
        }
        else
        {
            buffer.putShort(ip + IPV6_PAYLOAD_LENGTH_OFFSET, (short)udpLength, BIG_ENDIAN);
            pseudo = Checksums.ipv6PseudoHeaderSum(buffer, ip, PROTOCOL_UDP, udpLength);
        }
        // the partial sum the device (here: the guest's kernel) completes over UDP header and payload
        buffer.putShort(udp + Checksums.UDP_CHECKSUM_OFFSET, (short)Checksums.reduce(pseudo), BIG_ENDIAN);
        final int headerLength = ETHERNET_LENGTH + l3 + UDP_LENGTH;
        merged.copyFrom(head)
            .offloadFlags(Offload.FLAG_NEEDS_CSUM)
            .gsoType(Offload.GSO_UDP_L4)
            .gsoSize(segmentSize[run])
            .headerLength(headerLength)
            .csumStart(ETHERNET_LENGTH + l3)
            .csumOffset(Checksums.UDP_CHECKSUM_OFFSET);
        for (int i = 1; i < n; i++)
        {
            fragOffsets[i - 1] = payloadOffsets[from + i];
            fragLengths[i - 1] = payloadLengths[from + i];
        }
        // head and the first payload are contiguous in the first datagram's slot
        sender.sendGathered(merged, baseAddress, head.offset(), headerLength + payloadLengths[from], fragOffsets,
            fragLengths, n - 1);
        merged.unbind();
        mergedDatagrams += n - 1;
        gsoFrames++;
        pool.release(bufferIds, from, n); // in bulk: one free-list CAS for the run
    }
}
