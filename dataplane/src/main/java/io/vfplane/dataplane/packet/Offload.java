package io.vfplane.dataplane.packet;

/**
 * Offload metadata values, numbered as in Linux's {@code struct virtio_net_hdr} so a TAP with a vnet header can take
 * and give them without translation.
 *
 * <pre>
 *  struct virtio_net_hdr (10 bytes; 12 with num_buffers)
 *   0      1      2            4            6             8              10
 *  +------+------+------------+------------+-------------+--------------+
 *  |flags |gso   | hdr_len    | gso_size   | csum_start  | csum_offset  |
 *  |      |type  | (le16)     | (le16)     | (le16)      | (le16)       |
 *  +------+------+------------+------------+-------------+--------------+
 * </pre>
 */
public final class Offload
{
    /** flags: the checksum at csum_start + csum_offset is partial and must be completed. */
    public static final int FLAG_NEEDS_CSUM = 1;
    /** flags: the checksum has been validated (receive side). */
    public static final int FLAG_DATA_VALID = 2;

    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;
    public static final int GSO_UDP_L4 = 5;
    /** Or-ed into gso type: the TCP segments carry ECN (CWR on the first only). */
    public static final int GSO_ECN = 0x80;

    private Offload()
    {
    }
}
