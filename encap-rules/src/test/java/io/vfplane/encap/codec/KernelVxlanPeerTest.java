package io.vfplane.encap.codec;

import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.vfplane.encap.config.RuleFile;
import io.vfplane.encap.rules.RuleSet;
import io.vfplane.encap.testsupport.CodecHarness;
import io.vfplane.encap.testsupport.Frames;
import io.vfplane.encap.testsupport.Netns;
import io.vfplane.encap.testsupport.RawSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Linux kernel's vxlan device as a real peer. Needs root; fails (does not skip) without it.
 *
 * <pre>
 *  namespace A (the kernel peer)                          namespace B (our side)
 *  vx0 (VXLAN VNI 42, 192.168.42.2/24, 02:42::02)
 *   | local 10.99.0.2, remote 10.99.0.1, UDP 4789
 *  vethA 10.99.0.2/24, 02:99::02  <------ veth ------>  vethB 02:99::01, no address
 *                                                        AF_PACKET socket: the Encapsulator's whole outer frames go
 *                                                        out, the kernel's VXLAN frames come in to the Decapsulator
 * </pre>
 *
 * Our overlay end is 192.168.42.1 with MAC 02:42::01 behind the underlay address 10.99.0.1; the kernel learns both
 * from static entries (neighbour and fdb), so no ARP crosses the tunnel. Both namespaces are created per run with
 * names unique to the JVM and always deleted (deleting a namespace deletes its links).
 */
class KernelVxlanPeerTest
{
    private static final String A = "vfpA" + ProcessHandle.current().pid();
    private static final String B = "vfpB" + ProcessHandle.current().pid();
    private static final long OUR_UNDERLAY_MAC = 0x0299_0000_0001L;
    private static final long PEER_UNDERLAY_MAC = 0x0299_0000_0002L;
    private static final long OUR_OVERLAY_MAC = 0x0242_0000_0001L;
    private static final long PEER_OVERLAY_MAC = 0x0242_0000_0002L;
    private static final byte[] OUR_OVERLAY_IP = Frames.ip("192.168.42.1");
    private static final byte[] PEER_OVERLAY_IP = Frames.ip("192.168.42.2");
    private static final int VF = 5;
    private static final String RULES = String.join("\n",
        "underlay: {local-ipv4: 10.99.0.1, local-mac: 02:99:00:00:00:01, gateway-mac: 02:99:00:00:00:02}",
        "egress:",
        "  - {match: {vf: 5}, action: encap, format: vxlan, remote: 10.99.0.2, vni: 42}",
        "ingress:",
        "  - {match: {dst-ip: 10.99.0.1, src-ip: 10.99.0.2, format: vxlan, vni: 42}, action: deliver, vf: 5}",
        "");

    private static RuleSet rules;
    private static RawSocket socket;
    private static CodecHarness harness;

    @BeforeAll
    static void createPeer() throws Exception
    {
        if (!Netns.isRoot())
        {
            fail("the kernel vxlan peer test needs root (network namespaces, veth, vxlan)");
        }
        final Thread cleanup = new Thread(KernelVxlanPeerTest::deleteQuietly, "netns-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try
        {
            Netns.script(
                "ip netns add " + A,
                "ip netns add " + B,
                "ip -n " + A + " link add vethA address 02:99:00:00:00:02 type veth peer name vethB" +
                    " address 02:99:00:00:00:01 netns " + B,
                "ip -n " + A + " addr add 10.99.0.2/24 dev vethA",
                "ip -n " + A + " link set vethA up",
                "ip -n " + B + " link set vethB up",
                "ip -n " + A + " link add vx0 address 02:42:00:00:00:02 type vxlan id 42 dstport 4789" +
                    " local 10.99.0.2 remote 10.99.0.1 dev vethA",
                "ip -n " + A + " addr add 192.168.42.2/24 dev vx0",
                "ip -n " + A + " link set vx0 up",
                // replace, not add: the kernel may have made an entry of its own once the links came up, and add
                // then fails with "File exists" (seen once in a full suite run)
                "ip -n " + A + " neigh replace 10.99.0.1 lladdr 02:99:00:00:00:01 dev vethA nud permanent",
                "ip -n " + A + " neigh replace 192.168.42.1 lladdr 02:42:00:00:00:01 dev vx0 nud permanent",
                "bridge -n " + A + " fdb add 02:42:00:00:00:01 dev vx0 dst 10.99.0.1");
            rules = RuleFile.parse("kernel-peer.yaml", new StringReader(RULES));
            socket = RawSocket.open(B, "vethB", 200);
            harness = new CodecHarness();
        }
        catch (final Throwable ex)
        {
            deleteQuietly();
            throw ex;
        }
    }

    @AfterAll
    static void deletePeer() throws Exception
    {
        try
        {
            if (socket != null)
            {
                socket.close();
            }
            if (harness != null)
            {
                harness.close();
            }
        }
        finally
        {
            assertEquals(List.of(), Netns.deleteAll(A, B), "namespaces left behind");
        }
    }

    private static void deleteQuietly()
    {
        try
        {
            Netns.deleteAll(A, B);
        }
        catch (final Exception ignored)
        {
            // best effort from a shutdown hook or a failed setup; @AfterAll checks
        }
    }

    @Test
    void shouldGetTheKernelsEchoReplyBackThroughItsVxlanDevice()
    {
        final int id = 0x4242;
        for (int seq = 1; seq <= 3; seq++)
        {
            final byte[] request = Frames.icmp(PEER_OVERLAY_MAC, OUR_OVERLAY_MAC, OUR_OVERLAY_IP, PEER_OVERLAY_IP, 8,
                id, seq, 32);
            final CodecHarness.Result encap = harness.egress(rules, request, VF);
            assertEquals(TunnelDrop.NONE, encap.drop());
            socket.send(encap.frame());

            final byte[] reply = awaitInnerIcmp(0, 5_000);
            assertTrue(reply != null, "no echo reply from the kernel for seq " + seq);
            final ByteBuffer r = ByteBuffer.wrap(reply);
            assertEquals(OUR_OVERLAY_MAC, r.getLong(0) >>> 16, "inner destination MAC");
            assertEquals(PEER_OVERLAY_MAC, (r.getLong(6) >>> 16), "inner source MAC");
            assertEquals(0xC0A8_2A02, r.getInt(26), "from 192.168.42.2");
            assertEquals(0xC0A8_2A01, r.getInt(30), "to 192.168.42.1");
            assertEquals(id, r.getShort(38) & 0xFFFF, "echo id");
            assertEquals(seq, r.getShort(40) & 0xFFFF, "echo sequence");
            assertEquals(0, Frames.checksum(reply, 34, reply.length - 34), "ICMP checksum");
            for (int i = 42; i < reply.length; i++)
            {
                assertEquals(request[i], reply[i], "echoed payload byte " + i);
            }
        }
    }

    @Test
    void shouldAnswerThePingsTheKernelSendsThroughItsVxlanDevice() throws Exception
    {
        final Process ping = new ProcessBuilder("ip", "netns", "exec", A, "ping", "-n", "-c", "3", "-i", "0.2",
            "-W", "2", "192.168.42.1").redirectErrorStream(true).start();
        int answered = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        try
        {
            while (ping.isAlive() && System.nanoTime() < deadline)
            {
                final byte[] request = awaitInnerIcmp(8, 200);
                if (request == null)
                {
                    continue;
                }
                assertEquals(VF, harness.d.vf());
                final byte[] reply = Frames.icmp(PEER_OVERLAY_MAC, OUR_OVERLAY_MAC, OUR_OVERLAY_IP, PEER_OVERLAY_IP,
                    0, ByteBuffer.wrap(request).getShort(38) & 0xFFFF, ByteBuffer.wrap(request).getShort(40) & 0xFFFF,
                    request.length - 42);
                System.arraycopy(request, 42, reply, 42, request.length - 42);
                ByteBuffer.wrap(reply).putShort(36, (short)0).putShort(36,
                    (short)Frames.checksum(reply, 34, reply.length - 34));
                final CodecHarness.Result encap = harness.egress(rules, reply, VF);
                assertEquals(TunnelDrop.NONE, encap.drop());
                socket.send(encap.frame());
                answered++;
            }
            assertTrue(ping.waitFor(10, TimeUnit.SECONDS), "ping did not finish");
            final String output = new String(ping.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, ping.exitValue(), output);
            assertTrue(output.contains("3 packets transmitted, 3 received"), output);
            assertEquals(3, answered);
        }
        finally
        {
            ping.destroyForcibly();
        }
    }

    /**
     * Receives frames until one decapsulates (ingress rule, VF 5) to an inner IPv4 ICMP message of this type.
     *
     * @return the inner frame, or null after {@code timeoutMillis}.
     */
    private static byte[] awaitInnerIcmp(final int icmpType, final long timeoutMillis)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (System.nanoTime() < deadline)
        {
            final byte[] frame = socket.receive();
            if (frame == null)
            {
                continue;
            }
            final CodecHarness.Result decap = harness.ingress(rules, frame);
            if (decap.drop() != TunnelDrop.NONE)
            {
                continue; // the veth also carries the kernel's own traffic (IPv6 neighbour discovery and such)
            }
            assertEquals(VF, decap.d().vf());
            assertEquals(42, decap.d().vni());
            final byte[] inner = decap.frame();
            if (inner.length >= 42 && (inner[12] & 0xFF) == 0x08 && inner[13] == 0 && inner[23] == 1 &&
                (inner[34] & 0xFF) == icmpType)
            {
                return inner;
            }
        }
        return null;
    }
}
