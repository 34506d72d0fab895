package io.vfplane.dataplane.packet;

import io.vfplane.dataplane.parse.DropReason;

/**
 * One packet in flight: which pool buffer holds its bytes, where the frame starts and how long it is, and the
 * metadata stages read and write. Descriptors are ring entries: allocated once with the ring and reused, never per
 * packet. The frame bytes are at {@code pool.buffer()} from {@link #offset()} for {@link #length()} bytes; the bytes
 * between the slot start and {@link #offset()} are headroom an encapsulation may claim with {@link #prepend(int, int)}.
 *
 * <p>The offload fields follow {@code virtio_net_hdr} (see {@link Offload}) so that frames come from and go to a TAP
 * with a vnet header unchanged.
 */
public final class PacketDescriptor
{
    /** Nothing assigned: a port, VF or VNI field that has not been set. */
    public static final int UNSET = -1;

    /** Next action: continue to the next stage. */
    public static final int ACTION_CONTINUE = 0;
    /** Next action: dropped; {@link #dropReason()} says why. The tx stage returns the buffer. */
    public static final int ACTION_DROP = 1;
    /** Next action: hand to the output named by {@link #outPort()}. */
    public static final int ACTION_OUTPUT = 2;

    private int bufferId = UNSET;
    private int offset;
    private int length;

    private int inPort = UNSET;
    private int outPort = UNSET;
    private int vf = UNSET;
    private int vni = UNSET;
    private int flowHash;
    private int tunnelId = UNSET;
    private int linkType = 1;

    private int action = ACTION_CONTINUE;
    private DropReason dropReason = DropReason.NONE;

    private int offloadFlags;
    private int gsoType = Offload.GSO_NONE;
    private int gsoSize;
    private int headerLength;
    private int csumStart;
    private int csumOffset;

    private long timestampNs;
    private long userSequence;

    /** Clears every field but the buffer binding. */
    public PacketDescriptor resetMetadata()
    {
        inPort = UNSET;
        outPort = UNSET;
        vf = UNSET;
        vni = UNSET;
        flowHash = 0;
        tunnelId = UNSET;
        linkType = 1;
        action = ACTION_CONTINUE;
        dropReason = DropReason.NONE;
        offloadFlags = 0;
        gsoType = Offload.GSO_NONE;
        gsoSize = 0;
        headerLength = 0;
        csumStart = 0;
        csumOffset = 0;
        timestampNs = 0;
        userSequence = 0;
        return this;
    }

    /** Binds this descriptor to a pool buffer holding a frame at an absolute offset. */
    public PacketDescriptor bind(final int bufferId, final int offset, final int length)
    {
        this.bufferId = bufferId;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /** Forgets the buffer (after it was released or handed on). */
    public PacketDescriptor unbind()
    {
        this.bufferId = UNSET;
        this.offset = 0;
        this.length = 0;
        return this;
    }

    /**
     * Claims {@code bytes} of headroom in front of the frame.
     *
     * @param slotOffset where this buffer's slot begins ({@code pool.slotOffset(bufferId())}).
     * @return false when the headroom is too small; nothing changes then.
     */
    public boolean prepend(final int bytes, final int slotOffset)
    {
        if (offset - bytes < slotOffset)
        {
            return false;
        }
        offset -= bytes;
        length += bytes;
        return true;
    }

    /** Removes {@code bytes} from the front of the frame (decapsulation); false when the frame is shorter. */
    public boolean strip(final int bytes)
    {
        if (bytes > length)
        {
            return false;
        }
        offset += bytes;
        length -= bytes;
        return true;
    }

    /** Marks the packet dropped for {@code reason}. */
    public void drop(final DropReason reason)
    {
        action = ACTION_DROP;
        dropReason = reason;
    }

    public boolean isDropped()
    {
        return action == ACTION_DROP;
    }

    public int bufferId()
    {
        return bufferId;
    }

    public int offset()
    {
        return offset;
    }

    public PacketDescriptor offset(final int offset)
    {
        this.offset = offset;
        return this;
    }

    public int length()
    {
        return length;
    }

    public PacketDescriptor length(final int length)
    {
        this.length = length;
        return this;
    }

    public int inPort()
    {
        return inPort;
    }

    public PacketDescriptor inPort(final int inPort)
    {
        this.inPort = inPort;
        return this;
    }

    public int outPort()
    {
        return outPort;
    }

    public PacketDescriptor outPort(final int outPort)
    {
        this.outPort = outPort;
        return this;
    }

    public int vf()
    {
        return vf;
    }

    public PacketDescriptor vf(final int vf)
    {
        this.vf = vf;
        return this;
    }

    public int vni()
    {
        return vni;
    }

    public PacketDescriptor vni(final int vni)
    {
        this.vni = vni;
        return this;
    }

    public int flowHash()
    {
        return flowHash;
    }

    public PacketDescriptor flowHash(final int flowHash)
    {
        this.flowHash = flowHash;
        return this;
    }

    /**
     * The tunnel (remote endpoint and format) an egress rule chose, as an index into the rule set's tunnel table; a
     * UDP-socket underlay that writes only the tunnel header needs it to address the datagram.
     */
    public int tunnelId()
    {
        return tunnelId;
    }

    public PacketDescriptor tunnelId(final int tunnelId)
    {
        this.tunnelId = tunnelId;
        return this;
    }

    /** The link type of the frame's first header (pcap LINKTYPE numbering; 1 = Ethernet). */
    public int linkType()
    {
        return linkType;
    }

    public PacketDescriptor linkType(final int linkType)
    {
        this.linkType = linkType;
        return this;
    }

    public int action()
    {
        return action;
    }

    public PacketDescriptor action(final int action)
    {
        this.action = action;
        return this;
    }

    public DropReason dropReason()
    {
        return dropReason;
    }

    public int offloadFlags()
    {
        return offloadFlags;
    }

    public PacketDescriptor offloadFlags(final int offloadFlags)
    {
        this.offloadFlags = offloadFlags;
        return this;
    }

    public int gsoType()
    {
        return gsoType;
    }

    public PacketDescriptor gsoType(final int gsoType)
    {
        this.gsoType = gsoType;
        return this;
    }

    public int gsoSize()
    {
        return gsoSize;
    }

    public PacketDescriptor gsoSize(final int gsoSize)
    {
        this.gsoSize = gsoSize;
        return this;
    }

    /** Length of the headers in front of the payload (virtio hdr_len). */
    public int headerLength()
    {
        return headerLength;
    }

    public PacketDescriptor headerLength(final int headerLength)
    {
        this.headerLength = headerLength;
        return this;
    }

    /** Where checksumming starts, relative to the frame start (virtio csum_start). */
    public int csumStart()
    {
        return csumStart;
    }

    public PacketDescriptor csumStart(final int csumStart)
    {
        this.csumStart = csumStart;
        return this;
    }

    /** Where the checksum goes, relative to {@link #csumStart()} (virtio csum_offset). */
    public int csumOffset()
    {
        return csumOffset;
    }

    public PacketDescriptor csumOffset(final int csumOffset)
    {
        this.csumOffset = csumOffset;
        return this;
    }

    /** When the packet entered vfplane (a {@code System.nanoTime()} reading), for latency histograms. */
    public long timestampNs()
    {
        return timestampNs;
    }

    public PacketDescriptor timestampNs(final long timestampNs)
    {
        this.timestampNs = timestampNs;
        return this;
    }

    /** A number the source attaches (frame index in a capture, generator sequence); stages leave it alone. */
    public long userSequence()
    {
        return userSequence;
    }

    public PacketDescriptor userSequence(final long userSequence)
    {
        this.userSequence = userSequence;
        return this;
    }

    /** Copies every field of {@code other}, buffer binding included (fan-out stages copy then rebind). */
    public PacketDescriptor copyFrom(final PacketDescriptor other)
    {
        bufferId = other.bufferId;
        offset = other.offset;
        length = other.length;
        inPort = other.inPort;
        outPort = other.outPort;
        vf = other.vf;
        vni = other.vni;
        flowHash = other.flowHash;
        tunnelId = other.tunnelId;
        linkType = other.linkType;
        action = other.action;
        dropReason = other.dropReason;
        offloadFlags = other.offloadFlags;
        gsoType = other.gsoType;
        gsoSize = other.gsoSize;
        headerLength = other.headerLength;
        csumStart = other.csumStart;
        csumOffset = other.csumOffset;
        timestampNs = other.timestampNs;
        userSequence = other.userSequence;
        return this;
    }
}
