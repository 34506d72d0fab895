package io.vfplane.vf.port.tap;

import java.nio.ByteOrder;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.Offload;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.vf.Macs;
import io.vfplane.vf.TestFrames;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TAP backend against the real kernel: a namespace we create plays the guest, the TAP is moved into it, and the
 * kernel's own IP and TCP stacks answer what we write.
 */
class TapPortTest
{
    static final long NS_MAC = Macs.parse("02:00:00:aa:00:01");
    static final long OUR_MAC = Macs.parse("02:00:00:aa:00:02");
    static final int NS_IP = Macs.parseIpv4("10.77.0.1");
    static final int OUR_IP = Macs.parseIpv4("10.77.0.2");

    private final String suffix = Long.toString(ProcessHandle.current().pid() % 100_000);
    private final String ns = "vfplane-tap-" + suffix;
    private final String tapName = "vft" + suffix;
    private Counters counters;
    private PacketPool pool;
    private TapPort port;

    @BeforeEach
    void setUp()
    {
        counters = Counters.inMemory(1024);
        pool = new PacketPool("tap-test", 64, 256, TapConfig.MAX_TSO_FRAME, counters);
        NetNs.delete(ns);
        NetNs.create(ns);
        NetNs.runIn(ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
        NetNs.runIn(ns, "sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1");
    }

    @AfterEach
    void tearDown()
    {
        if (port != null)
        {
            port.close();
        }
        NetNs.delete(ns);
        pool.close();
        counters.close();
    }

    private BlockingQueue<byte[]> openInNamespace(final TapConfig config)
    {
        port = new TapPort(config, pool, counters);
        NetNs.moveInto(port.name(), ns, Macs.format(NS_MAC), "10.77.0.1/24");
        NetNs.run("ip", "-n", ns, "neigh", "replace", "10.77.0.2", "lladdr", Macs.format(OUR_MAC), "dev", port.name());
        final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
        port.start(packet ->
        {
            final byte[] frame = new byte[packet.length()];
            pool.buffer().getBytes(packet.offset(), frame);
            received.add(frame);
            pool.release(packet.bufferId());
            return true;
        });
        return received;
    }

    private static byte[] awaitFrame(final BlockingQueue<byte[]> queue, final int ethertype, final int protocol)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline)
        {
            final byte[] frame = queue.poll(100, TimeUnit.MILLISECONDS);
            if (frame != null && frame.length >= 34 && (((frame[12] & 0xFF) << 8) | (frame[13] & 0xFF)) == ethertype &&
                (frame[23] & 0xFF) == protocol)
            {
                return frame;
            }
        }
        return null;
    }

    @Test
    void shouldDeliverKernelEchoReplyToFrameWrittenIntoTap() throws Exception
    {
        final BlockingQueue<byte[]> received = openInNamespace(TapConfig.simple(tapName, 0, 0));
        final PacketDescriptor packet = new PacketDescriptor();
        TestFrames.allocate(pool, packet, 0);
        final int length = TestFrames.icmpEcho(pool.buffer(), packet.offset(), NS_MAC, OUR_MAC, OUR_IP, NS_IP,
            0x4242, 7, 56);
        packet.length(length);
        assertTrue(port.send(packet, pool));
        port.flush();
        assertEquals(1, port.txPackets(), "written: errno " + port.lastTxErrno());

        final byte[] reply = awaitFrame(received, 0x0800, 1);
        assertNotNull(reply, "no ICMP frame came back from the namespace");
        final UnsafeBuffer r = new UnsafeBuffer(reply);
        assertEquals(NS_IP, r.getInt(26, ByteOrder.BIG_ENDIAN), "reply source");
        assertEquals(OUR_IP, r.getInt(30, ByteOrder.BIG_ENDIAN), "reply destination");
        assertEquals(0, r.getByte(34), "echo reply type");
        assertEquals(0x4242, r.getShort(38, ByteOrder.BIG_ENDIAN) & 0xFFFF, "echo id");
        assertEquals(7, r.getShort(40, ByteOrder.BIG_ENDIAN), "echo sequence");
        assertEquals(length, reply.length, "the reply carries our 56 payload bytes back");
        assertEquals(0, pool.inFlight(), "every buffer returned");
    }

    @Test
    void shouldHaveKernelAcceptTsoFrameWithVnetHeader() throws Exception
    {
        final BlockingQueue<byte[]> received = openInNamespace(TapConfig.simple(tapName, 0, 0));
        final PacketDescriptor packet = new PacketDescriptor();
        TestFrames.allocate(pool, packet, 0);
        final UnsafeBuffer b = pool.buffer();
        final int o = packet.offset();
        final int payload = 3000;
        final int gsoSize = 1000;
        final int tcpLength = 20 + payload;
        TestFrames.ethernet(b, o, NS_MAC, OUR_MAC, 0x0800);
        TestFrames.ipv4(b, o + 14, 6, OUR_IP, NS_IP, tcpLength);
        final int tcp = o + 34;
        final int seq = 0x10000000;
        b.putShort(tcp, (short)40000, ByteOrder.BIG_ENDIAN);
        b.putShort(tcp + 2, (short)9, ByteOrder.BIG_ENDIAN); // discard: nobody listens, the kernel answers RST
        b.putInt(tcp + 4, seq, ByteOrder.BIG_ENDIAN);
        b.putInt(tcp + 8, 0, ByteOrder.BIG_ENDIAN);
        b.putByte(tcp + 12, (byte)0x50);
        b.putByte(tcp + 13, (byte)0x08); // PSH only: without ACK the RST acknowledges seq + every byte accepted
        b.putShort(tcp + 14, (short)65535, ByteOrder.BIG_ENDIAN);
        b.putShort(tcp + 18, (short)0, ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < payload; i++)
        {
            b.putByte(tcp + 20 + i, (byte)i);
        }
        // a partial checksum as a guest with TX checksum offload leaves it: the pseudo-header sum, not complemented
        b.putShort(tcp + 16, (short)io.vfplane.dataplane.checksum.Checksums.reduce(
            io.vfplane.dataplane.checksum.Checksums.ipv4PseudoHeaderSum(b, o + 14, 6, tcpLength)), ByteOrder.BIG_ENDIAN);
        packet.length(34 + tcpLength);
        packet.offloadFlags(Offload.FLAG_NEEDS_CSUM).csumStart(34).csumOffset(16)
            .gsoType(Offload.GSO_TCPV4).gsoSize(gsoSize).headerLength(54);
        assertTrue(port.send(packet, pool));
        port.flush();
        assertEquals(0, port.txErrors(), "the kernel refused the TSO frame: errno " + port.lastTxErrno());

        final byte[] rst = awaitFrame(received, 0x0800, 6);
        assertNotNull(rst, "no TCP answer from the namespace");
        final UnsafeBuffer r = new UnsafeBuffer(rst);
        assertEquals(0x14, r.getByte(34 + 13) & 0xFF, "RST|ACK");
        assertEquals(seq + payload, r.getInt(34 + 8, ByteOrder.BIG_ENDIAN),
            "the RST acknowledges all 3000 bytes of the one 3-segment TSO frame");
    }

    @Test
    void shouldRefuseSecondOpenOfSameTapWithClearMessage()
    {
        port = new TapPort(TapConfig.simple(tapName, 0, 0), pool, counters);
        final IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> new TapPort(TapConfig.simple(tapName, 0, 1), pool, counters).close());
        assertTrue(e.getMessage().contains("already open") && e.getMessage().contains("EBUSY"), e.getMessage());
    }

    @Test
    void shouldOpenMultiQueueTapWithOneFdPerQueue() throws Exception
    {
        final BlockingQueue<byte[]> received = openInNamespace(new TapConfig(tapName, 2, VnetHeader.LENGTH, 0, 0, 0));
        assertEquals(2, port.device().queues());
        final String link = NetNs.run("ip", "-n", ns, "-d", "link", "show", tapName);
        assertTrue(link.contains("multi_queue"), link);
        // the kernel answers on some queue; the port reads both
        final PacketDescriptor packet = new PacketDescriptor();
        for (int seq = 0; seq < 4; seq++)
        {
            TestFrames.allocate(pool, packet, 0);
            packet.length(TestFrames.icmpEcho(pool.buffer(), packet.offset(), NS_MAC, OUR_MAC, OUR_IP, NS_IP, 1, seq,
                8)).flowHash(seq);
            assertTrue(port.send(packet, pool));
        }
        port.flush();
        for (int i = 0; i < 4; i++)
        {
            assertNotNull(awaitFrame(received, 0x0800, 1), "echo reply " + i);
        }
    }

    @Test
    void shouldRefuseTsoOffloadsWhenPoolSlotsAreTooSmall()
    {
        try (PacketPool small = new PacketPool("small", 4, 128, 2048, counters))
        {
            final TapConfig config = new TapConfig(tapName, 1, VnetHeader.LENGTH,
                TapDevice.TUN_F_CSUM | TapDevice.TUN_F_TSO4, 0, 0);
            final IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> new TapPort(config, small, counters));
            assertTrue(e.getMessage().contains("TSO offloads need pool slots"), e.getMessage());
        }
    }
}
