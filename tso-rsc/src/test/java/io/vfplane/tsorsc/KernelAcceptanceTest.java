package io.vfplane.tsorsc;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.checksum.Checksums;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.dataplane.parse.PacketParser;
import io.vfplane.dataplane.parse.ParseResult;
import io.vfplane.tsorsc.TestFrames.Tunnel;
import io.vfplane.tsorsc.gro.Coalescer;
import io.vfplane.tsorsc.gso.Segmenter;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Linux kernel as the judge (needs root: network namespaces, veth, TAP; everything created here is removed).
 * <pre>
 *  root namespace                         namespace vfptso-veth-PID / vfptso-tap-PID
 *  peer (python, AF_PACKET on veth A) ---- veth B 192.168.0.2 -- TCP receiver (python socket) -> file
 *  peer (python, TAP fd + vnet header) --- tap    192.168.0.2 -- TCP receiver               -> file
 * </pre>
 * The peer handshakes with the receiver (its SYN, the kernel's SYN-ACK, its ACK), we build a 40000-byte TCP frame
 * for that connection, and (1) our segments go through the veth, or (2) our coalesced GSO frame is written to the
 * TAP with a virtio_net_hdr (gso TCPv4, NEEDS_CSUM). The receiver must read exactly the payload.
 */
class KernelAcceptanceTest
{
    private static final String RECEIVER_IP = "192.168.0.2";
    private static final String PEER_IP = "192.168.0.1";
    private static final String PEER_MAC = "02:00:00:00:00:01";
    private static final String RECEIVER_MAC = "02:00:00:00:00:02";
    private static final int PAYLOAD = 40_000;
    private static final int MSS = 1448;

    @TempDir
    Path dir;

    private String ns;
    private final String suffix = Long.toString(ProcessHandle.current().pid() % 100000);

    @Test
    void shouldDeliverTheExactByteStreamFromOurSegmentsToALinuxReceiverOverAVeth() throws Exception
    {
        final String a = "vfpa" + suffix;
        final String b = "vfpb" + suffix;
        ns = "vfptso-veth-" + suffix;
        try
        {
            sh("ip", "netns", "add", ns);
            sh("ip", "link", "add", a, "address", PEER_MAC, "type", "veth", "peer", "name", b, "address",
                RECEIVER_MAC, "netns", ns);
            sh("ip", "link", "set", a, "up");
            configure(b);
            final byte[] payload = TestFrames.randomPayload(new Random(21), PAYLOAD);
            final byte[] received = run(List.of("python3", peerScript().toString(), "packet", a), null, ack ->
            {
                final byte[] frame = frame(payload, ack);
                final CollectingSink sink = segment(frame);
                final List<byte[]> records = new ArrayList<>();
                for (final byte[] s : sink.segments)
                {
                    records.add(record(new byte[10], s));
                }
                return records;
            });
            assertArrayEquals(payload, received, "the kernel's TCP receiver read exactly the original stream");
        }
        finally
        {
            shQuiet("ip", "link", "del", a);
            shQuiet("ip", "netns", "del", ns);
        }
    }

    @Test
    void shouldHaveTheKernelAcceptACoalescedGsoFrameWrittenToATapWithAVnetHeader() throws Exception
    {
        final String tap = "vfpt" + suffix;
        ns = "vfptso-tap-" + suffix;
        try
        {
            sh("ip", "netns", "add", ns);
            final byte[] payload = TestFrames.randomPayload(new Random(22), PAYLOAD);
            final int[] mergedSegments = new int[1];
            final byte[] received = run(List.of("ip", "netns", "exec", ns, "python3", peerScript().toString(), "tap",
                tap), tap, ack ->
            {
                final byte[] frame = frame(payload, ack);
                final CollectingSink sink = segment(frame);
                final List<byte[]> records = new ArrayList<>();
                try (Counters counters = Counters.inMemory(16);
                    PacketPool pool = new PacketPool("k", 64, 128, 2048, counters))
                {
                    final Coalescer coalescer = new Coalescer(pool, new PacketParser(), 8, 1_000_000, false, f ->
                    {
                        final byte[] bytes = new byte[f.length()];
                        f.copyTo(new UnsafeBuffer(bytes), 0);
                        final PacketDescriptor m = f.metadata();
                        mergedSegments[0] = Math.max(mergedSegments[0], f.segmentCount());
                        final ByteBuffer vnet = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
                        vnet.put((byte)m.offloadFlags()).put((byte)m.gsoType()).putShort((short)m.headerLength())
                            .putShort((short)m.gsoSize()).putShort((short)m.csumStart())
                            .putShort((short)m.csumOffset());
                        records.add(record(vnet.array(), bytes));
                    });
                    for (final byte[] s : sink.segments)
                    {
                        final int id = pool.allocate();
                        pool.buffer().putBytes(pool.dataOffset(id), s);
                        coalescer.offer(new PacketDescriptor().resetMetadata().bind(id, pool.dataOffset(id),
                            s.length), 0);
                    }
                    coalescer.flushAll();
                }
                return records;
            });
            assertEquals((PAYLOAD + MSS - 1) / MSS, mergedSegments[0], "one GSO frame of every segment");
            assertArrayEquals(payload, received, "the kernel took the GSO frame and the receiver read the stream");
        }
        finally
        {
            shQuiet("ip", "netns", "del", ns);
        }
    }

    private interface Frames
    {
        List<byte[]> build(int[] ack) throws IOException;
    }

    private byte[] run(final List<String> peerCommand, final String tap, final Frames frames) throws Exception
    {
        final Path out = dir.resolve("received.bin");
        final Process receiver = new ProcessBuilder("ip", "netns", "exec", ns, "python3", "-c",
            "import socket,sys\n" +
            "s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n" +
            "s.bind(('" + RECEIVER_IP + "', 5201)); s.listen(1); print('LISTEN', flush=True)\n" +
            "s.settimeout(30); c,_=s.accept(); c.settimeout(30); d=bytearray()\n" +
            "while True:\n" +
            "    b=c.recv(65536)\n" +
            "    if not b: break\n" +
            "    d+=b\n" +
            "open(sys.argv[1],'wb').write(d); c.close()\n", out.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        final Process peer = new ProcessBuilder(concat(peerCommand, List.of(PEER_MAC, RECEIVER_MAC, PEER_IP,
            RECEIVER_IP, "40000", "5201", "1000")))
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try
        {
            final BufferedReader receiverOut = reader(receiver.getInputStream());
            assertEquals("LISTEN", receiverOut.readLine());
            final BufferedReader peerOut = reader(peer.getInputStream());
            final OutputStream peerIn = peer.getOutputStream();
            if (tap != null)
            {
                assertEquals("TAP", peerOut.readLine());
                sh("ip", "-n", ns, "link", "set", tap, "address", RECEIVER_MAC);
                configure(tap);
                peerIn.write('\n');
                peerIn.flush();
            }
            final String handshake = peerOut.readLine();
            assertTrue(handshake != null && handshake.startsWith("ACK "), "handshake: " + handshake);
            final int ack = (int)Long.parseLong(handshake.split(" ")[1]);
            final Path file = dir.resolve("frames.bin");
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (final byte[] r : frames.build(new int[]{ack}))
            {
                bytes.write(r);
            }
            Files.write(file, bytes.toByteArray());
            peerIn.write(("GO " + file + "\n").getBytes(StandardCharsets.UTF_8));
            peerIn.flush();
            final String done = peerOut.readLine();
            assertEquals("DONE " + PAYLOAD, done);
            assertTrue(receiver.waitFor(30, TimeUnit.SECONDS), "receiver finished");
            return Files.readAllBytes(out);
        }
        finally
        {
            peer.destroyForcibly();
            receiver.destroyForcibly();
            peer.waitFor(5, TimeUnit.SECONDS);
            receiver.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private void configure(final String device) throws Exception
    {
        sh("ip", "-n", ns, "link", "set", "lo", "up");
        sh("ip", "-n", ns, "link", "set", device, "up");
        sh("ip", "-n", ns, "addr", "add", RECEIVER_IP + "/24", "dev", device);
        sh("ip", "-n", ns, "neigh", "add", PEER_IP, "lladdr", PEER_MAC, "dev", device);
    }

    /** A 40000-byte frame of our connection: TestFrames' addresses and ports are the ones the peer uses. */
    private static byte[] frame(final byte[] payload, final int[] ack)
    {
        final byte[] frame = TestFrames.tcp(Tunnel.NONE, false, payload, new byte[0], 0x18, 1001, 100, false, 0);
        final UnsafeBuffer b = new UnsafeBuffer(frame);
        b.putInt(34 + 8, ack[0], BIG_ENDIAN);
        b.putShort(34 + 14, (short)0xFFFF, BIG_ENDIAN);
        Checksums.writeL4Checksum(b, 14, 34, frame.length - 34, 6);
        return frame;
    }

    private static CollectingSink segment(final byte[] frame)
    {
        final SegmentLayout layout = new SegmentLayout();
        final UnsafeBuffer b = new UnsafeBuffer(frame);
        assertEquals(SegmentLayout.OK, layout.parse(new PacketParser(), new ParseResult(), b, 0, frame.length));
        final CollectingSink sink = new CollectingSink();
        new Segmenter().segment(b, 0, layout, MSS, false, sink);
        return sink;
    }

    private static byte[] record(final byte[] vnet, final byte[] frame)
    {
        final ByteBuffer r = ByteBuffer.allocate(2 + vnet.length + frame.length);
        r.putShort((short)(vnet.length + frame.length)).put(vnet).put(frame);
        return r.array();
    }

    private Path peerScript() throws IOException
    {
        final Path script = dir.resolve("kernel_peer.py");
        if (!Files.exists(script))
        {
            try (InputStream in = KernelAcceptanceTest.class.getResourceAsStream("kernel_peer.py"))
            {
                Files.copy(in, script);
            }
        }
        return script;
    }

    private static BufferedReader reader(final InputStream in)
    {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    private static List<String> concat(final List<String> a, final List<String> b)
    {
        final List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static void sh(final String... command) throws Exception
    {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "timed out: " + String.join(" ", command));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
    }

    private static void shQuiet(final String... command)
    {
        try
        {
            final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor(20, TimeUnit.SECONDS);
        }
        catch (final Exception ignored)
        {
            // best-effort cleanup: the namespace may already be gone
        }
    }
}
