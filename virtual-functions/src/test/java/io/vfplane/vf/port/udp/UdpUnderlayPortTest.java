package io.vfplane.vf.port.udp;

import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.Offload;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.vf.Macs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two underlay ports on loopback exchange batches; the same tests run over every transport.
 */
class UdpUnderlayPortTest
{
    private final LoopbackPorts fixture = new LoopbackPorts("udp-test");
    private final Counters counters = fixture.counters;
    private final PacketPool pool = fixture.pool;
    /** Slots to send from where a test checks that the send released them. */
    private final PacketPool sendPool = fixture.sendPool;

    @AfterEach
    void tearDown()
    {
        fixture.close();
    }

    private UdpUnderlayPort open(final UnderlayTransport transport, final String address, final boolean gro)
    {
        return fixture.open(transport, address, gro, true);
    }

    private BlockingQueue<byte[]> collect(final UdpUnderlayPort port, final List<int[]> sources)
    {
        final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
        port.start(packet ->
        {
            final UnsafeBuffer b = pool.buffer();
            final int ip = packet.offset() + 14;
            sources.add(new int[]{b.getInt(ip + 12, ByteOrder.BIG_ENDIAN), b.getShort(ip + 20, ByteOrder.BIG_ENDIAN) &
                0xFFFF, b.getShort(ip + 22, ByteOrder.BIG_ENDIAN) & 0xFFFF,
                io.vfplane.dataplane.checksum.Checksums.verifyIpv4Header(b, ip) ? 1 : 0});
            final byte[] payload = new byte[packet.length() - UdpUnderlayPort.RX_HEADERS];
            b.getBytes(packet.offset() + UdpUnderlayPort.RX_HEADERS, payload);
            received.add(payload);
            pool.release(packet.bufferId());
            return true;
        });
        return received;
    }

    /** An outer Ethernet/IPv4/UDP frame towards {@code to} whose payload is {@code length} bytes of pattern. */
    private void frame(final PacketDescriptor packet, final InetSocketAddress from, final InetSocketAddress to,
        final int length, final int seed)
    {
        fixture.frame(packet, from, from.getPort(), to, length, i -> pattern(seed, i));
    }

    private static byte pattern(final int seed, final int i)
    {
        return (byte)(seed * 31 + i);
    }

    private static List<byte[]> take(final BlockingQueue<byte[]> queue, final int count) throws InterruptedException
    {
        final List<byte[]> out = new ArrayList<>();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (out.size() < count && System.nanoTime() < deadline)
        {
            final byte[] p = queue.poll(50, TimeUnit.MILLISECONDS);
            if (p != null)
            {
                out.add(p);
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(UnderlayTransport.class)
    void shouldExchangeBatchesBetweenTwoPortsOnLoopback(final UnderlayTransport transport) throws Exception
    {
        final UdpUnderlayPort a = open(transport, "127.0.0.2", false);
        final UdpUnderlayPort b = open(transport, "127.0.0.3", false);
        final List<int[]> sources = java.util.Collections.synchronizedList(new ArrayList<>());
        final BlockingQueue<byte[]> atB = collect(b, sources);
        final int batches = 4;
        final int perBatch = 64;
        final PacketDescriptor packet = new PacketDescriptor();
        for (int batch = 0; batch < batches; batch++)
        {
            for (int i = 0; i < perBatch; i++)
            {
                final int seq = batch * perBatch + i;
                frame(packet, a.localAddress(), b.localAddress(), 100 + seq % 200, seq);
                assertTrue(a.send(packet, pool));
            }
            a.flush();
            final List<byte[]> got = take(atB, perBatch);
            assertEquals(perBatch, got.size(), transport + ": batch " + batch + " arrived");
            for (int i = 0; i < perBatch; i++)
            {
                final int seq = batch * perBatch + i;
                final byte[] expected = new byte[100 + seq % 200];
                for (int k = 0; k < expected.length; k++)
                {
                    expected[k] = pattern(seq, k);
                }
                assertArrayEquals(expected, got.get(i), transport + ": datagram " + seq + " in order and intact");
            }
        }
        final int[] first = sources.get(0);
        assertEquals(Macs.parseIpv4("127.0.0.2"), first[0], "synthetic outer source address is the sender");
        // the frames' outer source port picks the sending socket: the bound port on Netty's transports, one of the
        // flow sockets' on native (all frames here carry one source port: one flow, one port)
        assertEquals(a.sendPortFor(a.localAddress().getPort()), first[1], "outer source port is the sender's");
        assertTrue(sources.stream().allMatch(s -> s[1] == first[1]), "one flow leaves from one port");
        assertEquals(b.localAddress().getPort(), first[2], "outer destination port is ours");
        assertEquals(batches * perBatch, a.txPackets());
        // counted once per receive call, after its datagrams were handed on: the last call's may still be counting
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (b.rxPackets() < batches * perBatch && System.nanoTime() - deadline < 0)
        {
            Thread.sleep(1);
        }
        assertEquals(batches * perBatch, b.rxPackets());
        assertEquals(0, a.txWriteErrors());
    }

    @Test
    void shouldCountANativeSendTheKernelRefusesAsAWriteError()
    {
        final UdpUnderlayPort a = open(UnderlayTransport.NATIVE, "127.0.0.13", false);
        final PacketDescriptor packet = new PacketDescriptor();
        // from a loopback address to one that is not local: the kernel has no route for it (EINVAL)
        frame(packet, a.localAddress(), new InetSocketAddress("192.0.2.1", 4789), 200, 3);
        assertTrue(a.send(packet, pool));
        a.flush();
        assertEquals(1, counters.valueOf("port." + a.name() + ".tx_write_errors", -1), "the refused send counted");
        assertEquals(0, counters.valueOf("port." + a.name() + ".rx_errors", -1));
        assertEquals(0, counters.valueOf("port." + a.name() + ".rx_truncated", -1));
    }

    @ParameterizedTest
    @EnumSource(UnderlayTransport.class)
    void shouldSendUdpGsoFrameAsSegmentsTheReceiverSeesOneByOne(final UnderlayTransport transport) throws Exception
    {
        final UdpUnderlayPort a = open(transport, "127.0.0.4", false);
        final UdpUnderlayPort b = open(transport, "127.0.0.5", transport != UnderlayTransport.IO_URING);
        final BlockingQueue<byte[]> atB = collect(b, java.util.Collections.synchronizedList(new ArrayList<>()));
        final PacketDescriptor packet = new PacketDescriptor();
        frame(packet, a.localAddress(), b.localAddress(), 3500, 9);
        packet.gsoType(Offload.GSO_UDP_L4).gsoSize(1000);
        assertTrue(a.send(packet, pool));
        a.flush();
        final List<byte[]> got = take(atB, 4);
        assertEquals(4, got.size(), transport + ": four segments");
        int offset = 0;
        for (final byte[] segment : got)
        {
            assertEquals(offset < 3000 ? 1000 : 500, segment.length);
            for (int k = 0; k < segment.length; k++)
            {
                assertEquals(pattern(9, offset + k), segment[k], "byte " + (offset + k));
            }
            offset += segment.length;
        }
        if (transport != UnderlayTransport.IO_URING && a.gsoInUse())
        {
            assertEquals(1, a.txGsoWrites(), "sent as one UDP GSO write");
        }
        else
        {
            assertEquals(0, a.txGsoWrites(), "split into datagrams");
        }
        System.out.println(transport + ": gso in use " + a.gsoInUse() + ", gro in use at receiver " + b.groInUse());
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void shouldJoinEqualSizedDatagramsIntoGsoTrainsThatArriveAsTheDatagramsSent(final boolean gro) throws Exception
    {
        final UdpUnderlayPort a = open(UnderlayTransport.NATIVE, "127.0.0.10", false);
        final UdpUnderlayPort b = open(UnderlayTransport.NATIVE, "127.0.0.11", gro);
        final BlockingQueue<byte[]> atB = collect(b, java.util.Collections.synchronizedList(new ArrayList<>()));
        // 50 datagrams of 68 bytes (64-byte frames in VXLAN), a shorter one that ends the train, then 10 more
        final int[] sizes = new int[61];
        java.util.Arrays.fill(sizes, 68);
        sizes[50] = 40;
        final PacketDescriptor packet = new PacketDescriptor();
        for (int seq = 0; seq < sizes.length; seq++)
        {
            frame(packet, a.localAddress(), b.localAddress(), sizes[seq], seq);
            assertTrue(a.send(packet, pool));
        }
        a.flush();
        final List<byte[]> got = take(atB, sizes.length);
        assertEquals(sizes.length, got.size(), "every datagram arrived");
        for (int seq = 0; seq < sizes.length; seq++)
        {
            assertEquals(sizes[seq], got.get(seq).length, "datagram " + seq + " keeps its size");
            for (int k = 0; k < sizes[seq]; k++)
            {
                assertEquals(pattern(seq, k), got.get(seq)[k], "datagram " + seq + " byte " + k);
            }
        }
        assertEquals(sizes.length - 2, a.txTrainJoins(), "two trains: 51 datagrams (the shorter last) and 10");
        assertEquals(sizes.length, a.txPackets());
        assertEquals(0, a.txWriteErrors());
    }

    @Test
    void shouldSendEveryDatagramOnItsOwnWhenGsoIsConfiguredOff() throws Exception
    {
        final UdpUnderlayPort a = fixture.open(UnderlayTransport.NATIVE, "127.0.0.10", false, false, true);
        final UdpUnderlayPort b = open(UnderlayTransport.NATIVE, "127.0.0.11", false);
        final BlockingQueue<byte[]> atB = collect(b, java.util.Collections.synchronizedList(new ArrayList<>()));
        assertFalse(a.gsoInUse());
        assertTrue(a.describe().stream().anyMatch(l -> l.equals("udp gso: off (configured)")),
            a.describe().toString());
        final PacketDescriptor packet = new PacketDescriptor();
        for (int seq = 0; seq < 20; seq++)
        {
            frame(packet, a.localAddress(), b.localAddress(), 68, seq);
            assertTrue(a.send(packet, pool));
        }
        a.flush();
        assertEquals(20, take(atB, 20).size(), "every datagram arrived");
        assertEquals(0, a.txTrainJoins(), "none joined into a GSO train");
        assertEquals(0, a.txGsoWrites());
    }

    @Test
    void shouldSendGatheredGsoTrainFromScatteredPiecesAndReceiveItThroughGro() throws Exception
    {
        final UdpUnderlayPort a = open(UnderlayTransport.NATIVE, "127.0.0.7", false);
        final UdpUnderlayPort b = open(UnderlayTransport.NATIVE, "127.0.0.8", true);
        assertTrue(a.sendsGathered(), "the native transport gathers (UDP_SEGMENT accepted by this kernel)");
        assertTrue(b.groInUse(), "UDP_GRO accepted by this kernel");
        final List<int[]> sources = java.util.Collections.synchronizedList(new ArrayList<>());
        final BlockingQueue<byte[]> atB = collect(b, sources);
        // three datagrams of 300 bytes, each a 20-byte header piece and a 280-byte payload piece, the last shorter;
        // the pieces lie out of order in the slot, so only a gather puts them together. The slot comes from a pool
        // of its own: the receiver's ring takes slots of the shared pool at any moment (a released one too)
        final int id = sendPool.allocate();
        final int base = sendPool.dataOffset(id);
        final long address = sendPool.buffer().addressOffset();
        final long[] addresses = new long[6];
        final int[] lengths = new int[6];
        for (int d = 0; d < 3; d++)
        {
            final int header = base + 2000 - d * 40;
            final int payload = base + d * 300;
            final int payloadLength = d < 2 ? 280 : 100;
            for (int k = 0; k < 20; k++)
            {
                sendPool.buffer().putByte(header + k, (byte)(0xA0 + d));
            }
            for (int k = 0; k < payloadLength; k++)
            {
                sendPool.buffer().putByte(payload + k, pattern(d, k));
            }
            addresses[2 * d] = address + header;
            lengths[2 * d] = 20;
            addresses[2 * d + 1] = address + payload;
            lengths[2 * d + 1] = payloadLength;
        }
        final InetSocketAddress to = b.localAddress();
        a.sendGathered(ipv4(to), to.getPort(), -1, 300, addresses, lengths, 6, sendPool, id, true);
        a.flush();
        assertFalse(sendPool.isAllocated(id), "the slot is back in the pool once sent");
        assertEquals(0, sendPool.inFlight());
        final List<byte[]> got = take(atB, 3);
        assertEquals(3, got.size(), "three datagrams");
        for (int d = 0; d < 3; d++)
        {
            final byte[] datagram = got.get(d);
            assertEquals(d < 2 ? 300 : 120, datagram.length, "datagram " + d);
            for (int k = 0; k < 20; k++)
            {
                assertEquals((byte)(0xA0 + d), datagram[k], "datagram " + d + " header byte " + k);
            }
            for (int k = 20; k < datagram.length; k++)
            {
                assertEquals(pattern(d, k - 20), datagram[k], "datagram " + d + " payload byte " + (k - 20));
            }
        }
        for (final int[] source : sources)
        {
            assertEquals(1, source[3], "the outer IPv4 header written in front has a valid checksum");
        }
        assertEquals(1, a.txGsoWrites(), "one UDP GSO message");
        assertEquals(0, a.txWriteErrors());
    }

    private static int ipv4(final InetSocketAddress address)
    {
        final byte[] b = address.getAddress().getAddress();
        return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
    }

    @Test
    void shouldReportWhatTheNativeTransportUses()
    {
        final UdpUnderlayPort port = open(UnderlayTransport.NATIVE, "127.0.0.9", true);
        final List<String> lines = port.describe();
        lines.forEach(line -> System.out.println("probe: " + line));
        assertTrue(lines.contains("transport: native"), lines.toString());
        assertTrue(lines.contains("udp gso: on"), lines.toString());
        assertTrue(lines.contains("udp gro: on"), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("recvmmsg: on")), lines.toString());
    }

    @Test
    void shouldReportWhatTheUnderlayUsesAndWhy()
    {
        final UnderlayProbe probe = UnderlayProbe.probe();
        final UdpUnderlayPort port = open(UnderlayTransport.EPOLL, "127.0.0.6", true);
        final List<String> lines = port.describe();
        lines.forEach(line -> System.out.println("probe: " + line));
        assertTrue(probe.epoll(), "epoll works on Linux with the native jar: " + probe.epollCause());
        assertTrue(lines.contains("transport: epoll"), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("udp gso: ")), lines.toString());
        assertNotNull(probe.ioUring() ? probe.ioUringFeatures() : probe.ioUringCause(), "io_uring: a reason either way");
    }
}
