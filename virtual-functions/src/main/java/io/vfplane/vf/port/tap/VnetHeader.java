package io.vfplane.vf.port.tap;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import io.vfplane.dataplane.packet.PacketDescriptor;

/**
 * Codec for Linux's {@code struct virtio_net_hdr} in front of every frame on a TAP opened with {@code IFF_VNET_HDR}.
 * Fields are little-endian: a TAP without {@code TUNSETVNETLE} uses the host's order, and this host is x86-64.
 *
 * <pre>
 *   0      1      2            4            6             8              10            12
 *  +------+------+------------+------------+-------------+--------------+-------------+
 *  |flags |gso   | hdr_len    | gso_size   | csum_start  | csum_offset  | num_buffers |
 *  |      |type  | (le16)     | (le16)     | (le16)      | (le16)       | (le16, opt) |
 *  +------+------+------------+------------+-------------+--------------+-------------+
 * </pre>
 * The descriptor's offload fields take the same numbers ({@link io.vfplane.dataplane.packet.Offload}).
 */
public final class VnetHeader
{
    public static final int FLAGS_OFFSET = 0;
    public static final int GSO_TYPE_OFFSET = 1;
    public static final int HDR_LEN_OFFSET = 2;
    public static final int GSO_SIZE_OFFSET = 4;
    public static final int CSUM_START_OFFSET = 6;
    public static final int CSUM_OFFSET_OFFSET = 8;
    public static final int NUM_BUFFERS_OFFSET = 10;
    /** Size without num_buffers: the TAP default. */
    public static final int LENGTH = 10;
    /** Size with num_buffers ({@code TUNSETVNETHDRSZ} 12). */
    public static final int LENGTH_MRG_RXBUF = 12;

    private VnetHeader()
    {
    }

    /** Reads the header at {@code offset} into the descriptor's offload fields. */
    public static void read(final DirectBuffer buffer, final int offset, final PacketDescriptor packet)
    {
        packet.offloadFlags(buffer.getByte(offset + FLAGS_OFFSET) & 0xFF);
        packet.gsoType(buffer.getByte(offset + GSO_TYPE_OFFSET) & 0xFF);
        packet.headerLength(buffer.getShort(offset + HDR_LEN_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF);
        packet.gsoSize(buffer.getShort(offset + GSO_SIZE_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF);
        packet.csumStart(buffer.getShort(offset + CSUM_START_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF);
        packet.csumOffset(buffer.getShort(offset + CSUM_OFFSET_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF);
    }

    /** Writes the descriptor's offload fields as a header of {@code length} bytes at {@code offset}. */
    public static void write(
        final MutableDirectBuffer buffer, final int offset, final int length, final PacketDescriptor packet)
    {
        buffer.putByte(offset + FLAGS_OFFSET, (byte)packet.offloadFlags());
        buffer.putByte(offset + GSO_TYPE_OFFSET, (byte)packet.gsoType());
        buffer.putShort(offset + HDR_LEN_OFFSET, (short)packet.headerLength(), ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(offset + GSO_SIZE_OFFSET, (short)packet.gsoSize(), ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(offset + CSUM_START_OFFSET, (short)packet.csumStart(), ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(offset + CSUM_OFFSET_OFFSET, (short)packet.csumOffset(), ByteOrder.LITTLE_ENDIAN);
        if (length == LENGTH_MRG_RXBUF)
        {
            buffer.putShort(offset + NUM_BUFFERS_OFFSET, (short)0, ByteOrder.LITTLE_ENDIAN);
        }
    }
}
