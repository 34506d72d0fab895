package io.vfplane.vf.port.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.vfplane.vf.port.tap.NetNs;

/**
 * AF_PACKET sending and TAP writing against the kernel: a veth pair and a TAP in a namespace of the test's own, the
 * kernel's receive counters as the witness.
 */
class PacketSocketTest
{
    private static final String NS = "vfpkt-" + ProcessHandle.current().pid();
    private static final int EMSGSIZE = 90;

    @BeforeAll
    static void createNamespace()
    {
        NetNs.create(NS);
        NetNs.runIn(NS, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
            "net.ipv6.conf.default.disable_ipv6=1");
        NetNs.run("ip", "-n", NS, "link", "add", "pa", "type", "veth", "peer", "name", "pb");
        NetNs.run("ip", "-n", NS, "link", "set", "pa", "up");
        NetNs.run("ip", "-n", NS, "link", "set", "pb", "up");
    }

    @AfterAll
    static void deleteNamespace()
    {
        NetNs.delete(NS);
    }

    private static long rxPackets(final String device)
    {
        return Long.parseLong(NetNs.runIn(NS, "cat", "/sys/class/net/" + device + "/statistics/rx_packets").strip());
    }

    /** A broadcast frame of {@code length} bytes with a local experimental EtherType. */
    private static MemorySegment frame(final Arena arena, final int length)
    {
        final MemorySegment frame = arena.allocate(length, 8);
        for (int i = 0; i < 6; i++)
        {
            frame.set(ValueLayout.JAVA_BYTE, i, (byte)0xff);
        }
        frame.set(ValueLayout.JAVA_BYTE, 6, (byte)0x02);
        frame.set(ValueLayout.JAVA_BYTE, 12, (byte)0x88);
        frame.set(ValueLayout.JAVA_BYTE, 13, (byte)0xb5);
        return frame;
    }

    @Test
    void shouldSendABatchWithOneSendmmsgAndReportEachFrame()
    {
        try (Arena arena = Arena.ofConfined();
            PacketSocket socket = NetNamespace.call(NS, () -> PacketSocket.open("pa", false, 1 << 20));
            TxBatch batch = new TxBatch(8))
        {
            final long before = rxPackets("pb");
            batch.add(frame(arena, 60).address(), 60);
            batch.add(frame(arena, 1514).address(), 1514);
            batch.add(frame(arena, 4000).address(), 4000); // over the 1500 MTU: refused, the rest still go
            batch.add(frame(arena, 100).address(), 100);
            socket.transmit(batch);

            assertEquals(60, batch.result(0));
            assertEquals(1514, batch.result(1));
            assertEquals(-EMSGSIZE, batch.result(2));
            assertEquals(100, batch.result(3));
            assertEquals(before + 3, rxPackets("pb"));
            assertTrue(socket.ifIndex() > 0);
            assertEquals("interface pa", socket.describe());
        }
    }

    @Test
    void shouldBypassTheQdiscWhenAsked()
    {
        try (Arena arena = Arena.ofConfined();
            PacketSocket socket = NetNamespace.call(NS, () -> PacketSocket.open("pa", true, 0));
            TxBatch batch = new TxBatch(1))
        {
            final long before = rxPackets("pb");
            batch.add(frame(arena, 64).address(), 64);
            socket.transmit(batch);
            assertEquals(64, batch.result(0));
            assertEquals(before + 1, rxPackets("pb"));
        }
    }

    @Test
    void shouldWriteFramesIntoATapAsReceivedOnIt()
    {
        try (Arena arena = Arena.ofConfined();
            TapWriter tap = NetNamespace.call(NS, () -> TapWriter.open("ptap0"));
            TxBatch batch = new TxBatch(4))
        {
            assertEquals("ptap0", tap.name());
            final long before = rxPackets("ptap0");
            batch.add(frame(arena, 60).address(), 60);
            batch.add(frame(arena, 200).address(), 200);
            tap.transmit(batch);
            assertEquals(60, batch.result(0));
            assertEquals(200, batch.result(1));
            assertEquals(before + 2, rxPackets("ptap0"));
        }
    }

    @Test
    void shouldNameTheMissingInterface()
    {
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> NetNamespace.call(NS, () -> PacketSocket.open("nosuch0", false, 0)));
        assertTrue(ex.getMessage().startsWith("interface nosuch0: no such interface"), ex.getMessage());
    }

    @Test
    void shouldNameTheMissingNamespace()
    {
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> NetNamespace.call("vfpkt-no-such-ns", () -> PacketSocket.open("pa", false, 0)));
        assertTrue(ex.getMessage().startsWith("netns vfpkt-no-such-ns: cannot open it"), ex.getMessage());
    }

    @Test
    void shouldRefuseABatchCapacityTheKernelWouldNotTake()
    {
        assertThrows(IllegalArgumentException.class, () -> new TxBatch(1025));
    }
}
