package io.vfplane.vf.port.udp;

import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.vf.port.PacketSink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code native} transport receives into pool slots posted as the iovecs of its recvmmsg messages: the kernel
 * (UDP GSO trains from a second native port, single datagrams from a JDK socket) is the peer, every datagram is
 * checked byte for byte, and every pool must be whole again once the ports are closed.
 */
class NativeReceiveRingTest
{
    /** Payload room of a receive slot: the pool's 2048 bytes less the synthetic outer headers. */
    private static final int SLOT_PAYLOAD = 2048 - UdpUnderlayPort.RX_HEADERS;
    /** Rounds of the allocation test's windows (three trains each). */
    private static final int ROUNDS = 1000;
    /** What a warm window may allocate: a stray object or two, not one per datagram or per call. */
    private static final int WINDOW_SLACK = 1024;

    private Counters counters;
    private PacketPool txPool;
    private final List<PacketPool> rxPools = new ArrayList<>();
    private final List<UdpUnderlayPort> ports = new ArrayList<>();
    private int sequence;

    @BeforeEach
    void setUp()
    {
        counters = Counters.inMemory(1024);
        // one slot holds a whole train to send (64 KiB of payload at most)
        txPool = new PacketPool("ring-tx", 32, PacketPool.MIN_HEADROOM, 66_000, counters);
    }

    @AfterEach
    void tearDown()
    {
        ports.forEach(UdpUnderlayPort::close);
        assertEquals(0, txPool.inFlight(), "every sent slot came back");
        for (final PacketPool pool : rxPools)
        {
            assertEquals(0, pool.inFlight(), "every slot the receive ring posted came back at close (" +
                pool.name() + ")");
            assertEquals(0, pool.doubleFrees(), "no slot went back twice (" + pool.name() + ")");
            pool.close();
        }
        txPool.close();
        counters.close();
    }

    private PacketPool rxPool(final int slots)
    {
        final PacketPool pool = new PacketPool("ring-rx-" + rxPools.size(), slots, PacketPool.MIN_HEADROOM, 2048,
            counters);
        rxPools.add(pool);
        return pool;
    }

    private UdpUnderlayPort open(final String address, final boolean gro, final PacketPool pool)
    {
        final UnderlayConfig config = new UnderlayConfig(
            UnderlayTransport.NATIVE, new InetSocketAddress(address, 0), 16, 2048, gro, true, ports.size());
        final UdpUnderlayPort port = new UdpUnderlayPort(config, pool, counters);
        ports.add(port);
        return port;
    }

    /** A sink that copies each payload out and releases the slot at once. */
    private static BlockingQueue<byte[]> collect(final UdpUnderlayPort port, final PacketPool pool)
    {
        final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
        port.start(packet ->
        {
            final byte[] payload = new byte[packet.length() - UdpUnderlayPort.RX_HEADERS];
            pool.buffer().getBytes(packet.offset() + UdpUnderlayPort.RX_HEADERS, payload);
            received.add(payload);
            pool.release(packet.bufferId());
            return true;
        });
        return received;
    }

    private static byte pattern(final int seed, final int i)
    {
        return (byte)(seed * 131 + i * 7 + (i >>> 8));
    }

    private static byte[] expected(final int seed, final int length)
    {
        final byte[] b = new byte[length];
        for (int k = 0; k < length; k++)
        {
            b[k] = pattern(seed, k);
        }
        return b;
    }

    /**
     * Sends {@code sizes} as one UDP GSO train of {@code gsoSize} (0: {@code sizes} is one datagram) from {@code a}
     * to {@code b}, each datagram with a pattern of its own sequence number.
     *
     * @return the datagrams sent, in order.
     */
    private List<byte[]> sendTrain(final UdpUnderlayPort a, final UdpUnderlayPort b, final int gsoSize,
        final int... sizes)
    {
        final int id = txPool.allocate();
        final UnsafeBuffer buffer = txPool.buffer();
        int at = txPool.dataOffset(id);
        int total = 0;
        final List<byte[]> sent = new ArrayList<>();
        for (final int size : sizes)
        {
            final byte[] datagram = expected(sequence++, size);
            buffer.putBytes(at, datagram);
            at += size;
            total += size;
            sent.add(datagram);
        }
        final InetSocketAddress to = b.localAddress();
        a.sendGathered(ipv4(to), to.getPort(), -1, gsoSize,
            new long[]{buffer.addressOffset() + txPool.dataOffset(id)}, new int[]{total}, 1, txPool, id, true);
        a.flush();
        assertEquals(0, a.txWriteErrors(), "the kernel took the train");
        return sent;
    }

    private static int[] train(final int count, final int size, final int last)
    {
        final int[] sizes = new int[count];
        java.util.Arrays.fill(sizes, size);
        sizes[count - 1] = last;
        return sizes;
    }

    private static int ipv4(final InetSocketAddress address)
    {
        final byte[] b = address.getAddress().getAddress();
        return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
    }

    private static void assertArrive(final BlockingQueue<byte[]> queue, final List<byte[]> sent, final String what)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (int i = 0; i < sent.size(); i++)
        {
            byte[] got = null;
            while (got == null && System.nanoTime() < deadline)
            {
                got = queue.poll(50, TimeUnit.MILLISECONDS);
            }
            assertTrue(got != null, what + ": datagram " + i + " of " + sent.size() + " arrived");
            assertArrayEquals(sent.get(i), got, what + ": datagram " + i + " byte-exact and in order");
        }
    }

    private static void await(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(5);
        }
    }

    @Test
    void shouldReceiveTrainsOfThePredictedSizeStraightIntoThePostedSlots() throws Exception
    {
        final PacketPool pool = rxPool(512);
        final UdpUnderlayPort a = open("127.0.1.1", false, txPool);
        final UdpUnderlayPort b = open("127.0.1.2", true, pool);
        assertTrue(b.groInUse(), "UDP_GRO accepted by this kernel");
        final BlockingQueue<byte[]> atB = collect(b, pool);

        // the first train misses the first prediction (a whole slot): copied, and 1000 becomes the prediction
        assertArrive(atB, sendTrain(a, b, 1000, train(40, 1000, 1000)), "first train");
        await(() -> b.rxPackets() == 40, "the first train counted");
        assertEquals(40, b.rxCopied(), "the first train is gathered out of the whole-slot iovecs");

        // from now on every datagram of 1000 bytes (and a shorter last one) lies alone in a posted slot
        final List<byte[]> sent = new ArrayList<>();
        sent.addAll(sendTrain(a, b, 1000, train(40, 1000, 1000)));
        sent.addAll(sendTrain(a, b, 1000, train(64, 1000, 1000)));
        sent.addAll(sendTrain(a, b, 1000, train(17, 1000, 333)));
        sent.addAll(sendTrain(a, b, 1000, train(64, 1000, 1)));
        sent.addAll(sendTrain(a, b, 0, 1000)); // one datagram of the predicted size, not a train
        sent.addAll(sendTrain(a, b, 0, 20)); // and a shorter one
        assertArrive(atB, sent, "trains of the predicted size");
        await(() -> b.rxPackets() == 40 + sent.size(), "every datagram counted");
        assertEquals(40, b.rxCopied(), "no copy once the prediction matches");
        assertEquals(40 + sent.size(), b.rxPackets());
        assertEquals(0, b.rxNoBuffer());
        assertEquals(0, b.rxTooBig());
        assertEquals(0, a.txWriteErrors());
    }

    @Test
    void shouldGatherDatagramsThatStraddleIovecsWhenThePredictionMissesAndPredictAgain() throws Exception
    {
        final PacketPool pool = rxPool(512);
        final UdpUnderlayPort a = open("127.0.1.3", false, txPool);
        final UdpUnderlayPort b = open("127.0.1.4", true, pool);
        final BlockingQueue<byte[]> atB = collect(b, pool);
        // each step waits for its datagrams, so each is its own receive call and the prediction moves between them
        final Object[][] steps = {
            // gso size, datagram sizes, copies expected
            {1000, train(10, 1000, 700), 10}, // whole slot predicted: copied, predict 1000
            {1000, train(10, 1000, 1000), 0},
            {500, train(20, 500, 499), 20}, // two datagrams per 1000-byte iovec: copied, predict 500
            {1400, train(5, 1400, 1), 5}, // each across three 500-byte iovecs: copied, predict 1400
            {0, new int[]{300}, 0}, // a single datagram shorter than the prediction: in place
            {0, new int[]{1800}, 1}, // a single one longer: across two iovecs, copied, predict the whole slot
            {0, new int[]{SLOT_PAYLOAD}, 0}, // a single one of a whole slot
            {68, train(64, 68, 68), 64}, // 64-byte frames in VXLAN: copied, predict 68
            {68, train(64, 68, 30), 0},
            {SLOT_PAYLOAD, train(3, SLOT_PAYLOAD, 5), 3}, // the largest a slot takes: copied, predict it
            {SLOT_PAYLOAD, train(3, SLOT_PAYLOAD, SLOT_PAYLOAD), 0},
            {1000, train(30, 1000, 999), 30},
        };
        long copies = 0;
        long packets = 0;
        for (final Object[] step : steps)
        {
            final int gso = (Integer)step[0];
            final int[] sizes = (int[])step[1];
            assertArrive(atB, sendTrain(a, b, gso, sizes), "gso " + gso + " x" + sizes.length);
            copies += (Integer)step[2];
            packets += sizes.length;
            final long sofar = packets;
            await(() -> b.rxPackets() == sofar, "counted");
            assertEquals(copies, b.rxCopied(), "copies after gso " + gso + " x" + sizes.length);
        }
        // a train of datagrams longer than a slot: dropped as too big (and the prediction stays)
        sendTrain(a, b, SLOT_PAYLOAD + 100, train(3, SLOT_PAYLOAD + 100, SLOT_PAYLOAD + 100));
        await(() -> b.rxTooBig() == 3, "three datagrams too big for a slot");
        assertArrive(atB, sendTrain(a, b, 1000, train(8, 1000, 1000)), "after the too big ones");
        final long all = packets + 8;
        await(() -> b.rxPackets() == all, "every datagram counted");
        assertEquals(copies, b.rxCopied(), "the prediction survived the too big train");
        assertEquals(0, b.rxNoBuffer());
    }

    @ParameterizedTest(name = "gro {0}")
    @ValueSource(booleans = {false, true})
    void shouldReceiveSingleSmallAndLargeDatagramsInPlace(final boolean gro) throws Exception
    {
        final PacketPool pool = rxPool(512);
        final UdpUnderlayPort b = open("127.0.1.5", gro, pool);
        final BlockingQueue<byte[]> atB = collect(b, pool);
        final int[] sizes = {1, 20, 64, 1400, SLOT_PAYLOAD - 1, SLOT_PAYLOAD, 512, 2};
        final List<byte[]> sent = new ArrayList<>();
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.1.6", 0)))
        {
            for (final int size : sizes)
            {
                final byte[] datagram = expected(sequence++, size);
                socket.send(new DatagramPacket(datagram, size, b.localAddress()));
                sent.add(datagram);
            }
            // one byte more than a slot holds: counted, dropped, and nothing else disturbed
            socket.send(new DatagramPacket(new byte[SLOT_PAYLOAD + 1], SLOT_PAYLOAD + 1, b.localAddress()));
            final byte[] after = expected(sequence++, 100);
            socket.send(new DatagramPacket(after, after.length, b.localAddress()));
            sent.add(after);
        }
        assertArrive(atB, sent, "single datagrams");
        await(() -> b.rxTooBig() == 1, "the datagram longer than a slot counted as too big");
        await(() -> b.rxPackets() == sent.size(), "every datagram counted");
        assertEquals(0, b.rxCopied(), "every single datagram lay alone in a whole-slot iovec");
        assertEquals(0, b.rxNoBuffer());
    }

    @Test
    void shouldCopyTheDatagramsOfATrainBeyondThePostedSlotsOutOfTheSpill() throws Exception
    {
        // 64 slots: a ring of a quarter of them, one message of 16 slots
        final PacketPool pool = rxPool(64);
        final UdpUnderlayPort a = open("127.0.1.7", false, txPool);
        final UdpUnderlayPort b = open("127.0.1.8", true, pool);
        final BlockingQueue<byte[]> atB = collect(b, pool);
        assertArrive(atB, sendTrain(a, b, 1000, train(2, 1000, 1000)), "prediction set");
        await(() -> b.rxPackets() == 2, "counted");
        assertEquals(2, b.rxCopied());
        assertArrive(atB, sendTrain(a, b, 1000, train(40, 1000, 10)), "a train longer than the ring");
        await(() -> b.rxPackets() == 42, "counted");
        assertEquals(2 + 40 - 16, b.rxCopied(), "16 in place, the rest out of the spill");
        assertEquals(0, b.rxNoBuffer());
    }

    @Test
    void shouldPostFewerSlotsAndCountNoBufferWhenThePoolRunsDryThenRecover() throws Exception
    {
        final PacketPool pool = rxPool(8);
        final UdpUnderlayPort b = open("127.0.1.9", true, pool);
        final List<Integer> held = java.util.Collections.synchronizedList(new ArrayList<>());
        final AtomicLong delivered = new AtomicLong();
        final BlockingQueue<byte[]> released = new LinkedBlockingQueue<>();
        final java.util.concurrent.atomic.AtomicBoolean hold = new java.util.concurrent.atomic.AtomicBoolean(true);
        b.start(packet ->
        {
            delivered.incrementAndGet();
            if (hold.get())
            {
                held.add(packet.bufferId());
            }
            else
            {
                final byte[] payload = new byte[packet.length() - UdpUnderlayPort.RX_HEADERS];
                pool.buffer().getBytes(packet.offset() + UdpUnderlayPort.RX_HEADERS, payload);
                released.add(payload);
                pool.release(packet.bufferId());
            }
            return true;
        });
        final int sent = 20;
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.1.10", 0)))
        {
            for (int i = 0; i < sent; i++)
            {
                final byte[] datagram = expected(i, 200);
                socket.send(new DatagramPacket(datagram, datagram.length, b.localAddress()));
            }
            await(() -> delivered.get() + b.rxNoBuffer() == sent, "every datagram delivered or counted");
            assertEquals(8, held.size(), "the sink holds the whole pool");
            assertEquals(8, pool.inFlight());
            assertEquals(sent - 8, b.rxNoBuffer(), "the rest dropped for want of a slot");

            // the sink lets go: the ring fills again and datagrams flow
            hold.set(false);
            synchronized (held)
            {
                held.forEach(pool::release);
                held.clear();
            }
            final List<byte[]> more = new ArrayList<>();
            for (int i = 0; i < 30; i++)
            {
                final byte[] datagram = expected(100 + i, 50 + i);
                socket.send(new DatagramPacket(datagram, datagram.length, b.localAddress()));
                more.add(datagram);
            }
            assertArrive(released, more, "after the pool came back");
        }
        assertEquals(sent - 8, b.rxNoBuffer(), "no more drops once the pool came back");
    }

    @Test
    void shouldNotAllocateOnTheReceiveThreadPerDatagram() throws Exception
    {
        final PacketPool pool = rxPool(1024);
        final UdpUnderlayPort a = open("127.0.1.11", false, txPool);
        final UdpUnderlayPort b = open("127.0.1.12", true, pool);
        final AtomicLong received = new AtomicLong();
        final AtomicLong wrong = new AtomicLong();
        b.start(new PacketSink()
        {
            @Override
            public boolean accept(final PacketDescriptor packet)
            {
                // the first payload byte is pattern(seq, 0); only checks that do not allocate
                if (packet.length() <= UdpUnderlayPort.RX_HEADERS)
                {
                    wrong.incrementAndGet();
                }
                received.incrementAndGet();
                pool.release(packet.bufferId());
                return true;
            }
        });
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        threads.setThreadAllocatedMemoryEnabled(true);
        final Thread rx = Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().equals("udp-rx-" + b.name())).findFirst().orElseThrow();

        // both paths: trains of the predicted size (in place) and trains that miss it (gathered). The claim is about
        // compiled code: until C2 has compiled the receive loop, the downcalls' arguments are boxed (about 40 bytes
        // per recvmmsg call); so measure windows of 1000 rounds until one allocates nothing (or give up)
        long done = send(a, b, ROUNDS, received, 0);
        long allocated = Long.MAX_VALUE;
        long calls = 0;
        for (int attempt = 0; attempt < 20 && allocated >= WINDOW_SLACK; attempt++)
        {
            final long before = threads.getThreadAllocatedBytes(rx.threadId());
            final long callsBefore = b.rxCalls();
            done = send(a, b, ROUNDS, received, done);
            calls = b.rxCalls() - callsBefore;
            allocated = threads.getThreadAllocatedBytes(rx.threadId()) - before;
        }
        assertEquals(0, wrong.get());
        assertTrue(b.rxCopied() > 0, "the gathering path ran too");
        // one object per datagram would be >= 16 bytes each, 10 000 of them per window
        assertTrue(allocated < WINDOW_SLACK, "receive thread allocated " + allocated + " bytes in " + calls +
            " calls of a warm window");
    }

    /**
     * Rounds of three trains: two of 1000-byte datagrams (in place after the first) and one of 600 (gathered); each
     * round waits for the receiver, so the socket buffer never overflows.
     *
     * @return datagrams received in all, {@code received} included.
     */
    private long send(final UdpUnderlayPort a, final UdpUnderlayPort b, final int rounds, final AtomicLong received,
        final long already)
    {
        long datagrams = already;
        for (int r = 0; r < rounds; r++)
        {
            sendTrain(a, b, 1000, train(20, 1000, 1000));
            sendTrain(a, b, 1000, train(20, 1000, 500));
            sendTrain(a, b, 600, train(10, 600, 600));
            datagrams += 50;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (received.get() != datagrams)
            {
                assertTrue(System.nanoTime() < deadline, "round " + r + " received");
                Thread.yield();
            }
        }
        return datagrams;
    }
}
