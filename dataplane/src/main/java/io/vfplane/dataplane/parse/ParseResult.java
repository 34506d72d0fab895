package io.vfplane.dataplane.parse;

/**
 * What {@link PacketParser} found in one frame: the sequence of layers, each with its absolute offset in the buffer,
 * its header length and the exclusive end of the bytes it covers, plus the drop reason.
 * <p>
 * Mutable and reused for every packet: all storage is allocated once in the constructor. When parsing stops with a
 * drop reason, the layers parsed before the failing one stay recorded (the failing header itself is not), so tools can
 * still show how far the frame was understood.
 * <p>
 * {@link #layerLimit(int)}: for IP layers it is the end of the IP datagram (Ethernet trailer excluded, IPv4 total
 * length 0 and IPv6 jumbograms resolved), never beyond the captured end; every other layer inherits the limit of the
 * layer that encloses it (the first layer: the captured end).
 */
public final class ParseResult
{
    /** The most layers a result can hold. */
    public static final int MAX_LAYERS = 32;

    private final int[] types = new int[MAX_LAYERS];
    private final int[] offsets = new int[MAX_LAYERS];
    private final int[] headerLengths = new int[MAX_LAYERS];
    private final int[] limits = new int[MAX_LAYERS];
    private int count;
    private DropReason dropReason = DropReason.NONE;
    private int capturedEnd;
    private int payloadOffset;

    /**
     * Forget the previous packet.
     */
    public void reset()
    {
        count = 0;
        dropReason = DropReason.NONE;
        capturedEnd = 0;
        payloadOffset = 0;
    }

    /**
     * @return number of layers recorded.
     */
    public int layerCount()
    {
        return count;
    }

    /**
     * @param i layer index, 0 is outermost.
     * @return the {@link LayerType} of layer i.
     */
    public int layerType(final int i)
    {
        checkIndex(i);
        return types[i];
    }

    /**
     * @param i layer index.
     * @return absolute offset of the layer's header in the parsed buffer.
     */
    public int layerOffset(final int i)
    {
        checkIndex(i);
        return offsets[i];
    }

    /**
     * @param i layer index.
     * @return length in bytes of the layer's header (with its options; for PAYLOAD the bytes up to the limit).
     */
    public int layerHeaderLength(final int i)
    {
        checkIndex(i);
        return headerLengths[i];
    }

    /**
     * @param i layer index.
     * @return exclusive end of the bytes this layer covers (see class comment).
     */
    public int layerLimit(final int i)
    {
        checkIndex(i);
        return limits[i];
    }

    /**
     * @param layerType a {@link LayerType}.
     * @return index of the first (outermost) layer of that type, or -1.
     */
    public int firstIndexOf(final int layerType)
    {
        return firstIndexOf(layerType, 0);
    }

    /**
     * @param layerType a {@link LayerType}.
     * @param fromIndex index to start searching at (inclusive).
     * @return index of the first layer of that type at or after fromIndex, or -1.
     */
    public int firstIndexOf(final int layerType, final int fromIndex)
    {
        for (int i = Math.max(0, fromIndex); i < count; i++)
        {
            if (types[i] == layerType)
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * @param layerType a {@link LayerType}.
     * @return index of the last (innermost) layer of that type, or -1.
     */
    public int lastIndexOf(final int layerType)
    {
        for (int i = count - 1; i >= 0; i--)
        {
            if (types[i] == layerType)
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * @return index of the first VXLAN, GENEVE or GRE layer, or -1 if the frame is not tunnelled.
     */
    public int firstTunnelIndex()
    {
        for (int i = 0; i < count; i++)
        {
            if (LayerType.isTunnel(types[i]))
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * @return why parsing stopped early, or {@link DropReason#NONE}.
     */
    public DropReason dropReason()
    {
        return dropReason;
    }

    /**
     * @return true if the frame parsed without a drop reason.
     */
    public boolean ok()
    {
        return dropReason == DropReason.NONE;
    }

    /**
     * @return absolute offset one past the last captured byte.
     */
    public int capturedEnd()
    {
        return capturedEnd;
    }

    /**
     * @return absolute offset just after the last parsed header (where a PAYLOAD layer starts, if any).
     */
    public int payloadOffset()
    {
        return payloadOffset;
    }

    /**
     * Human readable form such as {@code ETHERNET:IPV4:UDP:VXLAN:ETHERNET:ARP}, with {@code !reason} appended when the
     * frame was dropped. Allocates: for tools and tests only.
     */
    public String describe()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            if (i > 0)
            {
                sb.append(':');
            }
            sb.append(LayerType.name(types[i]));
        }
        if (dropReason != DropReason.NONE)
        {
            sb.append('!').append(dropReason.label());
        }
        return sb.toString();
    }

    public String toString()
    {
        return "ParseResult{" + describe() + ", capturedEnd=" + capturedEnd + ", payloadOffset=" + payloadOffset + '}';
    }

    boolean addLayer(final int type, final int offset, final int headerLength, final int limit)
    {
        if (count >= MAX_LAYERS)
        {
            return false;
        }
        types[count] = type;
        offsets[count] = offset;
        headerLengths[count] = headerLength;
        limits[count] = limit;
        count++;
        payloadOffset = offset + headerLength;
        return true;
    }

    void limit(final int i, final int limit)
    {
        limits[i] = limit;
    }

    void dropReason(final DropReason reason)
    {
        dropReason = reason;
    }

    void capturedEnd(final int capturedEnd)
    {
        this.capturedEnd = capturedEnd;
    }

    void payloadOffset(final int payloadOffset)
    {
        this.payloadOffset = payloadOffset;
    }

    private void checkIndex(final int i)
    {
        if (i < 0 || i >= count)
        {
            throw new IndexOutOfBoundsException("layer " + i + " of " + count);
        }
    }
}
