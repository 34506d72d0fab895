package io.vfplane.pcap.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.vfplane.dataplane.testsupport.Corpus;
import io.vfplane.vf.port.tap.NetNs;

/**
 * The comparison the perf harness runs, made small: it must parse tcpreplay's own summary, measure both senders on
 * the same capture, and leave no namespace behind. No assertion on which is faster (that is a measurement).
 */
class TcpreplayComparisonTest
{
    @Test
    void shouldMeasureBothSendersAndRemoveItsNamespace() throws Exception
    {
        final String prefix = "vfrp-" + ProcessHandle.current().pid() + "-";
        final long before = namespacesStartingWith(prefix);

        final TcpreplayComparison.Result result =
            TcpreplayComparison.compare(Corpus.file("tcpdump/vxlan.pcap"), 20, 1, 16);

        assertEquals(200, result.packets(), "tcpreplay's Actual line: 10 frames x 20 loops");
        assertTrue(result.tcpreplayPps() > 0, result.toString());
        assertTrue(result.vfplanePps() > 0, result.toString());
        assertEquals(1, result.tcpreplayRounds().size());
        assertTrue(result.toString().contains("ratio"), result.toString());
        assertEquals(before, namespacesStartingWith(prefix), "namespace removed");
    }

    private static long namespacesStartingWith(final String prefix)
    {
        return NetNs.run("ip", "netns", "list").lines().filter(line -> line.startsWith(prefix)).count();
    }
}
