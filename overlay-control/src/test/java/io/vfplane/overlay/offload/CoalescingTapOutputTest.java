package io.vfplane.overlay.offload;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.checksum.Checksums;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.dataplane.parse.PacketParser;
import io.vfplane.vf.Macs;
import io.vfplane.vf.port.tap.NetNs;
import io.vfplane.vf.port.tap.TapConfig;
import io.vfplane.vf.port.tap.TapDevice;
import io.vfplane.vf.port.tap.TapPort;
import io.vfplane.vf.port.tap.VnetHeader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@link CoalescingTapOutput} writes toward a guest, judged by the real kernel: a namespace we create plays the
 * guest behind the TAP, a second one sits behind it on a veth, and real UDP sockets receive what was written (USO
 * runs of datagrams); the guest's TCP counters judge merged TCP segments.
 * <pre>
 *   test --TAP (vnet hdr, USO)--> [ns A: 10.93.0.1, forwarding] --veth, tx checksum off--> [ns B: 10.94.0.2, fd94::2]
 * </pre>
 * Datagrams to ns A are split by A's UDP receive path; datagrams to ns B are split by GSO on A's veth, which has no
 * checksum offload, so every datagram's UDP checksum is computed in software from the partial sum we wrote and
 * verified by B's UDP stack: a wrong partial sum drops them (and counts {@code InCsumErrors}). The same software
 * checksum would also make a corrupted datagram merged into a frame look valid to B: that is why a datagram or TCP
 * segment with a bad checksum must never be merged.
 */
class CoalescingTapOutputTest
{
    private static final String PYTHON = "/usr/bin/python3";
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    private static final long NS_MAC = Macs.parse("02:00:00:bb:00:01");
    private static final long OUR_MAC = Macs.parse("02:00:00:bb:00:02");
    private static final String VETH_A_MAC = "02:00:00:bb:00:03";
    private static final String VETH_B_MAC = "02:00:00:bb:00:04";
    private static final byte[] OUR_IP = {10, 93, 0, 2};
    private static final byte[] A_IP = {10, 93, 0, 1};
    private static final byte[] B_IP = {10, 94, 0, 2};
    private static final byte[] OUR_IP6 = ipv6(2);
    private static final byte[] B_IP6 = {(byte)0xfd, (byte)0x94, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    private static final int PORT = 7000;
    private static final int PAYLOAD = 18;

    private final String suffix = Long.toString(ProcessHandle.current().pid() % 100_000);
    private final String nsA = "vfplane-uso-" + suffix;
    private final String nsB = "vfplane-usob-" + suffix;
    private final String tapName = "vfu" + suffix;
    private final String vethA = "vua" + suffix;
    private final String vethB = "vub" + suffix;
    private Counters counters;
    private PacketPool pool;
    private TapPort port;
    private CoalescingTapOutput output;

    @BeforeEach
    void setUp()
    {
        assertTrue("root".equals(System.getProperty("user.name")), "needs root to create network namespaces");
        counters = Counters.inMemory(256);
        pool = new PacketPool("uso-test", 256, 256, TapConfig.MAX_TSO_FRAME, counters);
        NetNs.delete(nsA);
        NetNs.delete(nsB);
        NetNs.create(nsA);
        NetNs.create(nsB);
    }

    @AfterEach
    void tearDown()
    {
        if (port != null)
        {
            port.close();
        }
        NetNs.delete(nsA);
        NetNs.delete(nsB);
        pool.close();
        counters.close();
    }

    @Test
    void shouldDeliverRunsOfSmallDatagramsAsFewUsoWritesWithChecksumsTheKernelVerifies() throws Exception
    {
        open(true);
        assertTrue(output.mergesUdp(), "this kernel takes USO on a TAP");
        final int n = 100; // more than one GSO frame takes (64 segments): two writes
        final Receiver receiver = Receiver.start(nsB, false, "10.94.0.2", n);
        final List<byte[]> sent = offerToB(n);
        output.flush();

        final Map<Integer, List<byte[]>> received = receiver.await();
        assertPayloads(sent, received.get(5001));
        assertEquals(2, port.txPackets(), "two TAP writes for " + n + " datagrams");
        assertEquals(0, port.txErrors(), "the kernel took every write");
        assertEquals(2, output.udpGsoFrames());
        assertEquals(n - 2, output.udpMerged());
        assertEquals(0, udpCounter(nsB, "InCsumErrors"), "no datagram with a bad checksum");
        assertEquals(0, pool.inFlight(), "every buffer back in the pool");
    }

    @Test
    void shouldKeepEachFlowsOrderWhenFlowsInterleaveAndEndARunAtAShorterDatagram() throws Exception
    {
        open(true);
        final int perFlow = 20;
        final Receiver receiver = Receiver.start(nsA, false, "10.93.0.1", 3 * perFlow);
        final Map<Integer, List<byte[]>> sent = new LinkedHashMap<>();
        for (int i = 0; i < perFlow; i++)
        {
            for (int flow = 1; flow <= 3; flow++)
            {
                // flow 1's tenth datagram is shorter: it ends that run, the next ten start another
                final int length = flow == 1 && i == 9 ? 7 : PAYLOAD + flow;
                final byte[] p = payload(flow, i, length);
                sent.computeIfAbsent(5000 + flow, k -> new ArrayList<>()).add(p);
                assertTrue(output.offer(udp4(OUR_IP, A_IP, 5000 + flow, p), pool));
            }
        }
        output.flush();

        final Map<Integer, List<byte[]>> received = receiver.await();
        for (final Map.Entry<Integer, List<byte[]>> flow : sent.entrySet())
        {
            assertPayloads(flow.getValue(), received.get(flow.getKey()));
        }
        assertEquals(4, port.txPackets(), "flow 1 in two runs, flows 2 and 3 in one each");
        assertEquals(0, port.txErrors());
        assertEquals(4, output.udpGsoFrames());
        assertEquals(0, udpCounter(nsA, "InCsumErrors"));
        assertEquals(0, pool.inFlight());
    }

    @Test
    void shouldFlushHeldRunsBeforeAFrameThatIsNotMergeableUdpButNotBeforeTcp() throws Exception
    {
        open(true);
        final Receiver receiver = Receiver.start(nsA, false, "10.93.0.1", 12);
        final List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 12; i++)
        {
            sent.add(payload(1, i, PAYLOAD));
            assertTrue(output.offer(udp4(OUR_IP, A_IP, 5001, sent.get(i)), pool));
            if (i == 2)
            {
                // TCP is another flow: it goes on (a SYN is not held by the TCP merge) and the run stays open
                assertTrue(output.offer(tcpSyn(), pool));
            }
            if (i == 5)
            {
                // an ARP request in the middle: whatever it is, the datagrams before it are written before it
                assertTrue(output.offer(arp(), pool));
            }
        }
        output.flush();

        assertPayloads(sent, receiver.await().get(5001));
        assertEquals(4, port.txPackets(), "the SYN; six datagrams; the ARP request; six datagrams");
        assertEquals(2, output.udpGsoFrames());
        assertEquals(0, pool.inFlight());
    }

    @Test
    void shouldMergeIpv6DatagramsWithChecksumsTheKernelVerifies() throws Exception
    {
        open(true);
        final int n = 30;
        final Receiver receiver = Receiver.start(nsB, true, "fd94::2", n);
        final List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < n; i++)
        {
            sent.add(payload(6, i, i == n - 1 ? 3 : PAYLOAD));
            assertTrue(output.offer(udp6(OUR_IP6, B_IP6, 5006, sent.get(i)), pool));
        }
        output.flush();

        assertPayloads(sent, receiver.await().get(5006));
        assertEquals(1, port.txPackets(), "one TAP write for " + n + " datagrams");
        assertEquals(0, port.txErrors());
        assertEquals(n - 1, output.udpMerged());
        assertEquals(0, counter(nsB, "Udp6InCsumErrors"));
        assertEquals(0, pool.inFlight());
    }

    @Test
    void shouldWriteEveryDatagramOnItsOwnWhenTheTapHasNoUso() throws Exception
    {
        open(false);
        assertFalse(output.mergesUdp());
        final int n = 40;
        final Receiver receiver = Receiver.start(nsB, false, "10.94.0.2", n);
        final List<byte[]> sent = offerToB(n);
        output.flush();

        assertPayloads(sent, receiver.await().get(5001));
        assertEquals(n, port.txPackets(), "one write per datagram");
        assertEquals(0, output.udpGsoFrames());
        assertEquals(0, pool.inFlight());
    }

    @Test
    void shouldWriteADatagramWithABadChecksumAloneSoTheGuestDropsAndCountsIt() throws Exception
    {
        open(true);
        output.counters(counters, "vf0");
        final int n = 20;
        final int bad = 7;
        final Receiver receiver = Receiver.start(nsB, false, "10.94.0.2", n - 1);
        final List<byte[]> expected = new ArrayList<>();
        for (int i = 0; i < n; i++)
        {
            final byte[] p = payload(1, i, PAYLOAD);
            final PacketDescriptor d = udp4(OUR_IP, B_IP, 5001, p);
            if (i == bad)
            {
                corrupt(d, d.length() - 3); // a payload byte, after its checksum was written: damaged on the way
            }
            else
            {
                expected.add(p);
            }
            assertTrue(output.offer(d, pool));
        }
        output.flush();

        assertPayloads(expected, receiver.await().get(5001));
        assertEquals(1, output.udpBadChecksums());
        assertEquals(3, port.txPackets(), "datagrams 0-6 merged, 7 alone, 8-19 merged");
        assertEquals(1, udpCounter(nsB, "InCsumErrors"), "the damaged datagram reached B as it was, and B dropped it");
        assertEquals(1, counters.valueOf("tsorsc.vf0.uso.bad_checksum", -1), "counted under a name");
        assertEquals(0, pool.inFlight());
    }

    @Test
    void shouldWriteATcpSegmentWithABadChecksumAloneSoTheGuestDropsAndCountsIt() throws Exception
    {
        open(true);
        output.counters(counters, "vf0");
        final long before = snmp(nsA, "Tcp", "InCsumErrors");
        final int mss = 1000;
        for (int i = 0; i < 6; i++)
        {
            final PacketDescriptor d = tcp4(1 + i * mss, mss);
            if (i == 3)
            {
                corrupt(d, 14 + 20 + 20 + 500);
            }
            assertTrue(output.offer(d, pool));
        }
        output.flush();

        assertEquals(1, output.tcpBadChecksums());
        assertEquals(3, port.txPackets(), "segments 0-2 merged, 3 alone, 4-5 merged");
        assertEquals(0, port.txErrors());
        // no socket listens in A: its TCP completes each segment's checksum before answering with a reset, so the
        // damaged one is counted there, and the two merged frames (partial checksums the kernel completes) are not
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (snmp(nsA, "Tcp", "InCsumErrors") == before && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
        assertEquals(before + 1, snmp(nsA, "Tcp", "InCsumErrors"), "A dropped the damaged segment, only that");
        assertEquals(1, counters.valueOf("tsorsc.vf0.coalesce.bad_checksum", -1), "counted under a name");
        assertEquals(0, pool.inFlight());
    }

    /** Offers {@code n} datagrams of one flow to B, all of one length: one run. */
    private List<byte[]> offerToB(final int n)
    {
        final List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < n; i++)
        {
            sent.add(payload(1, i, PAYLOAD));
            assertTrue(output.offer(udp4(OUR_IP, B_IP, 5001, sent.get(i)), pool));
        }
        return sent;
    }

    private void open(final boolean uso)
    {
        int offloads = TapDevice.TUN_F_CSUM | TapDevice.TUN_F_TSO4 | TapDevice.TUN_F_TSO6;
        if (uso)
        {
            offloads |= TapDevice.TUN_F_USO4 | TapDevice.TUN_F_USO6;
        }
        port = new TapPort(new TapConfig(tapName, 1, VnetHeader.LENGTH, offloads, 0, 1), pool, counters);
        assertEquals(uso, port.device().takesUdpGso(), "USO taken as asked (this kernel has it)");
        NetNs.moveInto(port.name(), nsA, Macs.format(NS_MAC), "10.93.0.1/24");
        NetNs.run("ip", "-n", nsA, "addr", "add", "fd93::1/64", "dev", port.name(), "nodad");
        NetNs.runIn(nsA, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        NetNs.runIn(nsA, "sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1");
        NetNs.run("ip", "link", "add", vethA, "type", "veth", "peer", "name", vethB);
        NetNs.run("ip", "link", "set", vethA, "netns", nsA);
        NetNs.run("ip", "link", "set", vethB, "netns", nsB);
        NetNs.run("ip", "-n", nsA, "link", "set", vethA, "address", VETH_A_MAC);
        NetNs.run("ip", "-n", nsB, "link", "set", vethB, "address", VETH_B_MAC);
        NetNs.run("ip", "-n", nsA, "addr", "add", "10.94.0.1/24", "dev", vethA);
        NetNs.run("ip", "-n", nsB, "addr", "add", "10.94.0.2/24", "dev", vethB);
        NetNs.run("ip", "-n", nsA, "addr", "add", "fd94::1/64", "dev", vethA, "nodad");
        NetNs.run("ip", "-n", nsB, "addr", "add", "fd94::2/64", "dev", vethB, "nodad");
        NetNs.run("ip", "-n", nsA, "link", "set", vethA, "up");
        NetNs.run("ip", "-n", nsB, "link", "set", vethB, "up");
        NetNs.run("ip", "-n", nsB, "link", "set", "lo", "up");
        // no checksum offload on A's side of the veth: GSO there computes every datagram's checksum in software
        NetNs.runIn(nsA, "ethtool", "-K", vethA, "tx", "off");
        NetNs.run("ip", "-n", nsA, "neigh", "replace", "10.94.0.2", "lladdr", VETH_B_MAC, "dev", vethA);
        NetNs.run("ip", "-n", nsA, "neigh", "replace", "fd94::2", "lladdr", VETH_B_MAC, "dev", vethA);
        NetNs.run("ip", "-n", nsA, "neigh", "replace", "10.93.0.2", "lladdr", Macs.format(OUR_MAC), "dev",
            port.name());
        output = new CoalescingTapOutput(port.newSender(), pool, new PacketParser());
    }

    private static void assertPayloads(final List<byte[]> sent, final List<byte[]> received)
    {
        assertTrue(received != null, "nothing received");
        assertEquals(sent.size(), received.size(), "datagrams received");
        for (int i = 0; i < sent.size(); i++)
        {
            assertArrayEquals(sent.get(i), received.get(i), "datagram " + i + " (in order, byte-exact)");
        }
    }

    private static byte[] payload(final int flow, final int index, final int length)
    {
        final byte[] p = new byte[length];
        for (int i = 0; i < length; i++)
        {
            p[i] = (byte)(flow * 31 + index * 7 + i);
        }
        if (length >= 2)
        {
            p[0] = (byte)flow;
            p[1] = (byte)index;
        }
        return p;
    }

    private PacketDescriptor udp4(final byte[] src, final byte[] dst, final int srcPort, final byte[] payload)
    {
        final int udpLength = 8 + payload.length;
        final byte[] f = new byte[14 + 20 + udpLength];
        final UnsafeBuffer b = ipv4(f, 17, srcPort, src, dst);
        udp(b, 34, srcPort, payload, Checksums.ipv4PseudoHeaderSum(b, 14, 17, udpLength));
        return inPool(f);
    }

    private PacketDescriptor udp6(final byte[] src, final byte[] dst, final int srcPort, final byte[] payload)
    {
        final int udpLength = 8 + payload.length;
        final byte[] f = new byte[14 + 40 + udpLength];
        final UnsafeBuffer b = new UnsafeBuffer(f);
        ethernet(b, 0x86DD);
        b.putInt(14, 0x6000_0000, BE);
        b.putShort(18, (short)udpLength, BE);
        b.putByte(20, (byte)17);
        b.putByte(21, (byte)64);
        b.putBytes(22, src);
        b.putBytes(38, dst);
        udp(b, 54, srcPort, payload, Checksums.ipv6PseudoHeaderSum(b, 14, 17, udpLength));
        return inPool(f);
    }

    private PacketDescriptor tcpSyn()
    {
        return tcp4(40000, 0x02, 1, 0);
    }

    /** A TCP ACK segment with {@code length} bytes of payload from us to A's closed port. */
    private PacketDescriptor tcp4(final int seq, final int length)
    {
        return tcp4(40001, 0x10, seq, length);
    }

    private PacketDescriptor tcp4(final int srcPort, final int flags, final int seq, final int length)
    {
        final byte[] f = new byte[14 + 20 + 20 + length];
        final UnsafeBuffer b = ipv4(f, 6, 0, OUR_IP, A_IP);
        b.putShort(34, (short)srcPort, BE);
        b.putShort(36, (short)PORT, BE);
        b.putInt(38, seq, BE);
        b.putInt(42, (flags & 0x10) != 0 ? 1 : 0, BE);
        b.putByte(46, (byte)0x50);
        b.putByte(47, (byte)flags);
        b.putShort(48, (short)1024, BE);
        for (int i = 0; i < length; i++)
        {
            f[54 + i] = (byte)(seq + i * 13);
        }
        b.putShort(50, (short)Checksums.fold(Checksums.sum(b, 34, 20 + length,
            Checksums.ipv4PseudoHeaderSum(b, 14, 6, 20 + length))), BE);
        return inPool(f);
    }

    /** Flips a bit of a frame in the pool (its checksums stay as they were). */
    private void corrupt(final PacketDescriptor d, final int at)
    {
        final int i = d.offset() + at;
        pool.buffer().putByte(i, (byte)(pool.buffer().getByte(i) ^ 0x10));
    }

    /** Ethernet and an IPv4 header (DF, TTL 64, ID {@code id}) over the whole of {@code f}. */
    private static UnsafeBuffer ipv4(final byte[] f, final int protocol, final int id, final byte[] src,
        final byte[] dst)
    {
        final UnsafeBuffer b = new UnsafeBuffer(f);
        ethernet(b, 0x0800);
        b.putByte(14, (byte)0x45);
        b.putShort(16, (short)(f.length - 14), BE);
        b.putShort(18, (short)id, BE);
        b.putShort(20, (short)0x4000, BE); // DF
        b.putByte(22, (byte)64);
        b.putByte(23, (byte)protocol);
        b.putBytes(26, src);
        b.putBytes(30, dst);
        Checksums.writeIpv4HeaderChecksum(b, 14);
        return b;
    }

    private PacketDescriptor arp()
    {
        final byte[] f = new byte[60];
        final UnsafeBuffer b = new UnsafeBuffer(f);
        ethernet(b, 0x0806);
        b.putShort(14, (short)1, BE);
        b.putShort(16, (short)0x0800, BE);
        b.putByte(18, (byte)6);
        b.putByte(19, (byte)4);
        b.putShort(20, (short)1, BE);
        putMac(b, 22, OUR_MAC);
        b.putBytes(28, OUR_IP);
        b.putBytes(38, A_IP);
        return inPool(f);
    }

    private static void ethernet(final UnsafeBuffer b, final int etherType)
    {
        putMac(b, 0, NS_MAC);
        putMac(b, 6, OUR_MAC);
        b.putShort(12, (short)etherType, BE);
    }

    private static void putMac(final UnsafeBuffer b, final int at, final long mac)
    {
        b.putShort(at, (short)(mac >>> 32), BE);
        b.putInt(at + 2, (int)mac, BE);
    }

    private static void udp(final UnsafeBuffer b, final int at, final int srcPort, final byte[] payload,
        final int pseudo)
    {
        final int udpLength = 8 + payload.length;
        b.putShort(at, (short)srcPort, BE);
        b.putShort(at + 2, (short)PORT, BE);
        b.putShort(at + 4, (short)udpLength, BE);
        b.putBytes(at + 8, payload);
        final int check = Checksums.fold(Checksums.sum(b, at, udpLength, pseudo));
        b.putShort(at + 6, (short)(check == 0 ? 0xFFFF : check), BE);
    }

    private PacketDescriptor inPool(final byte[] frame)
    {
        final int id = pool.allocate();
        assertTrue(id != PacketPool.NO_BUFFER);
        final int offset = pool.dataOffset(id);
        pool.buffer().putBytes(offset, frame);
        return new PacketDescriptor().resetMetadata().bind(id, offset, frame.length);
    }

    private static byte[] ipv6(final int last)
    {
        final byte[] a = new byte[16];
        a[0] = (byte)0xfd;
        a[1] = (byte)0x93;
        a[15] = (byte)last;
        return a;
    }

    /** A counter of the namespace's {@code /proc/net/snmp6} ({@code Udp6InCsumErrors ...}). */
    private static long counter(final String ns, final String name)
    {
        for (final String line : NetNs.runIn(ns, "cat", "/proc/net/snmp6").split("\n"))
        {
            final String[] parts = line.trim().split("\\s+");
            if (parts.length == 2 && parts[0].equals(name))
            {
                return Long.parseLong(parts[1]);
            }
        }
        throw new IllegalStateException("no " + name + " in /proc/net/snmp6 of " + ns);
    }

    /** A counter of the {@code Udp:} lines of the namespace's {@code /proc/net/snmp}. */
    private static long udpCounter(final String ns, final String name)
    {
        return snmp(ns, "Udp", name);
    }

    /** A counter of the {@code <protocol>:} lines of the namespace's {@code /proc/net/snmp}. */
    private static long snmp(final String ns, final String protocol, final String name)
    {
        final String[] lines = NetNs.runIn(ns, "cat", "/proc/net/snmp").split("\n");
        final String prefix = protocol + ": ";
        for (int i = 0; i + 1 < lines.length; i++)
        {
            if (lines[i].startsWith(prefix) && lines[i + 1].startsWith(prefix))
            {
                final String[] names = lines[i].trim().split("\\s+");
                final String[] values = lines[i + 1].trim().split("\\s+");
                for (int k = 1; k < names.length; k++)
                {
                    if (names[k].equals(name))
                    {
                        return Long.parseLong(values[k]);
                    }
                }
            }
        }
        throw new IllegalStateException("no " + protocol + " " + name + " in /proc/net/snmp of " + ns);
    }

    /** A real UDP socket in a namespace that prints every datagram it receives: source port and payload. */
    private record Receiver(Process process, BufferedReader out)
    {
        private static final String SCRIPT = String.join("\n",
            "import socket, sys",
            "family = socket.AF_INET6 if sys.argv[1] == '6' else socket.AF_INET",
            "s = socket.socket(family, socket.SOCK_DGRAM)",
            "s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)",
            "s.bind((sys.argv[2], int(sys.argv[3])))",
            "s.settimeout(5)",
            "print('ready', flush=True)",
            "for i in range(int(sys.argv[4])):",
            "    try:",
            "        data, address = s.recvfrom(65535)",
            "    except socket.timeout:",
            "        break",
            "    print(address[1], data.hex(), flush=True)",
            "print('done', flush=True)",
            "");

        static Receiver start(final String ns, final boolean v6, final String address, final int count)
            throws IOException
        {
            final Process process = new ProcessBuilder("ip", "netns", "exec", ns, PYTHON, "-c", SCRIPT,
                v6 ? "6" : "4", address, Integer.toString(PORT), Integer.toString(count))
                .redirectErrorStream(true).start();
            final BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
            final String first = out.readLine();
            if (!"ready".equals(first))
            {
                process.destroyForcibly();
                throw new IllegalStateException("receiver in " + ns + " did not start: " + first);
            }
            return new Receiver(process, out);
        }

        /** @return payloads by source port, in the order received. */
        Map<Integer, List<byte[]>> await() throws IOException, InterruptedException
        {
            final Map<Integer, List<byte[]>> received = new LinkedHashMap<>();
            try
            {
                String line;
                while ((line = out.readLine()) != null && !line.equals("done"))
                {
                    final String[] parts = line.split(" ");
                    if (parts.length != 2)
                    {
                        throw new IllegalStateException("receiver: " + line);
                    }
                    received.computeIfAbsent(Integer.parseInt(parts[0]), k -> new ArrayList<>())
                        .add(HexFormat.of().parseHex(parts[1]));
                }
                assertTrue(process.waitFor(10, TimeUnit.SECONDS), "receiver exits");
            }
            finally
            {
                process.destroyForcibly();
            }
            return received;
        }
    }
}
