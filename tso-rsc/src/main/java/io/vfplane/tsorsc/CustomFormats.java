package io.vfplane.tsorsc;

import org.agrona.DirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * A small table of custom tunnel formats keyed by outer UDP destination port: a frame whose outer UDP header (at
 * the offset a description names) carries a declared port is laid out by that description instead of the parser.
 * <p>
 * Lookup is a linear scan of at most {@link #CAPACITY} entries (a handful of formats; cheaper than hashing them).
 * Descriptions with different UDP offsets may coexist: each entry checks the port at its own offset. Filled at setup
 * time; {@link #find} allocates nothing.
 */
public final class CustomFormats
{
    /** Formats one table holds. */
    public static final int CAPACITY = 16;
    private static final int UDP_DESTINATION_PORT_OFFSET = 2;

    private final int[] ports = new int[CAPACITY];
    private final TunnelDescription[] descriptions = new TunnelDescription[CAPACITY];
    private int count;

    /**
     * Declares (or replaces) the format of a port.
     *
     * @param udpPort     destination port, 0..65535.
     * @param description the format; its UDP offset must be set.
     * @return this.
     * @throws IllegalArgumentException on a bad port, a description without a UDP header, or a full table.
     */
    public CustomFormats put(final int udpPort, final TunnelDescription description)
    {
        if (udpPort < 0 || udpPort > 0xFFFF)
        {
            throw new IllegalArgumentException("UDP port out of range: " + udpPort);
        }
        if (description == null || description.udpOffset() < 0)
        {
            throw new IllegalArgumentException("a custom format needs an outer UDP header to be found by port");
        }
        for (int i = 0; i < count; i++)
        {
            if (ports[i] == udpPort)
            {
                descriptions[i] = description;
                return this;
            }
        }
        if (count == CAPACITY)
        {
            throw new IllegalArgumentException("at most " + CAPACITY + " custom formats");
        }
        ports[count] = udpPort;
        descriptions[count] = description;
        count++;
        return this;
    }

    /**
     * Forgets the format of a port, if any.
     *
     * @param udpPort destination port.
     * @return true if one was declared.
     */
    public boolean remove(final int udpPort)
    {
        for (int i = 0; i < count; i++)
        {
            if (ports[i] == udpPort)
            {
                count--;
                ports[i] = ports[count];
                descriptions[i] = descriptions[count];
                descriptions[count] = null;
                return true;
            }
        }
        return false;
    }

    /**
     * @return formats declared.
     */
    public int size()
    {
        return count;
    }

    /**
     * @param udpPort destination port.
     * @return the format declared for it, or null.
     */
    public TunnelDescription get(final int udpPort)
    {
        for (int i = 0; i < count; i++)
        {
            if (ports[i] == udpPort)
            {
                return descriptions[i];
            }
        }
        return null;
    }

    /**
     * The format a frame is in, by the destination port at each declared format's UDP offset.
     *
     * @param buffer holding the frame.
     * @param offset where it starts.
     * @param length its length.
     * @return the description, or null: not a declared custom format (parse it).
     */
    public TunnelDescription find(final DirectBuffer buffer, final int offset, final int length)
    {
        for (int i = 0; i < count; i++)
        {
            final TunnelDescription d = descriptions[i];
            if (length > d.outerHeaderLength() &&
                (buffer.getShort(offset + d.udpOffset() + UDP_DESTINATION_PORT_OFFSET, BIG_ENDIAN) & 0xFFFF) ==
                ports[i])
            {
                return d;
            }
        }
        return null;
    }
}
