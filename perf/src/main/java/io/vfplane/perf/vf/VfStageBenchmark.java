package io.vfplane.perf.vf;

import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.checksum.Checksums;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.perf.BenchmarkDefaults;
import io.vfplane.pipeline.BackpressurePolicy;
import io.vfplane.pipeline.Output;
import io.vfplane.pipeline.Pipeline;
import io.vfplane.pipeline.Placement;
import io.vfplane.pipeline.idle.IdleStrategyConfig;
import io.vfplane.vf.VfConfig;
import io.vfplane.vf.VfEgressStage;
import io.vfplane.vf.VfIngressStage;
import io.vfplane.vf.VfTable;

/**
 * The VF stages in a fused pipeline: egress (link state, spoof check of source MAC and IPv4, token bucket, 802.1Q
 * insert) then ingress (VLAN check and strip, destination MAC, guest port), as a frame a VF sends to itself
 * crosses them. Compare with {@code PipelineBenchmark} (the same engine with no-op stages) for the stages' own cost.
 *
 * <pre>
 *  producer (JMH thread) -> ring -> [ vf_egress -> vf_ingress ] -> tx (counts)
 * </pre>
 *
 * Every offered descriptor points at a 64-byte UDP/IPv4 frame in its own pool slot; the slots are reused in turn and
 * there are more of them than the ring holds, so a slot is never in flight twice (the stages edit the frame: the
 * tag goes in on egress and comes out on ingress, which leaves it as it was). {@code spoofchk=off, vlan=0} measures
 * the stages with nothing to check; {@code spoofchk=on, vlan=100} does all of it. The tx output checks that every
 * packet arrived untagged at the guest port, so a stage that dropped or mangled them would show as a failure, not as
 * speed.
 *
 * <pre>
 * ./vfplane bench VfStageBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class VfStageBenchmark extends BenchmarkDefaults
{
    static final int BURST = 1 << 16;
    static final int RING = 1 << 12;
    static final int SLOTS = RING * 2;
    static final int FRAME = 64;
    static final long MAC = 0x0200_0000_0101L;
    static final int ADDRESS = 0x0A00_0001;

    @Param({"full", "bare"})
    public String checks;

    private Counters counters;
    private PacketPool pool;
    private VfTable table;
    private Pipeline pipeline;
    private final Sink sink = new Sink();
    private final PacketDescriptor descriptor = new PacketDescriptor();
    private final int[] ids = new int[SLOTS];
    private final int[] offsets = new int[SLOTS];
    private int next;

    /** Counts what reaches the guest port and checks that it is the frame that went in. */
    static final class Sink implements Output
    {
        volatile long delivered;
        long bad;

        @Override
        public boolean offer(final PacketDescriptor packet, final PacketPool pool)
        {
            if (packet.length() != FRAME ||
                pool.buffer().getShort(packet.offset() + 12, ByteOrder.BIG_ENDIAN) != 0x0800)
            {
                bad++;
            }
            delivered++;
            return true;
        }

        @Override
        public void flush()
        {
        }
    }

    @Setup(Level.Trial)
    public void setUp()
    {
        counters = Counters.inMemory(4096);
        pool = new PacketPool("bench", SLOTS, PacketPool.MIN_HEADROOM, 256, counters);
        table = new VfTable(1, counters);
        final boolean full = "full".equals(checks);
        table.set(VfConfig.defaults(0).mac(MAC).spoofCheck(full).vlan(full ? 100 : 0, 0, VfConfig.PROTO_8021Q)
            .ipv4Addresses(ADDRESS));
        table.guestPort(0, 0);
        final UnsafeBuffer buffer = pool.buffer();
        for (int i = 0; i < SLOTS; i++)
        {
            ids[i] = pool.allocate();
            offsets[i] = pool.dataOffset(ids[i]);
            writeFrame(buffer, offsets[i], i);
        }
        pipeline = Pipeline.builder("vfbench")
            .pool(pool)
            .counters(counters)
            .ringSize(RING)
            .maxBatch(256)
            .placement(Placement.parse("fused"))
            .idle(IdleStrategyConfig.Kind.parse("BUSY_SPIN"))
            .backpressure(BackpressurePolicy.BLOCK)
            .stages(List.of(new VfEgressStage(table), new VfIngressStage(table)))
            .tx(sink)
            .build()
            .start();
    }

    /** Ethernet (VF MAC to itself) + IPv4 from the VF's address + UDP, 64 bytes, checksums right. */
    private static void writeFrame(final UnsafeBuffer b, final int o, final int flow)
    {
        b.putInt(o, (int)(MAC >>> 16), ByteOrder.BIG_ENDIAN);
        b.putShort(o + 4, (short)MAC, ByteOrder.BIG_ENDIAN);
        b.putInt(o + 6, (int)(MAC >>> 16), ByteOrder.BIG_ENDIAN);
        b.putShort(o + 10, (short)MAC, ByteOrder.BIG_ENDIAN);
        b.putShort(o + 12, (short)0x0800, ByteOrder.BIG_ENDIAN);
        final int ip = o + 14;
        b.setMemory(ip, FRAME - 14, (byte)0);
        b.putByte(ip, (byte)0x45);
        b.putShort(ip + 2, (short)(FRAME - 14), ByteOrder.BIG_ENDIAN);
        b.putByte(ip + 8, (byte)64);
        b.putByte(ip + 9, (byte)17);
        b.putInt(ip + 12, ADDRESS, ByteOrder.BIG_ENDIAN);
        b.putInt(ip + 16, 0x0A00_0002, ByteOrder.BIG_ENDIAN);
        Checksums.writeIpv4HeaderChecksum(b, ip);
        b.putShort(ip + 20, (short)(10_000 + (flow & 0xFFF)), ByteOrder.BIG_ENDIAN);
        b.putShort(ip + 22, (short)4789, ByteOrder.BIG_ENDIAN);
        b.putShort(ip + 24, (short)(FRAME - 34), ByteOrder.BIG_ENDIAN);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        pipeline.close();
        if (sink.bad != 0)
        {
            throw new IllegalStateException(sink.bad + " frames reached the guest port changed");
        }
        for (final int id : ids)
        {
            pool.release(id);
        }
        table.close();
        pool.close();
        counters.close();
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public long packets()
    {
        final PacketDescriptor d = descriptor;
        final long expected = sink.delivered + BURST;
        int slot = next;
        for (int i = 0; i < BURST; i++)
        {
            d.resetMetadata();
            d.bind(ids[slot], offsets[slot], FRAME);
            d.vf(0);
            d.flowHash(slot);
            pipeline.offer(d);
            slot = slot + 1 == SLOTS ? 0 : slot + 1;
        }
        next = slot;
        final long head = pipeline.head();
        while (pipeline.processed() < head)
        {
            Thread.onSpinWait();
        }
        if (sink.delivered != expected)
        {
            // every packet went through and some did not reach the guest port: a stage dropped them
            throw new IllegalStateException((expected - sink.delivered) + " packets dropped by the VF stages");
        }
        return expected;
    }
}
