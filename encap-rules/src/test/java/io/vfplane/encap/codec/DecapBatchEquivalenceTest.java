package io.vfplane.encap.codec;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.dataplane.testsupport.Corpus;
import io.vfplane.encap.config.RuleFile;
import io.vfplane.encap.rules.RuleSet;
import io.vfplane.encap.testsupport.TestPcap;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The decap stage runs a batch in two passes (parse and touch every packet's table entry, then look up and strip)
 * so the cache misses of a large table overlap. Whatever the batch holds, the result must be exactly what
 * decapsulating each packet on its own gives: same verdict, same rule, VF, VNI, offsets and bytes.
 */
class DecapBatchEquivalenceTest
{
    @Test
    void shouldGiveTheSameVerdictsAndFramesAsOnePacketAtATime() throws Exception
    {
        final RuleSet rules = RuleFile.parse("batch.yaml", new StringReader(String.join("\n",
            "geneve-known-options: [{class: 0, type: 0x80}]",
            "ingress:",
            "  - {match: {format: vxlan, vni: 100}, action: deliver, vf: 1}",
            "  - {match: {format: geneve, vni: 10}, action: deliver, vf: 2}",
            "  - {match: {format: geneve, vni: 11}, action: drop}",
            "  - {match: {format: nvgre, vni: 0x123456}, action: deliver, vf: 3}")));

        // good frames of every format, then the same frames cut short, with a flipped byte, or plain non-tunnel
        final List<byte[]> frames = new ArrayList<>();
        frames.addAll(TestPcap.read(Corpus.file("tcpdump/vxlan.pcap")));
        frames.addAll(TestPcap.read(Corpus.file("tcpdump/geneve.pcap")));
        frames.addAll(TestPcap.read(Corpus.file("packetnet/gre_nvgre.pcap")));
        frames.addAll(TestPcap.read(Corpus.file("zeek/tcp_options.pcap")));
        final Random random = new Random(7);
        final int good = frames.size();
        for (int i = 0; i < good; i++)
        {
            final byte[] f = frames.get(i);
            frames.add(Arrays.copyOf(f, random.nextInt(f.length)));
            final byte[] flipped = f.clone();
            flipped[random.nextInt(Math.min(flipped.length, 80))] ^= (byte)(1 << random.nextInt(8));
            frames.add(flipped);
        }

        final int n = frames.size();
        try (Counters counters = Counters.inMemory(64);
            PacketPool pool = new PacketPool("eq", 2 * n, 256, 2048, counters))
        {
            final PacketDescriptor[] one = new PacketDescriptor[n];
            final PacketDescriptor[] batch = new PacketDescriptor[n];
            for (int i = 0; i < n; i++)
            {
                one[i] = load(pool, frames.get(i));
                batch[i] = load(pool, frames.get(i));
            }

            final Decapsulator single = new Decapsulator();
            final TunnelDrop[] expected = new TunnelDrop[n];
            final int[] expectedRule = new int[n];
            for (int i = 0; i < n; i++)
            {
                expected[i] = single.decapsulate(rules, pool.buffer(), one[i]);
                expectedRule[i] = single.lastRule();
            }

            final Decapsulator twoPass = new Decapsulator();
            twoPass.reserve(n);
            for (int i = 0; i < n; i++)
            {
                twoPass.parse(rules, pool.buffer(), batch[i], i);
            }
            twoPass.prefetch(rules, n);
            int delivered = 0;
            for (int i = 0; i < n; i++)
            {
                final TunnelDrop drop = twoPass.complete(rules, batch[i], i);
                assertEquals(expected[i], drop, "verdict of packet " + i);
                assertEquals(expectedRule[i], twoPass.lastRule(), "rule of packet " + i);
                assertEquals(one[i].vf(), batch[i].vf(), "vf of packet " + i);
                assertEquals(one[i].vni(), batch[i].vni(), "vni of packet " + i);
                assertEquals(one[i].offset() - pool.dataOffset(one[i].bufferId()),
                    batch[i].offset() - pool.dataOffset(batch[i].bufferId()), "offset of packet " + i);
                assertEquals(one[i].length(), batch[i].length(), "length of packet " + i);
                assertArrayEquals(bytes(pool, one[i]), bytes(pool, batch[i]), "bytes of packet " + i);
                delivered += drop == TunnelDrop.NONE ? 1 : 0;
            }
            // the batch held real deliveries and real drops of several kinds, or the comparison proves little
            assertEquals(true, delivered >= 40, "delivered " + delivered);
            assertEquals(true, Arrays.stream(expected).distinct().count() >= 4,
                "verdicts " + Arrays.toString(Arrays.stream(expected).distinct().toArray()));
            for (int i = 0; i < n; i++)
            {
                pool.release(one[i].bufferId());
                pool.release(batch[i].bufferId());
            }
            assertEquals(0, pool.inFlight());
        }
    }

    @Test
    void shouldGiveTheSameResultsOnTheVxlanFastPathAsTheGeneralDecoder() throws Exception
    {
        final RuleSet rules = RuleFile.parse("fast.yaml", new StringReader(String.join("\n",
            "ingress:",
            "  - {match: {format: vxlan, vni: 100}, action: deliver, vf: 1}",
            "  - {match: {format: vxlan, vni: 101}, action: drop}")));
        // every VXLAN frame of the capture; each with every bit of its first 64 bytes flipped in turn, and cut at
        // every length up to 64: VLAN-less IPv4 frames take the fast path, every variation that breaks one of its
        // conditions must leave it for the general decoder with the same verdict
        final List<byte[]> frames = new ArrayList<>();
        for (final byte[] f : TestPcap.read(Corpus.file("tcpdump/vxlan.pcap")))
        {
            frames.add(f);
            for (int bit = 0; bit < 64 * 8 && bit < f.length * 8; bit++)
            {
                final byte[] flipped = f.clone();
                flipped[bit >>> 3] ^= (byte)(0x80 >>> (bit & 7));
                frames.add(flipped);
            }
            for (int length = 0; length <= 64 && length < f.length; length++)
            {
                frames.add(Arrays.copyOf(f, length));
            }
        }
        final int[] verdicts = new int[TunnelDrop.VALUES.length];
        try (Counters counters = Counters.inMemory(64);
            PacketPool pool = new PacketPool("fast", 2, 256, 2048, counters))
        {
            final Decapsulator fast = new Decapsulator();
            final Decapsulator general = new Decapsulator();
            for (int i = 0; i < frames.size(); i++)
            {
                final PacketDescriptor a = load(pool, frames.get(i));
                final PacketDescriptor b = load(pool, frames.get(i));
                final TunnelDrop expected = general.decapsulateGeneral(rules, pool.buffer(), b);
                assertEquals(expected, fast.decapsulate(rules, pool.buffer(), a), "verdict of frame " + i);
                assertEquals(general.lastRule(), fast.lastRule(), "rule of frame " + i);
                assertEquals(general.lastVni(), fast.lastVni(), "vni of frame " + i);
                assertEquals(b.vf(), a.vf(), "vf of frame " + i);
                assertEquals(b.offset() - pool.dataOffset(b.bufferId()), a.offset() - pool.dataOffset(a.bufferId()),
                    "offset of frame " + i);
                assertEquals(b.length(), a.length(), "length of frame " + i);
                verdicts[expected.ordinal()]++;
                pool.release(a.bufferId());
                pool.release(b.bufferId());
            }
        }
        // deliveries, rule drops, misses and malformed frames of several kinds all came through
        assertEquals(true, verdicts[TunnelDrop.NONE.ordinal()] > 0 && verdicts[TunnelDrop.RULE_DROP.ordinal()] > 0 &&
            verdicts[TunnelDrop.NO_RULE.ordinal()] > 0 && verdicts[TunnelDrop.TRUNCATED.ordinal()] > 0 &&
            verdicts[TunnelDrop.BAD_TUNNEL_HEADER.ordinal()] > 0 && verdicts[TunnelDrop.NOT_A_TUNNEL.ordinal()] > 0 &&
            verdicts[TunnelDrop.OUTER_FRAGMENT.ordinal()] > 0, "verdicts " + Arrays.toString(verdicts));
    }

    private static PacketDescriptor load(final PacketPool pool, final byte[] frame)
    {
        final int id = pool.allocate();
        final PacketDescriptor d = new PacketDescriptor().bind(id, pool.dataOffset(id), frame.length);
        pool.buffer().putBytes(d.offset(), frame);
        return d;
    }

    private static byte[] bytes(final PacketPool pool, final PacketDescriptor d)
    {
        final byte[] out = new byte[d.length()];
        pool.buffer().getBytes(d.offset(), out);
        return out;
    }
}
