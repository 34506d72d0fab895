package io.vfplane.overlay.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.agrona.concurrent.UnsafeBuffer;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.encap.rules.RuleTables;
import io.vfplane.encap.stage.DecapStage;
import io.vfplane.encap.stage.EncapStage;
import io.vfplane.overlay.config.HostConfig;
import io.vfplane.overlay.config.HostConfigFile;
import io.vfplane.overlay.config.RuleCompiler;
import io.vfplane.pipeline.BackpressurePolicy;
import io.vfplane.pipeline.Output;
import io.vfplane.pipeline.Pipeline;
import io.vfplane.vf.VfConfig;
import io.vfplane.vf.VfEgressStage;
import io.vfplane.vf.VfIngressStage;
import io.vfplane.vf.VfTable;

/**
 * {@code vfplane demo}. As root: two hosts as network namespaces joined by a veth underlay, a daemon per host with a
 * guest namespace on its VF, ping and a short iperf3 TCP test across the overlay, the counters and the throughput,
 * and everything removed again (also on Ctrl-C). Without root: says what it needs and runs the same two hosts'
 * pipelines in-process over generated frames instead.
 */
public final class DemoRunner
{
    private static final String PREFIX = "vfpdemo";

    private final PrintStream out;

    public DemoRunner(final PrintStream out)
    {
        this.out = out;
    }

    /**
     * @param inProcessOnly run the in-process version even as root.
     * @return the exit code.
     */
    public int run(final boolean inProcessOnly) throws Exception
    {
        if (inProcessOnly)
        {
            return inProcess();
        }
        if (!isRoot())
        {
            out.println("vfplane demo: the overlay demo creates network namespaces, veth pairs and TAP devices,");
            out.println("which needs root (CAP_NET_ADMIN) and the iproute2, iperf3 and ethtool tools.");
            out.println("Running the two hosts' pipelines in-process over generated frames instead.");
            out.println();
            return inProcess();
        }
        return namespaces();
    }

    private static boolean isRoot()
    {
        try
        {
            final String status = Files.readString(Path.of("/proc/self/status"));
            return status.lines().anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[2].equals("0"));
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private int namespaces() throws Exception
    {
        final Path work = Files.createTempDirectory("vfplane-demo");
        out.println("vfplane demo: two hosts (network namespaces " + PREFIX + "-h1, " + PREFIX + "-h2) joined by a " +
            "veth underlay 10.99.0.0/24,");
        out.println("one vfplane daemon per host, one guest namespace per host on VF 0 (a TAP), VXLAN VNI " +
            Topology.VNI + " between them.");
        final Topology topology = Topology.create(PREFIX, work);
        final Thread cleanup = new Thread(() ->
        {
            topology.close();
            deleteQuietly(work);
        }, "vfplane-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try
        {
            for (int h = 1; h <= 2; h++)
            {
                final Process p = topology.startDaemon(h, topology.writeConfig(h, null));
                if (!p.isAlive())
                {
                    out.println("daemon " + h + " did not start:\n" + topology.log(h));
                    return 1;
                }
                out.println("  host " + h + ": daemon up, guest " + Topology.guestIp(h) + " (" +
                    Topology.guestMac(h) + ") in " + topology.guestNs(h));
            }
            out.println();
            out.println("$ ip netns exec " + topology.guestNs(1) + " ping -c 3 " + Topology.guestIp(2));
            final Topology.Result ping = Topology.inNs(topology.guestNs(1), 20, "ping", "-c", "3", "-i", "0.3",
                Topology.guestIp(2));
            ping.output().lines().filter(l -> l.contains("packets transmitted") || l.startsWith("rtt"))
                .forEach(l -> out.println("  " + l));
            if (!ping.ok())
            {
                out.println("ping failed:\n" + ping.output() + topology.log(1) + topology.log(2));
                return 1;
            }
            out.println();
            out.println("$ iperf3 -c " + Topology.guestIp(2) + " -t 3   (TCP, guest 1 -> guest 2)");
            Topology.inNs(topology.guestNs(2), 5, "iperf3", "-s", "-D", "-1", "-p", "5299");
            Thread.sleep(300);
            final Topology.Result tcp = Topology.inNs(topology.guestNs(1), 30, "iperf3", "-c", Topology.guestIp(2),
                "-p", "5299", "-t", "3", "-J");
            if (tcp.ok())
            {
                out.printf(Locale.ROOT, "  throughput %.2f Gbit/s received, %d retransmits%n",
                    number(tcp.output(), "sum_received", "bits_per_second") / 1e9,
                    (long)number(tcp.output(), "sum_sent", "retransmits"));
            }
            else
            {
                out.println("  iperf3 failed: " + tcp.output().lines().limit(5).toList());
            }
            out.println();
            for (int h = 1; h <= 2; h++)
            {
                out.printf(Locale.ROOT, "host %d counters: vf0 tx %d rx %d packets | encapsulated %d decapsulated %d " +
                    "| underlay tx %d rx %d | drops: spoof %d, no rule %d%n", h,
                    topology.counter(h, "vf.0.tx_packets"), topology.counter(h, "vf.0.rx_packets"),
                    topology.counter(h, "stage.encap.encapsulated"), topology.counter(h, "stage.decap.decapsulated"),
                    topology.counter(h, "port.udp-", ".tx_packets"), topology.counter(h, "port.udp-", ".rx_packets"),
                    topology.counter(h, "tx_drop.spoofed_source_mac") +
                        topology.counter(h, "tx_drop.spoofed_source_ip"),
                    topology.counter(h, "drop.no_rule"));
            }
            out.println("(live: ip netns exec " + PREFIX + "-h1 vfplane show vfs|rules|ports|pipeline --instance " +
                PREFIX + "-h1)");
        }
        finally
        {
            topology.close();
            deleteQuietly(work);
            try
            {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            }
            catch (final IllegalStateException ignored)
            {
                // already shutting down: the hook runs and finds everything closed
            }
            out.println();
            out.println("removed: daemons stopped, namespaces " + String.join(", ", topology.namespaces()) +
                " deleted");
        }
        return 0;
    }

    /** The pipelines of both hosts in this JVM over generated frames; no privileges needed. */
    public int inProcess() throws Exception
    {
        final HostConfig h1 = HostConfigFile.parse("host1.yaml", new StringReader(plain(1)));
        final HostConfig h2 = HostConfigFile.parse("host2.yaml", new StringReader(plain(2)));
        final Counters counters = Counters.inMemory(1024);
        final PacketPool pool = new PacketPool("demo", 4096, PacketPool.MIN_HEADROOM, 2048, counters);
        final VfTable vfs1 = vfTable(h1, counters);
        final VfTable vfs2 = vfTable(h2, counters);
        vfs2.guestPort(0, 1);
        final List<byte[]> wire = new ArrayList<>();
        final long[] delivered = {0};
        final Output toWire = new Output()
        {
            @Override
            public boolean offer(final PacketDescriptor p, final PacketPool from)
            {
                final byte[] frame = new byte[p.length()];
                from.buffer().getBytes(p.offset(), frame);
                wire.add(frame);
                from.release(p.bufferId());
                return true;
            }

            @Override
            public void flush()
            {
            }
        };
        final Output toGuest = new Output()
        {
            @Override
            public boolean offer(final PacketDescriptor p, final PacketPool from)
            {
                delivered[0]++;
                from.release(p.bufferId());
                return true;
            }

            @Override
            public void flush()
            {
            }
        };
        final int good = 20_000;
        final int spoofed = 100;
        final int unknown = 100;
        final long start = System.nanoTime();
        try (Pipeline g2u = Pipeline.builder("h1-g2u").pool(pool).counters(counters)
            .backpressure(BackpressurePolicy.BLOCK)
            .stage(new VfEgressStage(vfs1)).stage(new EncapStage(new RuleTables(RuleCompiler.compile(h1,
                h1.peers())), 0, -1)).tx(toWire).build().start())
        {
            final PacketDescriptor d = new PacketDescriptor();
            for (int i = 0; i < good + spoofed + unknown; i++)
            {
                final long srcMac = i >= good && i < good + spoofed ? 0x02_00_00_66_66_66L : h1.vf(0).mac();
                final long dstMac = i >= good + spoofed ? 0x02_00_00_99_99_99L : h2.vf(0).mac();
                offer(g2u, pool, d, frame(srcMac, dstMac, i), 0, 1);
            }
        }
        try (Pipeline u2g = Pipeline.builder("h2-u2g").pool(pool).counters(counters)
            .backpressure(BackpressurePolicy.BLOCK)
            .stage(new DecapStage(new RuleTables(RuleCompiler.compile(h2, h2.peers())), -1))
            .stage(new VfIngressStage(vfs2)).tx(null, toGuest).build().start())
        {
            final PacketDescriptor d = new PacketDescriptor();
            for (final byte[] frame : wire)
            {
                offer(u2g, pool, d, frame, -1, 0);
            }
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        out.printf(Locale.ROOT, "guest 1 sent %d frames: %d to guest 2, %d with a foreign source MAC, %d to an " +
            "unknown MAC%n", good + spoofed + unknown, good, spoofed, unknown);
        out.printf(Locale.ROOT, "host 1: vf_egress spoof drops %d, encap no-rule drops %d, %d VXLAN frames on the " +
            "wire%n", counters.valueOf("vf.0.tx_drop.spoofed_source_mac", 0),
            counters.valueOf("pipeline.h1-g2u.stage.encap.drop.no_rule", 0), wire.size());
        out.printf(Locale.ROOT, "host 2: decapsulated %d, delivered to guest 2: %d%n",
            counters.valueOf("pipeline.h2-u2g.stage.decap.decapsulated", 0), delivered[0]);
        out.printf(Locale.ROOT, "%.0f frames/s through both hosts' pipelines (one JVM, %.3f s)%n",
            (good + spoofed + unknown) / seconds, seconds);
        return delivered[0] == good ? 0 : 1;
    }

    private static void offer(
        final Pipeline pipeline, final PacketPool pool, final PacketDescriptor d, final byte[] frame, final int vf,
        final int inPort)
    {
        int id;
        while ((id = pool.allocate()) == PacketPool.NO_BUFFER)
        {
            Thread.onSpinWait();
        }
        final int offset = pool.dataOffset(id);
        pool.buffer().putBytes(offset, frame);
        d.resetMetadata().bind(id, offset, frame.length).inPort(inPort).vf(vf);
        pipeline.offer(d);
    }

    private static VfTable vfTable(final HostConfig host, final Counters counters)
    {
        final VfTable table = new VfTable(1, counters);
        final HostConfig.Vf vf = host.vf(0);
        final byte[] ip = vf.ips().get(0).getAddress();
        table.set(VfConfig.defaults(0).mac(vf.mac()).ipv4Addresses(
            (ip[0] & 0xFF) << 24 | (ip[1] & 0xFF) << 16 | (ip[2] & 0xFF) << 8 | (ip[3] & 0xFF)));
        return table;
    }

    private static String plain(final int h)
    {
        final int o = 3 - h;
        return "pf: pf" + h + "\nunderlay: {bind: " + Topology.underlayIp(h) + "}\nvfs:\n" +
            "  - {index: 0, tap: t" + h + ", mac: " + Topology.guestMac(h) + ", vni: " + Topology.VNI + ", ips: [" +
            Topology.guestIp(h) + "]}\npeers:\n  - endpoint: " + Topology.underlayIp(o) + "\n    hosts:\n" +
            "      - {vni: " + Topology.VNI + ", mac: " + Topology.guestMac(o) + ", ip: " + Topology.guestIp(o) +
            "}\n";
    }

    /** A 64-byte Ethernet / IPv4 / UDP frame from guest 1's address to guest 2's. */
    static byte[] frame(final long srcMac, final long dstMac, final int sequence)
    {
        final byte[] bytes = new byte[64];
        final UnsafeBuffer b = new UnsafeBuffer(bytes);
        final ByteOrder be = ByteOrder.BIG_ENDIAN;
        b.putShort(0, (short)(dstMac >>> 32), be);
        b.putInt(2, (int)dstMac, be);
        b.putShort(6, (short)(srcMac >>> 32), be);
        b.putInt(8, (int)srcMac, be);
        b.putShort(12, (short)0x0800, be);
        b.putByte(14, (byte)0x45);
        b.putShort(16, (short)50, be);
        b.putShort(18, (short)sequence, be);
        b.putByte(22, (byte)64);
        b.putByte(23, (byte)17);
        b.putInt(26, 0xC0A84D01, be); // 192.168.77.1
        b.putInt(30, 0xC0A84D02, be); // 192.168.77.2
        int sum = 0;
        for (int i = 14; i < 34; i += 2)
        {
            sum += b.getShort(i, be) & 0xFFFF;
        }
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        b.putShort(24, (short)~sum, be);
        b.putShort(34, (short)(10_000 + (sequence & 0xFF)), be);
        b.putShort(36, (short)9, be);
        b.putShort(38, (short)30, be);
        return bytes;
    }

    private static double number(final String json, final String section, final String key)
    {
        final int at = json.lastIndexOf("\"" + section + "\"");
        final int k = json.indexOf("\"" + key + "\"", Math.max(at, 0));
        if (at < 0 || k < 0)
        {
            return 0;
        }
        int i = json.indexOf(':', k) + 1;
        int end = i;
        while (end < json.length() && "0123456789.eE+- \t".indexOf(json.charAt(end)) >= 0)
        {
            end++;
        }
        try
        {
            return Double.parseDouble(json.substring(i, end).trim());
        }
        catch (final NumberFormatException ex)
        {
            return 0;
        }
    }

    private static void deleteQuietly(final Path dir)
    {
        try (var walk = Files.walk(dir))
        {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (final IOException ignored)
        {
            // a temporary directory
        }
    }

    public static void main(final String[] args) throws Exception
    {
        System.exit(new DemoRunner(System.out).run(args.length > 0 && args[0].equals("--in-process")));
    }
}
