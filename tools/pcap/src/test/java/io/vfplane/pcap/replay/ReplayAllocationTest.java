package io.vfplane.pcap.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.vfplane.dataplane.testsupport.Corpus;

/**
 * The send loop allocates nothing per packet: a replay of 100 times more packets allocates (on the sending thread)
 * no more than a replay of few, give or take a little per run.
 */
class ReplayAllocationTest
{
    /** Slack for what a run allocates once (thread, histogram, batch) and for stray JDK bookkeeping. */
    private static final long SLACK_BYTES = 64 * 1024;

    private static VethNamespace ns;

    @BeforeAll
    static void createNamespace()
    {
        ns = VethNamespace.create(9000);
    }

    @AfterAll
    static void deleteNamespace()
    {
        if (ns != null)
        {
            ns.close();
        }
    }

    private static long allocatedBy(final ReplayOptions options, final long expectedPackets) throws Exception
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long before = threads.getCurrentThreadAllocatedBytes();
        final ReplayStats stats = Replayer.run(options);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(expectedPackets, stats.packets());
        return allocated;
    }

    private ReplayOptions.Builder preloaded(final Path capture, final int loops)
    {
        return ReplayOptions.builder(capture).iface(ns.sendSide()).netns(ns.name()).preload(true).loops(loops);
    }

    @Test
    void shouldNotAllocatePerPacketAtTopSpeed() throws Exception
    {
        final Path capture = Corpus.file("tcpdump/geneve.pcap");
        // compiled code is what must not allocate; when C2 is done depends on the machine's load: measure again
        // until it is (or give up after many tries)
        long few = 0;
        long many = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 10 && many - few >= SLACK_BYTES; attempt++)
        {
            allocatedBy(preloaded(capture, 2000).topspeed().build(), 2000 * 39L);
            few = allocatedBy(preloaded(capture, 10).topspeed().build(), 10 * 39L);
            many = allocatedBy(preloaded(capture, 1000).topspeed().build(), 1000 * 39L);
        }
        assertTrue(many - few < SLACK_BYTES, "few packets: " + few + " B, 100x more: " + many + " B");
    }

    @Test
    void shouldNotAllocatePerPacketWhenPaced() throws Exception
    {
        // a rate so high every frame is due at once: the pacing path (deadlines, histogram) without waiting
        final Path capture = Corpus.file("tcpdump/geneve.pcap");
        // compiled code is what must not allocate; when C2 is done depends on the machine's load: measure again
        // until it is (or give up after many tries)
        long few = 0;
        long many = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 10 && many - few >= SLACK_BYTES; attempt++)
        {
            allocatedBy(preloaded(capture, 2000).pps(1e9).build(), 2000 * 39L);
            few = allocatedBy(preloaded(capture, 10).pps(1e9).build(), 10 * 39L);
            many = allocatedBy(preloaded(capture, 1000).pps(1e9).build(), 1000 * 39L);
        }
        assertTrue(many - few < SLACK_BYTES, "few packets: " + few + " B, 100x more: " + many + " B");
    }
}
