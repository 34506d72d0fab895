package io.vfplane.vf;

import java.nio.ByteOrder;

import org.agrona.MutableDirectBuffer;

import io.vfplane.dataplane.headers.EthernetFlyweight;
import io.vfplane.dataplane.headers.VlanTagFlyweight;
import io.vfplane.dataplane.packet.Offload;
import io.vfplane.dataplane.packet.PacketDescriptor;

/**
 * Inserting and removing the 802.1Q tag after the MAC addresses, in place: the 12 MAC bytes move by 4 into or out of
 * the headroom, the rest of the frame stays where it is. The offload offsets, which count from the frame start, move
 * with the tag.
 *
 * <pre>
 *  untagged:  | dst(6) | src(6) | type(2) | payload ...
 *  tagged:    | dst(6) | src(6) | TPID(2) | TCI(2) | type(2) | payload ...
 *                                  TCI = PCP(3) DEI(1) VID(12)
 * </pre>
 */
final class VlanTags
{
    static final int MACS_LENGTH = 2 * EthernetFlyweight.MAC_LENGTH;

    private VlanTags()
    {
    }

    /**
     * @return false when the headroom is too small (nothing changed).
     */
    static boolean insert(
        final MutableDirectBuffer buffer,
        final PacketDescriptor packet,
        final int slotOffset,
        final int tpid,
        final int tci)
    {
        final int old = packet.offset();
        // read the 12 MAC bytes before writing: source and target overlap
        final long first = buffer.getLong(old, ByteOrder.BIG_ENDIAN);
        final int last = buffer.getInt(old + 8, ByteOrder.BIG_ENDIAN);
        if (!packet.prepend(VlanTagFlyweight.HEADER_LENGTH, slotOffset))
        {
            return false;
        }
        final int offset = packet.offset();
        buffer.putLong(offset, first, ByteOrder.BIG_ENDIAN);
        buffer.putInt(offset + 8, last, ByteOrder.BIG_ENDIAN);
        buffer.putShort(offset + MACS_LENGTH, (short)tpid, ByteOrder.BIG_ENDIAN);
        buffer.putShort(offset + MACS_LENGTH + 2, (short)tci, ByteOrder.BIG_ENDIAN);
        shiftOffloads(packet, VlanTagFlyweight.HEADER_LENGTH);
        return true;
    }

    /**
     * Removes the tag; the caller checked the frame is tagged and long enough.
     */
    static void strip(final MutableDirectBuffer buffer, final PacketDescriptor packet)
    {
        final int offset = packet.offset();
        final long first = buffer.getLong(offset, ByteOrder.BIG_ENDIAN);
        final int last = buffer.getInt(offset + 8, ByteOrder.BIG_ENDIAN);
        packet.strip(VlanTagFlyweight.HEADER_LENGTH);
        final int moved = packet.offset();
        buffer.putLong(moved, first, ByteOrder.BIG_ENDIAN);
        buffer.putInt(moved + 8, last, ByteOrder.BIG_ENDIAN);
        shiftOffloads(packet, -VlanTagFlyweight.HEADER_LENGTH);
    }

    private static void shiftOffloads(final PacketDescriptor packet, final int delta)
    {
        if ((packet.offloadFlags() & Offload.FLAG_NEEDS_CSUM) != 0)
        {
            packet.csumStart(packet.csumStart() + delta);
        }
        if (packet.gsoType() != Offload.GSO_NONE && packet.headerLength() != 0)
        {
            packet.headerLength(packet.headerLength() + delta);
        }
    }
}
