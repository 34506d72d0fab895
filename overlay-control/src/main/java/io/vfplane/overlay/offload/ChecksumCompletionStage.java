package io.vfplane.overlay.offload;

import java.nio.ByteOrder;

import org.agrona.concurrent.UnsafeBuffer;

import io.vfplane.dataplane.checksum.Checksums;
import io.vfplane.dataplane.packet.Offload;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.pipeline.PacketBatch;
import io.vfplane.pipeline.Stage;

/**
 * Finishes the partial L4 checksums a guest leaves to its NIC ({@code TUN_F_CSUM}: the vnet header says
 * {@code NEEDS_CSUM}, the checksum field holds the pseudo-header sum, and the sum over {@code csum_start..end} is
 * still to be added), for frames that are not segmented later: those leave the host inside a tunnel, and the peer
 * (another daemon or the kernel's vxlan device) hands the inner frame to a guest that expects a finished checksum.
 * Large frames keep {@code NEEDS_CSUM}: the segmenter computes every segment's checksum in full as it copies.
 * <p>
 * The offsets are the guest's, from the start of the inner frame, so this runs before encapsulation.
 */
public final class ChecksumCompletionStage implements Stage
{
    private long completed;

    @Override
    public String name()
    {
        return "csum";
    }

    @Override
    public void onBatch(final PacketBatch batch)
    {
        final UnsafeBuffer buffer = batch.pool().buffer();
        for (int i = 0, n = batch.size(); i < n; i++)
        {
            final PacketDescriptor d = batch.get(i);
            if (d.action() != PacketDescriptor.ACTION_CONTINUE ||
                (d.offloadFlags() & Offload.FLAG_NEEDS_CSUM) == 0 || d.gsoType() != Offload.GSO_NONE)
            {
                continue;
            }
            final int start = d.offset() + d.csumStart();
            final int field = start + d.csumOffset();
            final int end = d.offset() + d.length();
            if (field + 2 > end)
            {
                continue; // a header that lies about its offsets: the checksum stays wrong and the peer drops it
            }
            int checksum = Checksums.fold(Checksums.sum(buffer, start, end - start, 0));
            if (checksum == 0 && d.csumOffset() == Checksums.UDP_CHECKSUM_OFFSET)
            {
                checksum = 0xFFFF; // a UDP checksum of 0 means none (RFC 768)
            }
            buffer.putShort(field, (short)checksum, ByteOrder.BIG_ENDIAN);
            d.offloadFlags((d.offloadFlags() & ~Offload.FLAG_NEEDS_CSUM) | Offload.FLAG_DATA_VALID);
            completed++;
        }
    }

    /** Checksums finished (pipeline thread's view). */
    public long completed()
    {
        return completed;
    }
}
