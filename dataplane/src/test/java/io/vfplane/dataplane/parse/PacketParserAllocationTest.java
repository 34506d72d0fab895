package io.vfplane.dataplane.parse;

import io.vfplane.dataplane.testsupport.Corpus;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PacketParserAllocationTest
{
    private static final int PARSES = 100_000;
    /** Slack for the measurement calls themselves, independent of the number of parses. */
    private static final long SLACK_BYTES = 1024;

    @Test
    void shouldNotAllocatePerParse() throws Exception
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);

        final List<UnsafeBuffer> buffers = new ArrayList<>();
        final List<Integer> linkTypes = new ArrayList<>();
        for (final String file : new String[]{
            "zeek/tunnels_vxlan-triple-v2.pcap", "tcpdump/geneve.pcap", "packetnet/gre_nvgre.pcap",
            "tcpdump/bigtcp-ipv6-hbh.pcap", "zeek/mpls-in-vlan.pcap", "tcpdump/tcp-handshake-nano.pcap",
            "zeek/trunc_ip6-ext-trunc.pcap", "zeek/tcp_options.pcap"})
        {
            final CaptureFrames.Frame f = CaptureFrames.read(Corpus.file(file)).get(0);
            buffers.add(new UnsafeBuffer(f.data()));
            linkTypes.add(f.linkType());
        }
        final UnsafeBuffer[] frames = buffers.toArray(new UnsafeBuffer[0]);
        final int[] types = linkTypes.stream().mapToInt(Integer::intValue).toArray();
        final PacketParser parser = new PacketParser();
        final ParseResult result = new ParseResult();

        long layers = run(parser, result, frames, types); // warm up: JIT, class loading
        final long threadId = Thread.currentThread().threadId();
        final long before = threads.getThreadAllocatedBytes(threadId);
        layers += run(parser, result, frames, types);
        final long after = threads.getThreadAllocatedBytes(threadId);

        assertTrue(layers > PARSES);
        final long allocated = after - before;
        assertTrue(allocated <= SLACK_BYTES, "allocated " + allocated + " bytes over " + PARSES + " parses");
        assertEquals(DropReason.NONE, parser.parse(frames[0], 0, frames[0].capacity(), types[0], result));
    }

    private static long run(
        final PacketParser parser, final ParseResult result, final UnsafeBuffer[] frames, final int[] types)
    {
        long layers = 0;
        for (int i = 0; i < PARSES; i++)
        {
            final int k = i % frames.length;
            parser.parse(frames[k], 0, frames[k].capacity(), types[k], result);
            layers += result.layerCount();
        }
        return layers;
    }
}
