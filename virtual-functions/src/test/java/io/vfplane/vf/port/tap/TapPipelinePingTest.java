package io.vfplane.vf.port.tap;

import java.nio.ByteOrder;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.checksum.Checksums;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.pipeline.PacketBatch;
import io.vfplane.pipeline.Pipeline;
import io.vfplane.pipeline.Stage;
import io.vfplane.vf.Macs;
import io.vfplane.vf.VfDropReason;
import io.vfplane.vf.VfEgressStage;
import io.vfplane.vf.VfTable;
import io.vfplane.vf.port.PortOutput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A namespace plays the guest of VF 0 and pings an address our pipeline answers:
 * <pre>
 *  namespace (ping 10.77.1.2) -> TAP -> rx thread -> Pipeline.offer
 *      -> vf_egress (spoof check of VF 0) -> responder (ARP reply, ICMP echo reply) -> tx -> TAP -> namespace
 * </pre>
 */
class TapPipelinePingTest
{
    static final long NS_MAC = Macs.parse("02:00:00:bb:00:01");
    static final long OUR_MAC = Macs.parse("02:00:00:bb:00:02");
    static final int OUR_IP = Macs.parseIpv4("10.77.1.2");

    private final String suffix = Long.toString(ProcessHandle.current().pid() % 100_000);
    private final String ns = "vfplane-ping-" + suffix;
    private final String tapName = "vfp" + suffix;
    private Counters counters;
    private PacketPool pool;
    private TapPort port;
    private Pipeline pipeline;
    private VfTable table;

    /** Answers ARP requests and ICMP echo requests for {@link #OUR_IP} in place, back out of port 0. */
    static final class Responder implements Stage
    {
        private UnsafeBuffer buffer;

        @Override
        public String name()
        {
            return "responder";
        }

        @Override
        public void onStart(final io.vfplane.pipeline.StageContext context)
        {
            buffer = context.pool().buffer();
        }

        @Override
        public void onBatch(final PacketBatch batch)
        {
            for (int i = 0; i < batch.size(); i++)
            {
                final PacketDescriptor p = batch.get(i);
                if (p.action() != PacketDescriptor.ACTION_CONTINUE)
                {
                    continue;
                }
                final int o = p.offset();
                final int type = buffer.getShort(o + 12, ByteOrder.BIG_ENDIAN) & 0xFFFF;
                final long peer = (buffer.getInt(o + 6, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL) << 16 |
                    (buffer.getShort(o + 10, ByteOrder.BIG_ENDIAN) & 0xFFFF);
                if (type == 0x0806 && buffer.getShort(o + 20, ByteOrder.BIG_ENDIAN) == 1 &&
                    buffer.getInt(o + 38, ByteOrder.BIG_ENDIAN) == OUR_IP)
                {
                    final int senderIp = buffer.getInt(o + 28, ByteOrder.BIG_ENDIAN);
                    putMac(o, peer);
                    putMac(o + 6, OUR_MAC);
                    buffer.putShort(o + 20, (short)2, ByteOrder.BIG_ENDIAN);
                    putMac(o + 32, peer);
                    buffer.putInt(o + 38, senderIp, ByteOrder.BIG_ENDIAN);
                    putMac(o + 22, OUR_MAC);
                    buffer.putInt(o + 28, OUR_IP, ByteOrder.BIG_ENDIAN);
                    p.outPort(0);
                }
                else if (type == 0x0800 && buffer.getByte(o + 23) == 1 && buffer.getByte(o + 34) == 8 &&
                    buffer.getInt(o + 30, ByteOrder.BIG_ENDIAN) == OUR_IP)
                {
                    final int source = buffer.getInt(o + 26, ByteOrder.BIG_ENDIAN);
                    putMac(o, peer);
                    putMac(o + 6, OUR_MAC);
                    buffer.putInt(o + 26, OUR_IP, ByteOrder.BIG_ENDIAN);
                    buffer.putInt(o + 30, source, ByteOrder.BIG_ENDIAN);
                    buffer.putByte(o + 34, (byte)0);
                    final int checksum = buffer.getShort(o + 36, ByteOrder.BIG_ENDIAN) & 0xFFFF;
                    buffer.putShort(o + 36, (short)Checksums.update16(checksum, 0x0800, 0x0000), ByteOrder.BIG_ENDIAN);
                    p.outPort(0);
                }
                else
                {
                    p.action(PacketDescriptor.ACTION_DROP);
                }
            }
        }

        private void putMac(final int offset, final long mac)
        {
            buffer.putInt(offset, (int)(mac >>> 16), ByteOrder.BIG_ENDIAN);
            buffer.putShort(offset + 4, (short)mac, ByteOrder.BIG_ENDIAN);
        }
    }

    @BeforeEach
    void setUp()
    {
        counters = Counters.inMemory(2048);
        pool = new PacketPool("ping-test", 256, 256, 2048, counters);
        table = new VfTable(1, counters);
        table.apply(0, List.of("mac", Macs.format(NS_MAC), "ip", "10.77.1.1"));
        NetNs.delete(ns);
        NetNs.create(ns);
        NetNs.runIn(ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
        NetNs.runIn(ns, "sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1");
        port = new TapPort(TapConfig.simple(tapName, 0, 0), pool, counters);
        NetNs.moveInto(port.name(), ns, Macs.format(NS_MAC), "10.77.1.1/24");
        pipeline = Pipeline.builder("ping")
            .pool(pool)
            .counters(counters)
            .ringSize(256)
            .stage(new VfEgressStage(table))
            .stage(new Responder())
            .tx(new PortOutput(port))
            .build()
            .start();
        port.start(pipeline::offer);
    }

    @AfterEach
    void tearDown()
    {
        try
        {
            pipeline.close(); // drain first: the tx stage must not write to the TAP after its fds are closed
            port.close();
        }
        finally
        {
            NetNs.delete(ns);
            table.close();
            assertEquals(0, pool.inFlight(), "every buffer returned");
            pool.close();
            counters.close();
        }
    }

    @Test
    void shouldAnswerPingFromNamespaceThroughThePipeline()
    {
        final String out = NetNs.runIn(ns, "ping", "-c", "3", "-i", "0.2", "-W", "2", "10.77.1.2");
        assertTrue(out.contains("3 received"), out);
        assertTrue(table.counters(0).txPackets() >= 4, "ARP + 3 echo requests counted as VF 0 tx");
        assertEquals(0, table.counters(0).txDrops(VfDropReason.SPOOFED_SOURCE_IP));
    }

    @Test
    void shouldDropPingFromAddressNotConfiguredForTheVf()
    {
        NetNs.run("ip", "-n", ns, "addr", "add", "10.77.1.9/24", "dev", port.name());
        assertThrows(IllegalStateException.class,
            () -> NetNs.runIn(ns, "ping", "-c", "1", "-W", "1", "-I", "10.77.1.9", "10.77.1.2"));
        assertTrue(table.counters(0).txDrops(VfDropReason.SPOOFED_SOURCE_IP) >= 1,
            "spoof check dropped and counted the foreign source");
    }
}
