package io.vfplane.vf;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.vfplane.dataplane.packet.Offload;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.pipeline.Stage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The VF filters in a real pipeline: what passes, what is dropped and how it is counted.
 */
class VfStagesTest
{
    static final long VF_MAC = Macs.parse("02:00:00:00:00:0a");
    static final long OTHER_MAC = Macs.parse("02:00:00:00:00:0b");
    static final long PEER_MAC = Macs.parse("02:00:00:00:00:99");
    static final int VF_IP = Macs.parseIpv4("10.1.0.10");
    static final int PEER_IP = Macs.parseIpv4("10.1.0.99");

    private final VfHarness h = new VfHarness();
    private long nowNs = 1_000_000_000L;

    @AfterEach
    void tearDown()
    {
        assertEquals(0, h.pool.inFlight(), "every buffer returned");
        h.close();
    }

    private Consumer<PacketDescriptor> echo(final int vf, final long srcMac, final int srcIp, final int payload)
    {
        return packet ->
        {
            packet.length(TestFrames.icmpEcho(h.buffer(), packet.offset(), PEER_MAC, srcMac, srcIp, PEER_IP, 1, 1,
                payload));
            packet.vf(vf);
        };
    }

    private List<Stage> egress()
    {
        return List.of(new VfEgressStage(h.table, () -> nowNs), new VfHarness.ToNetwork());
    }

    private void configure(final String args)
    {
        h.table.apply(0, List.of(args.split(" ")));
    }

    @Test
    void shouldDropFrameFromForeignSourceMacWhenSpoofCheckOn()
    {
        configure("mac 02:00:00:00:00:0a");
        h.run(egress(), List.of(echo(0, VF_MAC, VF_IP, 8), echo(0, OTHER_MAC, VF_IP, 8)));
        assertEquals(1, h.outputs.get(2).size());
        assertEquals(1, h.table.counters(0).txDrops(VfDropReason.SPOOFED_SOURCE_MAC));
        assertEquals(1, h.table.counters(0).txPackets());
    }

    @Test
    void shouldPassForeignSourceMacWhenSpoofCheckOff()
    {
        configure("mac 02:00:00:00:00:0a spoofchk off ip 10.1.0.10");
        h.run(egress(), List.of(echo(0, OTHER_MAC, PEER_IP, 8)));
        assertEquals(1, h.outputs.get(2).size());
        assertEquals(0, h.table.counters(0).txDrops(VfDropReason.SPOOFED_SOURCE_MAC));
    }

    @Test
    void shouldDropIpv4FromAddressNotConfiguredForVf()
    {
        configure("mac 02:00:00:00:00:0a ip 10.1.0.10");
        h.run(egress(), List.of(echo(0, VF_MAC, VF_IP, 8), echo(0, VF_MAC, PEER_IP, 8), echo(0, VF_MAC, 0, 8)));
        assertEquals(2, h.outputs.get(2).size(), "own address and 0.0.0.0 (DHCP) pass");
        assertEquals(1, h.table.counters(0).txDrops(VfDropReason.SPOOFED_SOURCE_IP));
    }

    @Test
    void shouldCheckArpSenderAddressesToo()
    {
        configure("mac 02:00:00:00:00:0a ip 10.1.0.10");
        final List<Consumer<PacketDescriptor>> frames = new ArrayList<>();
        frames.add(p -> p.length(TestFrames.arpRequest(h.buffer(), p.offset(), VF_MAC, VF_MAC, VF_IP, PEER_IP)).vf(0));
        frames.add(p -> p.length(TestFrames.arpRequest(h.buffer(), p.offset(), VF_MAC, OTHER_MAC, VF_IP, PEER_IP)).vf(0));
        frames.add(p -> p.length(TestFrames.arpRequest(h.buffer(), p.offset(), VF_MAC, VF_MAC, PEER_IP, PEER_IP)).vf(0));
        h.run(egress(), frames);
        assertEquals(1, h.outputs.get(2).size());
        assertEquals(1, h.table.counters(0).txDrops(VfDropReason.SPOOFED_SOURCE_MAC), "ARP sender MAC");
        assertEquals(1, h.table.counters(0).txDrops(VfDropReason.SPOOFED_SOURCE_IP), "ARP sender IP");
    }

    static final long[] VF_IP6 = Macs.parseIpv6("2001:db8::10");
    static final long[] PEER_IP6 = Macs.parseIpv6("2001:db8::99");
    /** The EUI-64 link-local address of {@link #VF_MAC}: the U/L bit flipped, ff:fe in the middle. */
    static final long[] VF_LINK_LOCAL = Macs.parseIpv6("fe80::ff:fe00:a");

    private Consumer<PacketDescriptor> udp6(final long srcMac, final long[] src)
    {
        return p -> p.length(TestFrames.udp6(h.buffer(), p.offset(), srcMac, src)).vf(0);
    }

    private Consumer<PacketDescriptor> ndp(
        final int type, final long[] src, final long[] target, final long optionMac, final int optionUnits)
    {
        return p -> p.length(TestFrames.neighbourDiscovery(h.buffer(), p.offset(), VF_MAC, src, type, target,
            optionMac, optionUnits)).vf(0);
    }

    @Test
    void shouldDropIpv6FromAddressesNotTheVfsButPassUnspecifiedAndItsEui64LinkLocal()
    {
        configure("mac 02:00:00:00:00:0a ip 10.1.0.10,2001:db8::10");
        h.run(egress(), List.of(udp6(VF_MAC, VF_IP6), udp6(VF_MAC, VF_LINK_LOCAL), udp6(VF_MAC, new long[2]),
            udp6(VF_MAC, PEER_IP6), udp6(VF_MAC, Macs.parseIpv6("fe80::1")), echo(0, VF_MAC, VF_IP, 8)));
        assertEquals(4, h.outputs.get(2).size(), "its address, its link-local, :: and its IPv4 address pass");
        assertEquals(2, h.table.counters(0).txDrops(VfDropReason.SPOOFED_SOURCE_IP), "another global, another LL");
    }

    @Test
    void shouldCheckNeighbourDiscoveryTargetsAndLinkLayerOptionsAsArp()
    {
        configure("mac 02:00:00:00:00:0a ip 2001:db8::10");
        h.run(egress(), List.of(
            ndp(136, VF_LINK_LOCAL, VF_IP6, VF_MAC, 1),
            ndp(135, VF_LINK_LOCAL, PEER_IP6, VF_MAC, 1),
            ndp(136, VF_LINK_LOCAL, PEER_IP6, VF_MAC, 1),
            ndp(135, VF_LINK_LOCAL, PEER_IP6, OTHER_MAC, 1),
            ndp(136, VF_IP6, VF_IP6, OTHER_MAC, 1),
            ndp(135, VF_LINK_LOCAL, PEER_IP6, VF_MAC, 0),
            echo(0, VF_MAC, VF_IP, 8)));
        assertEquals(2, h.outputs.get(2).size(), "its advertisement and its solicitation pass");
        assertEquals(2, h.table.counters(0).txDrops(VfDropReason.SPOOFED_SOURCE_IP),
            "advertising a foreign target; IPv4 from an address not configured (only IPv6 is)");
        assertEquals(2, h.table.counters(0).txDrops(VfDropReason.SPOOFED_SOURCE_MAC), "foreign link-layer options");
        assertEquals(1, h.table.counters(0).txDrops(VfDropReason.MALFORMED), "an option of length 0");
    }

    /**
     * The frame {@code frame} writes (Ethernet, IPv6, an upper layer) with {@code count} destination options headers
     * (8 bytes each, a PadN option) put between IPv6 and the upper layer.
     */
    private Consumer<PacketDescriptor> behindDestinationOptions(final int count, final Consumer<PacketDescriptor> frame)
    {
        return p ->
        {
            frame.accept(p);
            final UnsafeBuffer b = h.buffer();
            final int ip = p.offset() + 14;
            final int upper = ip + 40;
            final byte[] upperBytes = new byte[p.length() - 54];
            b.getBytes(upper, upperBytes);
            final int upperProtocol = b.getByte(ip + 6) & 0xFF;
            b.putByte(ip + 6, (byte)60);
            for (int k = 0; k < count; k++)
            {
                final int at = upper + 8 * k;
                b.putByte(at, (byte)(k == count - 1 ? upperProtocol : 60));
                b.putByte(at + 1, (byte)0); // (0 + 1) * 8 bytes
                b.putByte(at + 2, (byte)1); // PadN
                b.putByte(at + 3, (byte)4);
                b.putInt(at + 4, 0);
            }
            b.putBytes(upper + 8 * count, upperBytes);
            b.putShort(ip + 4, (short)(upperBytes.length + 8 * count), ByteOrder.BIG_ENDIAN);
            p.length(p.length() + 8 * count);
        };
    }

    @Test
    void shouldCheckNeighbourDiscoveryBehindExtensionHeadersToo()
    {
        configure("mac 02:00:00:00:00:0a ip 2001:db8::10");
        h.run(egress(), List.of(
            behindDestinationOptions(1, ndp(136, VF_LINK_LOCAL, VF_IP6, VF_MAC, 1)),
            behindDestinationOptions(1, ndp(136, VF_LINK_LOCAL, PEER_IP6, VF_MAC, 1)),
            behindDestinationOptions(3, ndp(135, VF_LINK_LOCAL, PEER_IP6, OTHER_MAC, 1)),
            behindDestinationOptions(9, ndp(135, VF_LINK_LOCAL, PEER_IP6, VF_MAC, 1)),
            behindDestinationOptions(2, udp6(VF_MAC, VF_IP6))));
        assertEquals(2, h.outputs.get(2).size(), "its own advertisement and its UDP, each behind options, pass");
        assertEquals(1, h.table.counters(0).txDrops(VfDropReason.SPOOFED_SOURCE_IP), "a foreign target");
        assertEquals(1, h.table.counters(0).txDrops(VfDropReason.SPOOFED_SOURCE_MAC), "a foreign link-layer option");
        assertEquals(1, h.table.counters(0).txDrops(VfDropReason.MALFORMED), "a chain of nine extension headers");
    }

    @Test
    void shouldRefuseAnExtensionHeaderLongerThanThePacketAndTakeAJumbogramsPayloadToTheFrameEnd()
    {
        configure("mac 02:00:00:00:00:0a ip 2001:db8::10");
        final Consumer<PacketDescriptor> tooLong = behindDestinationOptions(1, ndp(136, VF_LINK_LOCAL, PEER_IP6,
            VF_MAC, 1)).andThen(p -> h.buffer().putByte(p.offset() + 14 + 40 + 1, (byte)255)); // claims 2 KiB
        final Consumer<PacketDescriptor> jumbogram = behindDestinationOptions(1, udp6(VF_MAC, VF_IP6)).andThen(p ->
        {
            // as RFC 2675 sends it: a hop-by-hop header first and an IPv6 payload length of 0
            h.buffer().putByte(p.offset() + 14 + 6, (byte)0);
            h.buffer().putShort(p.offset() + 14 + 4, (short)0, ByteOrder.BIG_ENDIAN);
        });
        h.run(egress(), List.of(tooLong, jumbogram));
        assertEquals(1, h.table.counters(0).txDrops(VfDropReason.MALFORMED), "the header claiming 2 KiB");
        assertEquals(1, h.outputs.get(2).size(), "the jumbogram goes");
    }

    @Test
    void shouldLeaveIpv6UncheckedWhenTheVfHasNoAddresses()
    {
        configure("mac 02:00:00:00:00:0a");
        h.run(egress(), List.of(udp6(VF_MAC, PEER_IP6), ndp(136, PEER_IP6, PEER_IP6, VF_MAC, 1)));
        assertEquals(2, h.outputs.get(2).size());
    }

    @Test
    void shouldInsertVlanTagWithQosAfterTheMacsAndShiftOffloadOffsets()
    {
        configure("mac 02:00:00:00:00:0a vlan 100 qos 5");
        final byte[][] original = new byte[1][];
        h.run(egress(), List.of(packet ->
        {
            echo(0, VF_MAC, VF_IP, 16).accept(packet);
            original[0] = new byte[packet.length()];
            h.buffer().getBytes(packet.offset(), original[0]);
            packet.offloadFlags(Offload.FLAG_NEEDS_CSUM).csumStart(34).csumOffset(2);
        }));
        final byte[] tagged = h.outputs.get(2).get(0);
        assertEquals(original[0].length + 4, tagged.length);
        final UnsafeBuffer t = new UnsafeBuffer(tagged);
        assertEquals(0x8100, t.getShort(12, ByteOrder.BIG_ENDIAN) & 0xFFFF, "TPID");
        assertEquals(5 << 13 | 100, t.getShort(14, ByteOrder.BIG_ENDIAN) & 0xFFFF, "PCP 5, VID 100");
        final byte[] macs = new byte[12];
        System.arraycopy(tagged, 0, macs, 0, 12);
        assertArrayEquals(java.util.Arrays.copyOf(original[0], 12), macs, "MACs moved intact");
        final byte[] rest = java.util.Arrays.copyOfRange(tagged, 16, tagged.length);
        assertArrayEquals(java.util.Arrays.copyOfRange(original[0], 12, original[0].length), rest,
            "ethertype and payload untouched");
        assertEquals(38, h.descriptors.get(2).get(0).csumStart(), "csum_start follows the tag");
    }

    @Test
    void shouldDropTaggedFrameFromVfWithPortVlan()
    {
        configure("vlan 100");
        h.run(egress(), List.of(packet ->
        {
            echo(0, VF_MAC, VF_IP, 8).accept(packet);
            h.buffer().putShort(packet.offset() + 12, (short)0x8100, ByteOrder.BIG_ENDIAN);
        }));
        assertEquals(0, h.outputs.get(2).size());
        assertEquals(1, h.table.counters(0).txDrops(VfDropReason.GUEST_VLAN_TAG));
    }

    @Test
    void shouldDropBothWaysWhenLinkDisabledAndFollowPfWhenAuto()
    {
        configure("state disable");
        h.run(egress(), List.of(echo(0, VF_MAC, VF_IP, 8)));
        assertEquals(1, h.table.counters(0).txDrops(VfDropReason.VF_LINK_DOWN));

        configure("state auto");
        h.table.pfLinkUp(false);
        h.run(egress(), List.of(echo(0, VF_MAC, VF_IP, 8)));
        assertEquals(2, h.table.counters(0).txDrops(VfDropReason.VF_LINK_DOWN), "auto follows the PF's link");

        configure("state enable");
        h.run(egress(), List.of(echo(0, VF_MAC, VF_IP, 8)));
        assertEquals(1, h.outputs.get(2).size(), "enable ignores the PF's link");

        configure("state disable");
        h.table.guestPort(0, 0);
        h.run(List.of(new VfIngressStage(h.table)), List.of(echo(0, PEER_MAC, PEER_IP, 8)));
        assertEquals(1, h.table.counters(0).rxDrops(VfDropReason.VF_LINK_DOWN));
    }

    @Test
    void shouldCheckOnlyFramesAddressedToAVfsGuestPortWhenDeliveringLocally()
    {
        h.table.apply(1, List.of("mac", "02:00:00:00:00:0b", "state", "disable"));
        h.table.guestPort(1, 1);
        final Consumer<PacketDescriptor> toVf1 = echo(1, VF_MAC, VF_IP, 8).andThen(p -> p.outPort(1));
        final Consumer<PacketDescriptor> toUnderlay = echo(0, VF_MAC, VF_IP, 8).andThen(p -> p.outPort(2));
        h.run(List.of(VfIngressStage.forLocalDelivery(h.table)), List.of(toVf1, toUnderlay));
        assertEquals(1, h.table.counters(1).rxDrops(VfDropReason.VF_LINK_DOWN), "VF 1 is down: its frame stops");
        assertEquals(1, h.outputs.get(2).size(), "the underlay-bound frame is not VF 1's business, nor VF 0's");
        assertEquals(0, h.table.counters(0).rxPackets(), "and is not counted as received by anyone");
    }

    @Test
    void shouldLimitTxRateByTokenBucketInBytesPerSecond()
    {
        configure("max_tx_rate 1"); // 125 000 bytes/s; burst max(10 ms, 64 KiB) = 65 536 bytes
        final List<Consumer<PacketDescriptor>> frames = new ArrayList<>();
        for (int i = 0; i < 100; i++)
        {
            frames.add(echo(0, VF_MAC, VF_IP, 1000 - 42)); // 1000-byte frames
        }
        h.run(egress(), frames);
        assertEquals(65, h.outputs.get(2).size(), "the burst: 65 frames of 1000 bytes");
        assertEquals(35, h.table.counters(0).txDrops(VfDropReason.RATE_LIMITED));

        // the bucket lives in the stage; a new stage starts full again, so test refill within one stage
        final VfEgressStage stage = new VfEgressStage(h.table, () -> nowNs);
        final TokenBucket bucket = new TokenBucket();
        bucket.rate(125_000);
        assertTrue(bucket.tryConsume(65_536, 0));
        assertEquals(false, bucket.tryConsume(1000, 0));
        assertEquals(false, bucket.tryConsume(1000, 7_000_000L), "7 ms brings 875 bytes");
        assertTrue(bucket.tryConsume(1000, 8_000_000L), "8 ms brings 1000 bytes");
        assertEquals(0, bucket.tokens());
        assertTrue(bucket.tryConsume(65_536, 60_000_000_000L), "a long idle refills to the burst, no more");
        assertEquals(false, bucket.tryConsume(1, 60_000_000_000L));
        assertEquals(VfEgressStage.NAME, stage.name());
    }

    @Test
    void shouldApplyVfSetAtRuntimeFromTheNextPacket()
    {
        configure("mac 02:00:00:00:00:0a");
        final List<Consumer<PacketDescriptor>> frames = new ArrayList<>();
        frames.add(echo(0, OTHER_MAC, VF_IP, 8));
        frames.add(packet ->
        {
            // one pipeline, one stage instance: wait until the first packet was judged, then change the config
            final long deadline = System.nanoTime() + 5_000_000_000L;
            while (h.table.counters(0).txDrops(VfDropReason.SPOOFED_SOURCE_MAC) == 0 && System.nanoTime() < deadline)
            {
                Thread.onSpinWait();
            }
            h.table.apply(0, List.of("spoofchk", "off"));
            echo(0, OTHER_MAC, VF_IP, 8).accept(packet);
        });
        h.run(egress(), frames);
        assertEquals(1, h.table.counters(0).txDrops(VfDropReason.SPOOFED_SOURCE_MAC));
        assertEquals(1, h.outputs.get(2).size());
    }

    @Test
    void shouldStripVlanOnIngressAndDeliverToTheVfsGuestPort()
    {
        configure("mac 02:00:00:00:00:0a vlan 100");
        h.table.guestPort(0, 1);
        final byte[][] untagged = new byte[1][];
        h.run(List.of(new VfIngressStage(h.table)), List.of(packet ->
        {
            final int o = packet.offset();
            final int length = TestFrames.icmpEcho(h.buffer(), o, VF_MAC, PEER_MAC, PEER_IP, VF_IP, 1, 1, 8);
            untagged[0] = new byte[length];
            h.buffer().getBytes(o, untagged[0]);
            // tag it in front: move the MACs 4 bytes back into the headroom
            packet.offset(o - 4).length(length + 4);
            h.buffer().putBytes(o - 4, untagged[0], 0, 12);
            h.buffer().putShort(o + 8, (short)0x8100, ByteOrder.BIG_ENDIAN);
            h.buffer().putShort(o + 10, (short)100, ByteOrder.BIG_ENDIAN);
            packet.vf(0);
        }));
        assertEquals(1, h.outputs.get(1).size(), "delivered to the VF's guest port");
        assertArrayEquals(untagged[0], h.outputs.get(1).get(0), "tag removed, frame otherwise unchanged");
        assertEquals(1, h.table.counters(0).rxPackets());
        assertEquals(untagged[0].length, h.table.counters(0).rxBytes());
    }

    @Test
    void shouldDropIngressWithoutTheVfsVlan()
    {
        configure("vlan 100");
        h.table.guestPort(0, 1);
        h.run(List.of(new VfIngressStage(h.table)), List.of(echo(0, PEER_MAC, PEER_IP, 8)));
        assertEquals(0, h.outputs.get(1).size());
        assertEquals(1, h.table.counters(0).rxDrops(VfDropReason.VLAN_MISMATCH));
    }

    @Test
    void shouldDropUnicastForAnotherMacUnlessVfIsTrusted()
    {
        configure("mac 02:00:00:00:00:0a");
        h.table.guestPort(0, 1);
        final Consumer<PacketDescriptor> forOther = packet -> packet.length(TestFrames.icmpEcho(h.buffer(),
            packet.offset(), OTHER_MAC, PEER_MAC, PEER_IP, VF_IP, 1, 1, 8)).vf(0);
        final Consumer<PacketDescriptor> broadcast = packet -> packet.length(TestFrames.arpRequest(h.buffer(),
            packet.offset(), PEER_MAC, PEER_MAC, PEER_IP, VF_IP)).vf(0);
        h.run(List.of(new VfIngressStage(h.table)), List.of(forOther, broadcast));
        assertEquals(1, h.outputs.get(1).size(), "broadcast passes");
        assertEquals(1, h.table.counters(0).rxDrops(VfDropReason.DESTINATION_MAC_MISMATCH));

        configure("trust on");
        h.run(List.of(new VfIngressStage(h.table)), List.of(forOther));
        assertEquals(2, h.outputs.get(1).size(), "a trusted VF is promiscuous");
    }

    @Test
    void shouldShowConfigAndCountersPerVf()
    {
        configure("mac 02:00:00:00:00:0a vlan 10 ip 10.1.0.10");
        h.run(egress(), List.of(echo(0, VF_MAC, VF_IP, 8), echo(0, VF_MAC, PEER_IP, 8)));
        final String show = h.table.show();
        assertTrue(show.contains("vf 0 link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff, vlan 10, " +
            "spoof checking on, link-state auto, trust off, ip 10.1.0.10"), show);
        assertTrue(show.contains("TX: bytes 50 packets 1"), show);
        assertTrue(show.contains("TX drops: spoofed_source_ip 1"), show);
        assertTrue(show.contains("vf 1 link/ether 00:00:00:00:00:00"), show);
    }
}
