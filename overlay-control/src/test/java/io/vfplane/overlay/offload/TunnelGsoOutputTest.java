package io.vfplane.overlay.offload;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.checksum.Checksums;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.Offload;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.dataplane.parse.PacketParser;
import io.vfplane.dataplane.parse.ParserConfig;
import io.vfplane.pipeline.Output;
import io.vfplane.tsorsc.gso.SegmentingOutput;
import io.vfplane.vf.port.PortOutput;
import io.vfplane.vf.port.udp.UdpUnderlayPort;
import io.vfplane.vf.port.udp.UnderlayConfig;
import io.vfplane.vf.port.udp.UnderlayTransport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TunnelGsoOutputTest
{
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    private static final int OUTER = 14 + 20 + 8;
    private static final int INNER_HEADERS = 8 + 14 + 20 + 20;
    private static final int MSS = 1398;

    private final Counters counters = Counters.inMemory(256);
    private final PacketPool pool = new PacketPool("gso-test", 64, PacketPool.MIN_HEADROOM, 80 * 1024, counters);

    @AfterEach
    void close()
    {
        pool.close();
        counters.close();
    }

    @Test
    void shouldSendOneUdpGsoTrainWhoseDatagramsEqualTheSegmentersPerSegmentOutput()
    {
        final int payload = 30_000; // 22 segments: 21 of MSS bytes and a shorter last one
        final List<byte[]> train = new ArrayList<>();
        final List<PacketDescriptor> trainMeta = new ArrayList<>();
        final TunnelGsoOutput gso = new TunnelGsoOutput(capture(train, trainMeta), new PacketParser());
        final PacketDescriptor big = frame(payload);
        assertTrue(gso.offer(big, pool));

        final List<byte[]> segments = new ArrayList<>();
        final SegmentingOutput reference = new SegmentingOutput(capture(segments, new ArrayList<>()),
            new PacketParser(), false);
        assertTrue(reference.offer(frame(payload), pool));

        assertEquals(1, train.size(), "one frame for the underlay");
        assertEquals(1, gso.trains());
        final PacketDescriptor meta = trainMeta.get(0);
        final int datagram = INNER_HEADERS + MSS;
        assertEquals(Offload.GSO_UDP_L4, meta.gsoType());
        assertEquals(datagram, meta.gsoSize());
        final int count = (payload + MSS - 1) / MSS;
        assertEquals(count, segments.size());
        final byte[] t = train.get(0);
        assertEquals(OUTER + (count - 1) * datagram + INNER_HEADERS + (payload - (count - 1) * MSS), t.length);
        // the outer headers in front are the first segment's (the underlay reads the destination there)
        assertArrayEquals(java.util.Arrays.copyOf(segments.get(0), OUTER), java.util.Arrays.copyOf(t, OUTER));
        for (int i = 0; i < count; i++)
        {
            final byte[] segment = segments.get(i);
            final byte[] expected = java.util.Arrays.copyOfRange(segment, OUTER, segment.length);
            final int from = OUTER + i * datagram;
            final byte[] actual = java.util.Arrays.copyOfRange(t, from, Math.min(from + datagram, t.length));
            assertArrayEquals(expected, actual, "datagram " + i);
            // and every inner TCP checksum is complete (the peer may be the kernel's vxlan device)
            final UnsafeBuffer b = new UnsafeBuffer(segment);
            final int ip = OUTER + 8 + 14;
            final int tcpLength = segment.length - ip - 20;
            final int sum = Checksums.sum(b, ip + 20, tcpLength,
                Checksums.ipv4PseudoHeaderSum(b, ip, Checksums.PROTOCOL_TCP, tcpLength));
            assertEquals(0, Checksums.fold(sum), "inner TCP checksum of segment " + i);
        }
        assertEquals(0, pool.inFlight(), "every buffer back in the pool");
    }

    @Test
    void shouldDropAndCountAFrameWithATcpMssNoSenderUsesInsteadOfCuttingItByteByByte()
    {
        final List<byte[]> out = new ArrayList<>();
        final TunnelGsoOutput gso = new TunnelGsoOutput(capture(out, new ArrayList<>()), new PacketParser())
            .counters(counters, "underlay");
        final PacketDescriptor tiny = frame(30_000);
        tiny.gsoSize(1); // 30 000 one-byte segments asked for
        assertTrue(gso.offer(tiny, pool));
        assertTrue(gso.offer(frame(30_000), pool));
        gso.flush();
        assertEquals(1, gso.badSize());
        assertEquals(1, out.size(), "the good frame went, as one train");
        assertEquals(1, counters.valueOf("tsorsc.underlay.tunnel_tso.drop.gso_bad_size", -1));
        assertEquals(1, counters.valueOf("tsorsc.underlay.tunnel_tso.trains", -1));
        assertEquals(0, pool.inFlight());
    }

    @Test
    void shouldSendGatheredTrainsOverTheNativeUnderlayWhoseDatagramsEqualTheSegmentersOutput() throws Exception
    {
        final int payload = 64_000; // 46 segments: more than one UDP GSO send carries, so two messages
        final List<byte[]> segments = new ArrayList<>();
        final SegmentingOutput reference = new SegmentingOutput(capture(segments, new ArrayList<>()),
            new PacketParser(), false);
        assertTrue(reference.offer(frame(payload), pool));
        final int count = segments.size();
        try (java.net.DatagramSocket receiver = new java.net.DatagramSocket(0,
                java.net.InetAddress.getByName("127.0.0.1"));
            UdpUnderlayPort underlay = new UdpUnderlayPort(new UnderlayConfig(UnderlayTransport.NATIVE,
                new java.net.InetSocketAddress("127.0.0.1", 0), 16, 2048, false, true, 0), pool, counters))
        {
            receiver.setReceiveBufferSize(4 << 20);
            receiver.setSoTimeout(5000);
            assertTrue(underlay.sendsGathered(), "native transport with UDP GSO");
            // the receiver's port stands for the VXLAN port here: the parser must know it to see the tunnel
            final TunnelGsoOutput gso = new TunnelGsoOutput(new PortOutput(underlay), underlay,
                new PacketParser(new ParserConfig().addVxlanPort(receiver.getLocalPort())));
            final PacketDescriptor big = frame(payload);
            final UnsafeBuffer b = pool.buffer();
            b.putInt(big.offset() + 14 + 16, 0x7F000001, BE); // outer destination: the receiver
            b.putShort(big.offset() + 14 + 20 + 2, (short)receiver.getLocalPort(), BE);
            b.putShort(big.offset() + 14 + 10, (short)0, BE);
            Checksums.writeIpv4HeaderChecksum(b, big.offset() + 14);
            assertTrue(gso.offer(big, pool));
            gso.flush();
            assertEquals(1, gso.gathered(), "sent gathered: headers written behind the frame, payload in place");
            assertEquals(2, underlay.txGsoWrites(), "two UDP GSO messages");
            assertEquals(0, underlay.txWriteErrors());
            assertEquals(0, pool.inFlight(), "the frame's slot is back once sent");
            final byte[] datagram = new byte[65_536];
            for (int i = 0; i < count; i++)
            {
                final java.net.DatagramPacket got = new java.net.DatagramPacket(datagram, datagram.length);
                receiver.receive(got);
                final byte[] segment = segments.get(i);
                assertArrayEquals(java.util.Arrays.copyOfRange(segment, OUTER, segment.length),
                    java.util.Arrays.copyOf(datagram, got.getLength()), "datagram " + i);
            }
        }
    }

    @Test
    void shouldPassFramesWithoutGsoStraightThrough()
    {
        final List<byte[]> out = new ArrayList<>();
        final TunnelGsoOutput gso = new TunnelGsoOutput(capture(out, new ArrayList<>()), new PacketParser());
        final PacketDescriptor small = frame(500);
        small.gsoType(Offload.GSO_NONE).gsoSize(0);
        assertTrue(gso.offer(small, pool));
        assertEquals(1, out.size());
        assertEquals(OUTER + INNER_HEADERS + 500, out.get(0).length);
        assertEquals(0, gso.trains());
    }

    private Output capture(final List<byte[]> frames, final List<PacketDescriptor> metadata)
    {
        return new Output()
        {
            @Override
            public boolean offer(final PacketDescriptor packet, final PacketPool p)
            {
                final byte[] bytes = new byte[packet.length()];
                p.buffer().getBytes(packet.offset(), bytes);
                frames.add(bytes);
                metadata.add(new PacketDescriptor().copyFrom(packet));
                p.release(packet.bufferId());
                return true;
            }

            @Override
            public void flush()
            {
            }
        };
    }

    @Test
    void shouldSendAGuestsUdpGsoFrameAsOneTrainOfDatagramsWithCompleteInnerChecksums()
    {
        // what a guest hands over when its TAP has USO: one UDP frame of many datagrams' payload, GSO_UDP_L4
        final int segment = 1200;
        final int payload = 10 * segment + 345;
        final List<byte[]> train = new ArrayList<>();
        final List<PacketDescriptor> trainMeta = new ArrayList<>();
        final TunnelGsoOutput gso = new TunnelGsoOutput(capture(train, trainMeta), new PacketParser());
        assertTrue(gso.offer(udpFrame(payload, segment), pool));

        assertEquals(1, train.size(), "one frame for the underlay");
        final int innerHeaders = 8 + 14 + 20 + 8;
        final int datagram = innerHeaders + segment;
        assertEquals(Offload.GSO_UDP_L4, trainMeta.get(0).gsoType());
        assertEquals(datagram, trainMeta.get(0).gsoSize());
        final byte[] t = train.get(0);
        final int count = 11;
        assertEquals(OUTER + (count - 1) * datagram + innerHeaders + 345, t.length);
        final UnsafeBuffer b = new UnsafeBuffer(t);
        for (int i = 0; i < count; i++)
        {
            final int at = OUTER + i * datagram;
            final int ip = at + 8 + 14;
            final int udpLength = (i == count - 1 ? 345 : segment) + 8;
            assertEquals(20 + udpLength, b.getShort(ip + 2, BE) & 0xFFFF, "inner IP length of datagram " + i);
            assertTrue(Checksums.verifyIpv4Header(b, ip), "inner IP header checksum of datagram " + i);
            assertEquals(udpLength, b.getShort(ip + 20 + 4, BE) & 0xFFFF, "UDP length of datagram " + i);
            final int sum = Checksums.sum(b, ip + 20, udpLength,
                Checksums.ipv4PseudoHeaderSum(b, ip, Checksums.PROTOCOL_UDP, udpLength));
            assertEquals(0, Checksums.fold(sum), "inner UDP checksum of datagram " + i);
            for (int k = 0; k < udpLength - 8; k++)
            {
                assertEquals((byte)((i * segment + k) * 31 + 7), b.getByte(ip + 28 + k), "payload byte");
            }
        }
        assertEquals(0, pool.inFlight(), "every buffer back in the pool");
    }

    /**
     * Writes Ethernet/IPv4/UDP 4789/VXLAN 77 and the inner Ethernet header (IPv4) at {@code at}.
     *
     * @return where the inner IPv4 header goes.
     */
    private static int vxlanOuter(final UnsafeBuffer b, final int at, final int innerLength)
    {
        int p = at;
        b.setMemory(p, 12, (byte)2);
        b.putShort(p + 12, (short)0x0800, BE);
        p += 14;
        ipv4(b, p, 20 + 8 + 8 + innerLength, 17, 0x0A630001, 0x0A630002);
        p += 20;
        b.putShort(p, (short)40000, BE);
        b.putShort(p + 2, (short)4789, BE);
        b.putShort(p + 4, (short)(8 + 8 + innerLength), BE);
        b.putShort(p + 6, (short)0, BE);
        p += 8;
        b.putInt(p, 0x08000000, BE);
        b.putInt(p + 4, 77 << 8, BE);
        p += 8;
        b.setMemory(p, 12, (byte)4);
        b.putShort(p + 12, (short)0x0800, BE);
        return p + 14;
    }

    /** Ethernet/IPv4/UDP 4789/VXLAN 77/Ethernet/IPv4/UDP with {@code payload} bytes, marked GSO_UDP_L4. */
    private PacketDescriptor udpFrame(final int payload, final int segment)
    {
        final int id = pool.allocate();
        final int at = pool.dataOffset(id);
        final UnsafeBuffer b = pool.buffer();
        final int innerLength = 14 + 20 + 8 + payload;
        int p = vxlanOuter(b, at, innerLength);
        final int innerIp = p;
        ipv4(b, p, 20 + 8 + payload, 17, 0xC0A84D01, 0xC0A84D02);
        p += 20;
        b.putShort(p, (short)5201, BE);
        b.putShort(p + 2, (short)40001, BE);
        b.putShort(p + 4, (short)(8 + payload), BE);
        // the guest's partial checksum as its UDP GSO send leaves it: pseudo-header sum over the whole length
        return guestGso(id, at, innerIp, 8, payload, Checksums.PROTOCOL_UDP, 6, Offload.GSO_UDP_L4, segment);
    }

    /** Ethernet/IPv4/UDP 4789/VXLAN 77/Ethernet/IPv4/TCP with {@code payload} bytes, marked GSO_TCPV4 at MSS. */
    private PacketDescriptor frame(final int payload)
    {
        final int id = pool.allocate();
        final int at = pool.dataOffset(id);
        final UnsafeBuffer b = pool.buffer();
        final int innerLength = 14 + 20 + 20 + payload;
        int p = vxlanOuter(b, at, innerLength);
        final int innerIp = p;
        ipv4(b, p, 20 + 20 + payload, 6, 0xC0A84D01, 0xC0A84D02);
        p += 20;
        b.putShort(p, (short)5201, BE);
        b.putShort(p + 2, (short)40001, BE);
        b.putInt(p + 4, 1_000_000, BE);
        b.putInt(p + 8, 7, BE);
        b.putByte(p + 12, (byte)0x50);
        b.putByte(p + 13, (byte)0x18); // ACK PSH
        b.putShort(p + 14, (short)512, BE);
        b.putShort(p + 16, (short)0, BE);
        b.putShort(p + 18, (short)0, BE);
        // a guest's partial checksum: the pseudo-header sum in the field (NEEDS_CSUM)
        return guestGso(id, at, innerIp, 20, payload, Checksums.PROTOCOL_TCP, 16, Offload.GSO_TCPV4, MSS);
    }

    /**
     * Completes a guest's GSO frame whose L4 header ({@code l4Length} bytes) follows the inner IPv4 header at
     * {@code innerIp}: the payload pattern, the partial checksum a guest leaves (the pseudo-header sum, NEEDS_CSUM)
     * and the vnet metadata with {@code gsoSize}.
     */
    private PacketDescriptor guestGso(final int id, final int at, final int innerIp, final int l4Length,
        final int payload, final int protocol, final int checksumOffset, final int gsoType, final int gsoSize)
    {
        final UnsafeBuffer b = pool.buffer();
        final int p = innerIp + 20 + l4Length;
        for (int i = 0; i < payload; i++)
        {
            b.putByte(p + i, (byte)(i * 31 + 7));
        }
        b.putShort(innerIp + 20 + checksumOffset, (short)Checksums.reduce(
            Checksums.ipv4PseudoHeaderSum(b, innerIp, protocol, l4Length + payload)), BE);
        final PacketDescriptor d = new PacketDescriptor();
        d.bind(id, at, p + payload - at);
        d.gsoType(gsoType).gsoSize(gsoSize).offloadFlags(Offload.FLAG_NEEDS_CSUM)
            .csumStart(14 + 20).csumOffset(checksumOffset).headerLength(14 + 20 + l4Length);
        return d;
    }

    private static void ipv4(
        final UnsafeBuffer b, final int at, final int totalLength, final int protocol, final int src, final int dst)
    {
        b.putByte(at, (byte)0x45);
        b.putByte(at + 1, (byte)0);
        b.putShort(at + 2, (short)totalLength, BE);
        b.putShort(at + 4, (short)1, BE);
        b.putShort(at + 6, (short)0x4000, BE);
        b.putByte(at + 8, (byte)64);
        b.putByte(at + 9, (byte)protocol);
        b.putShort(at + 10, (short)0, BE);
        b.putInt(at + 12, src, BE);
        b.putInt(at + 16, dst, BE);
        Checksums.writeIpv4HeaderChecksum(b, at);
    }
}
