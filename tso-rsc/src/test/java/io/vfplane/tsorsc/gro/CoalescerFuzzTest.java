package io.vfplane.tsorsc.gro;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.dataplane.parse.ParseResult;
import io.vfplane.tsorsc.SegmentCheck;
import io.vfplane.tsorsc.TestFrames;
import io.vfplane.tsorsc.TestFrames.Tunnel;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged input for the verifying coalescer: streams of real segments (every tunnel kind, inner IPv4 and IPv6) with
 * bits flipped in their first 128 bytes, frames cut short, neighbours swapped and batches ended at random. Whatever
 * comes in, nothing throws, every buffer returns to the pool, and every frame the coalescer merged is a correct
 * frame (each length and checksum right, by the same checks the segmenter's tests use) whose payload is exactly the
 * original stream's bytes at its sequence number: a damaged segment is never merged into anything.
 */
class CoalescerFuzzTest
{
    private final SegmentWire w = new SegmentWire();
    private final PacketPool pool = w.pool;
    private final List<PacketDescriptor> wire = w.segments;
    private final List<byte[]> merged = new ArrayList<>();
    private int framesOut;

    private final Coalescer coalescer = w.coalescer(true, f ->
    {
        framesOut++;
        if (f.segmentCount() > 1)
        {
            final byte[] copy = new byte[f.length()];
            f.copyTo(new UnsafeBuffer(copy), 0);
            merged.add(copy);
        }
    });

    @AfterEach
    void close()
    {
        w.close();
    }

    @Test
    void shouldNeverMergeADamagedSegmentNorThrowNorLoseABuffer()
    {
        final Random random = new Random(20261121);
        final Tunnel[] tunnels = Tunnel.values();
        int damaged = 0;
        int mergedTotal = 0;
        for (int round = 0; round < 400; round++)
        {
            final Tunnel tunnel = tunnels[random.nextInt(tunnels.length)];
            final boolean innerV6 = tunnel != Tunnel.NVGRE4 && random.nextBoolean();
            final byte[] payload = TestFrames.randomPayload(random, 1 + random.nextInt(12_000));
            final int seq0 = random.nextInt();
            final byte[] frame = TestFrames.tcp(tunnel, innerV6, payload, new byte[0], 0x10, seq0, round,
                random.nextBoolean(), 1 + random.nextInt(1000));
            w.send(frame, 536 + random.nextInt(1000));

            for (int i = 0; i < wire.size(); i++)
            {
                final PacketDescriptor p = wire.get(i);
                final int dice = random.nextInt(100);
                if (dice < 15)
                {
                    final int at = p.offset() + random.nextInt(Math.min(p.length(), 128));
                    pool.buffer().putByte(at, (byte)(pool.buffer().getByte(at) ^ (1 << random.nextInt(8))));
                    damaged++;
                }
                else if (dice < 20)
                {
                    p.length(1 + random.nextInt(p.length()));
                    damaged++;
                }
                else if (dice < 25 && i + 1 < wire.size())
                {
                    wire.set(i, wire.get(i + 1));
                    wire.set(i + 1, p);
                }
            }
            for (final PacketDescriptor p : wire)
            {
                coalescer.offer(p, 0);
                if (random.nextInt(10) == 0)
                {
                    coalescer.flushAll(); // the end of a batch
                }
            }
            wire.clear();
            coalescer.flushAll();

            for (final byte[] m : merged)
            {
                final ParseResult r = SegmentCheck.verify(m);
                final int tcp = SegmentCheck.tcpOffset(r);
                final UnsafeBuffer b = new UnsafeBuffer(m);
                final int from = b.getInt(tcp + 4, BIG_ENDIAN) - seq0;
                final int dataOffset = ((m[tcp + 12] & 0xF0) >> 4) * 4;
                final byte[] got = Arrays.copyOfRange(m, tcp + dataOffset, m.length);
                assertTrue(from >= 0 && from + got.length <= payload.length, "round " + round + ": sequence");
                assertArrayEquals(Arrays.copyOfRange(payload, from, from + got.length), got,
                    "round " + round + " (" + tunnel + (innerV6 ? ", inner IPv6" : "") + "): merged payload");
            }
            mergedTotal += merged.size();
            merged.clear();
        }
        assertTrue(damaged > 500, "enough damage done: " + damaged);
        assertTrue(mergedTotal > 400, "and enough merging left to check: " + mergedTotal);
        assertTrue(coalescer.badChecksums() > 0, "damage caught by checksum verification");
        assertTrue(framesOut > mergedTotal);
    }
}
