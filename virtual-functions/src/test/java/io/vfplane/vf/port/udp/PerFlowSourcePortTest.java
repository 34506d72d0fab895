package io.vfplane.vf.port.udp;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.Offload;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.vf.Macs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The native transport sends each frame from the flow socket its outer UDP source port (the encap stage's inner-flow
 * hash) picks: two native ports on loopback, the receiver's synthetic outer headers carry the port each datagram
 * really came from.
 */
class PerFlowSourcePortTest
{
    /** Outer source ports as the encap stage draws them: 49152 | (flow hash & 0x3FFF). */
    private static final int EPHEMERAL_BASE = 49152;

    private final LoopbackPorts fixture = new LoopbackPorts("flow-port-test");
    private final Counters counters = fixture.counters;
    private final PacketPool pool = fixture.pool;
    private final PacketPool sendPool = fixture.sendPool;

    /** One received datagram: where from (the synthetic outer UDP source port) and its payload. */
    private record Arrival(int sourcePort, byte[] payload)
    {
    }

    @AfterEach
    void tearDown()
    {
        fixture.close();
    }

    private UdpUnderlayPort open(final String address, final boolean gro, final boolean perFlow)
    {
        return fixture.open(UnderlayTransport.NATIVE, address, gro, perFlow);
    }

    private BlockingQueue<Arrival> collect(final UdpUnderlayPort port)
    {
        final BlockingQueue<Arrival> received = new LinkedBlockingQueue<>();
        port.start(packet ->
        {
            final UnsafeBuffer b = pool.buffer();
            final int udp = packet.offset() + 14 + 20;
            final byte[] payload = new byte[packet.length() - UdpUnderlayPort.RX_HEADERS];
            b.getBytes(packet.offset() + UdpUnderlayPort.RX_HEADERS, payload);
            received.add(new Arrival(b.getShort(udp, ByteOrder.BIG_ENDIAN) & 0xFFFF, payload));
            pool.release(packet.bufferId());
            return true;
        });
        return received;
    }

    /**
     * An outer Ethernet/IPv4/UDP frame from outer source port {@code sourcePort} to {@code to}; its payload is
     * {@code length} bytes: the flow, the sequence number, then a pattern of both.
     */
    private void frame(final PacketDescriptor packet, final InetSocketAddress from, final int sourcePort,
        final InetSocketAddress to, final int length, final int flow, final int seq)
    {
        fixture.frame(packet, from, sourcePort, to, length, i -> expectedByte(flow, seq, i));
    }

    private static byte expectedByte(final int flow, final int seq, final int i)
    {
        return i == 0 ? (byte)flow : i == 1 ? (byte)seq : (byte)(flow * 31 + seq * 7 + i);
    }

    private static byte[] expected(final int flow, final int seq, final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = expectedByte(flow, seq, i);
        }
        return bytes;
    }

    private static List<Arrival> take(final BlockingQueue<Arrival> queue, final int count) throws InterruptedException
    {
        final List<Arrival> out = new ArrayList<>();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (out.size() < count && System.nanoTime() < deadline)
        {
            final Arrival a = queue.poll(10, TimeUnit.MILLISECONDS);
            if (a != null)
            {
                out.add(a);
            }
        }
        return out;
    }

    private static int flowPort(final int flow)
    {
        return EPHEMERAL_BASE | (flow * 0x2F1B + 0x155) & 0x3FFF;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldSendEachFlowFromOneSourcePortAndSpreadFlowsOverSeveral(final boolean gro) throws Exception
    {
        final UdpUnderlayPort a = open("127.0.0.20", false, true);
        final UdpUnderlayPort b = open("127.0.0.21", gro, true);
        final BlockingQueue<Arrival> atB = collect(b);
        final int flows = 32;
        final int rounds = 4;
        final int perRound = 2;
        final PacketDescriptor packet = new PacketDescriptor();
        final List<Arrival> got = new ArrayList<>();
        for (int round = 0; round < rounds; round++)
        {
            // the flows interleaved, as a pipeline's burst mixes them
            for (int k = 0; k < perRound; k++)
            {
                final int seq = round * perRound + k;
                for (int flow = 0; flow < flows; flow++)
                {
                    frame(packet, a.localAddress(), flowPort(flow), b.localAddress(), 100 + flow, flow, seq);
                    assertTrue(a.send(packet, pool));
                }
            }
            a.flush();
            got.addAll(take(atB, flows * perRound));
        }
        assertEquals(flows * rounds * perRound, got.size(), "every datagram arrived");

        final Map<Integer, Set<Integer>> portsByFlow = new HashMap<>();
        final int[] nextSeq = new int[flows];
        for (final Arrival arrival : got)
        {
            final int flow = arrival.payload()[0];
            final int seq = arrival.payload()[1];
            assertEquals(nextSeq[flow], seq, "flow " + flow + " in order");
            assertArrayEquals(expected(flow, seq, 100 + flow), arrival.payload(), "flow " + flow + " datagram " + seq);
            nextSeq[flow]++;
            portsByFlow.computeIfAbsent(flow, f -> new HashSet<>()).add(arrival.sourcePort());
        }
        final Set<Integer> used = new HashSet<>();
        final Set<Integer> predicted = new HashSet<>();
        for (int flow = 0; flow < flows; flow++)
        {
            assertEquals(rounds * perRound, nextSeq[flow], "flow " + flow + " complete");
            final Set<Integer> seen = portsByFlow.get(flow);
            assertEquals(1, seen.size(), "flow " + flow + " leaves from one port: " + seen);
            final int port = seen.iterator().next();
            assertEquals(a.sendPortFor(flowPort(flow)), port, "flow " + flow + " from the socket its hash picks");
            assertNotEquals(a.localAddress().getPort(), port, "not from the bound port");
            used.add(port);
            predicted.add(a.sendPortFor(flowPort(flow)));
        }
        assertEquals(NativeUdpChannel.FLOW_SOCKETS, a.sendPorts().size());
        assertEquals(NativeUdpChannel.FLOW_SOCKETS, new HashSet<>(a.sendPorts()).size(), "distinct send ports");
        assertTrue(a.sendPorts().containsAll(used));
        assertEquals(predicted, used);
        assertTrue(used.size() >= 8, "32 flows over 16 sockets use several ports: " + used);
        System.out.println("32 flows left from " + used.size() + " source ports: " + used);
        assertEquals(0, a.txWriteErrors());
    }

    @Test
    void shouldKeepGsoWritesAndTrainsPerFlowSocket() throws Exception
    {
        final UdpUnderlayPort a = open("127.0.0.22", false, true);
        final UdpUnderlayPort b = open("127.0.0.23", true, true);
        assertTrue(a.gsoInUse(), "UDP_SEGMENT accepted by this kernel");
        final BlockingQueue<Arrival> atB = collect(b);
        // two flows on different sockets
        final int flowA = 1;
        int flowB = 2;
        while (a.sendPortFor(flowPort(flowB)) == a.sendPortFor(flowPort(flowA)))
        {
            flowB++;
        }
        final PacketDescriptor packet = new PacketDescriptor();
        // a GSO frame per flow: 3500 bytes in segments of 1000 (one UDP GSO write each)
        for (final int flow : new int[]{flowA, flowB})
        {
            frame(packet, a.localAddress(), flowPort(flow), b.localAddress(), 3500, flow, 0);
            markSegments(pool.buffer(), packet.offset() + 42, flow);
            packet.gsoType(Offload.GSO_UDP_L4).gsoSize(1000);
            assertTrue(a.send(packet, pool));
        }
        // then ten equal-sized datagrams of each flow, one flow after the other: same size and destination, but
        // the second flow's may not join the first's train (they leave from another socket)
        for (final int flow : new int[]{flowA, flowB})
        {
            for (int seq = 1; seq <= 10; seq++)
            {
                frame(packet, a.localAddress(), flowPort(flow), b.localAddress(), 68, flow, seq);
                assertTrue(a.send(packet, pool));
            }
        }
        a.flush();
        final List<Arrival> got = take(atB, 2 * (4 + 10));
        assertEquals(2 * (4 + 10), got.size(), "every datagram arrived");
        assertEquals(2, a.txGsoWrites(), "each GSO frame went out as one GSO write");
        assertEquals(2 * 9, a.txTrainJoins(), "two trains of ten: one per flow, none across sockets");
        for (final int flow : new int[]{flowA, flowB})
        {
            final List<Arrival> of = got.stream().filter(x -> x.payload()[0] == flow).toList();
            assertEquals(14, of.size(), "flow " + flow);
            for (int i = 0; i < 4; i++)
            {
                // the GSO frame's segments: slices of one payload, the pattern runs on across them
                final byte[] whole = expected(flow, 0, 3500);
                markSegments(new UnsafeBuffer(whole), 0, flow);
                final byte[] segment = java.util.Arrays.copyOfRange(whole, i * 1000, Math.min(3500, i * 1000 + 1000));
                assertArrayEquals(segment, of.get(i).payload(), "flow " + flow + " segment " + i);
            }
            for (int seq = 1; seq <= 10; seq++)
            {
                assertArrayEquals(expected(flow, seq, 68), of.get(3 + seq).payload(), "flow " + flow + " seq " + seq);
            }
            final int port = a.sendPortFor(flowPort(flow));
            assertTrue(of.stream().allMatch(x -> x.sourcePort() == port), "flow " + flow + " from port " + port);
        }
        assertEquals(0, a.txWriteErrors());
    }

    /** Every 1000-byte segment of a GSO payload starts with the flow and sequence number 0, as a datagram does. */
    private static void markSegments(final UnsafeBuffer buffer, final int payload, final int flow)
    {
        for (int at = 0; at < 3500; at += 1000)
        {
            buffer.putByte(payload + at, (byte)flow);
            buffer.putByte(payload + at + 1, (byte)0);
        }
    }

    @Test
    void shouldSendAGatheredTrainFromTheSocketItsSourcePortPicks() throws Exception
    {
        final UdpUnderlayPort a = open("127.0.0.24", false, true);
        final UdpUnderlayPort b = open("127.0.0.25", true, true);
        assertTrue(a.sendsGathered());
        final BlockingQueue<Arrival> atB = collect(b);
        final int id = sendPool.allocate();
        final int base = sendPool.dataOffset(id);
        final long address = sendPool.buffer().addressOffset();
        final long[] addresses = new long[6];
        final int[] lengths = new int[6];
        for (int d = 0; d < 3; d++)
        {
            final int header = base + 2000 - d * 40;
            final int payload = base + d * 300;
            for (int k = 0; k < 20; k++)
            {
                sendPool.buffer().putByte(header + k, (byte)(0xA0 + d));
            }
            for (int k = 0; k < 280; k++)
            {
                sendPool.buffer().putByte(payload + k, (byte)(d * 13 + k));
            }
            addresses[2 * d] = address + header;
            lengths[2 * d] = 20;
            addresses[2 * d + 1] = address + payload;
            lengths[2 * d + 1] = 280;
        }
        final InetSocketAddress to = b.localAddress();
        final int flow = flowPort(5);
        a.sendGathered(Macs.parseIpv4(to.getAddress().getHostAddress()), to.getPort(), flow, 300, addresses, lengths,
            6, sendPool, id, true);
        a.flush();
        final List<Arrival> got = take(atB, 3);
        assertEquals(3, got.size());
        for (int d = 0; d < 3; d++)
        {
            final byte[] datagram = got.get(d).payload();
            assertEquals(300, datagram.length);
            assertEquals((byte)(0xA0 + d), datagram[0]);
            assertEquals((byte)(d * 13 + 279), datagram[299]);
            assertEquals(a.sendPortFor(flow), got.get(d).sourcePort(), "datagram " + d + " from the flow's socket");
        }
        assertNotEquals(a.localAddress().getPort(), got.get(0).sourcePort());
        assertEquals(1, a.txGsoWrites());
    }

    @Test
    void shouldSendEverythingFromTheBoundPortWhenPerFlowPortsAreOff() throws Exception
    {
        final UdpUnderlayPort a = open("127.0.0.26", false, false);
        final UdpUnderlayPort b = open("127.0.0.27", false, true);
        final BlockingQueue<Arrival> atB = collect(b);
        final PacketDescriptor packet = new PacketDescriptor();
        for (int flow = 0; flow < 8; flow++)
        {
            frame(packet, a.localAddress(), flowPort(flow), b.localAddress(), 80 + flow, flow, 0);
            assertTrue(a.send(packet, pool));
        }
        a.flush();
        final List<Arrival> got = take(atB, 8);
        assertEquals(8, got.size());
        assertTrue(got.stream().allMatch(x -> x.sourcePort() == a.localAddress().getPort()), "all from the bound port");
        assertEquals(List.of(a.localAddress().getPort()), a.sendPorts());
        assertTrue(a.describe().contains("udp source port: the bound port " + a.localAddress().getPort() +
            ", per-flow ports off (configured)"), a.describe().toString());
        assertTrue(b.describe().stream().anyMatch(l -> l.startsWith("udp source port: per flow, " +
            NativeUdpChannel.FLOW_SOCKETS + " send sockets")), b.describe().toString());
    }

    @Test
    void shouldNotLetDatagramsToASendSocketPileUp() throws Exception
    {
        final UdpUnderlayPort a = open("127.0.0.28", false, true);
        final int sendPort = a.sendPorts().get(0);
        // a peer answering the source port: far more than any receive buffer the kernel grants at its minimum
        final byte[] payload = new byte[1000];
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.29", 0)))
        {
            final DatagramPacket datagram = new DatagramPacket(payload, payload.length,
                new InetSocketAddress("127.0.0.28", sendPort));
            for (int i = 0; i < 200; i++)
            {
                peer.send(datagram);
            }
        }
        // /proc/net/udp: "sl local_address rem_address st tx_queue:rx_queue ... drops", addresses as hex host order
        final String local = String.format(Locale.ROOT, "%08X:%04X", Integer.reverseBytes(0x7F00001C), sendPort);
        String line = null;
        for (final String l : Files.readAllLines(Path.of("/proc/net/udp")))
        {
            final String[] f = l.trim().split("\\s+");
            if (f.length > 4 && f[1].equals(local))
            {
                line = l;
            }
        }
        assertTrue(line != null, "the send socket " + local + " is in /proc/net/udp");
        final String[] f = line.trim().split("\\s+");
        final long queued = Long.parseLong(f[4].split(":")[1], 16);
        final long drops = Long.parseLong(f[f.length - 1]);
        System.out.println("send socket after 200 KB sent to it: rx_queue " + queued + " bytes, drops " + drops);
        assertTrue(queued < 32 * 1024, "at most a few datagrams held: " + queued);
        assertTrue(drops > 100, "the rest dropped by the kernel: " + drops);
    }
}
