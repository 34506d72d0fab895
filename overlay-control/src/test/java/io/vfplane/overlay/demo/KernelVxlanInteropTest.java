package io.vfplane.overlay.demo;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static io.vfplane.overlay.demo.Topology.guestIp;
import static io.vfplane.overlay.demo.Topology.inNs;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A vfplane daemon on host 1 and the Linux kernel's vxlan device on host 2: the kernel resolves guest 1 by ARP
 * through the tunnel (a broadcast the daemon delivers to its VF), then ping and TCP run across.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class KernelVxlanInteropTest
{
    private Topology topology;

    @BeforeAll
    void setUp() throws Exception
    {
        RootSupport.assumeRoot();
        topology = Topology.create("vfpix", RootSupport.workDir("interop"));
        topology.kernelVxlan(2);
        assertTrue(topology.startDaemon(1, topology.writeConfig(1, null)).isAlive(), topology.log(1));
    }

    @AfterAll
    void tearDown()
    {
        if (topology != null)
        {
            topology.close();
        }
    }

    @Test
    void shouldPingAndCarryTcpBetweenADaemonAndTheKernelsVxlanDevice() throws Exception
    {
        final Topology.Result fromKernel = inNs(topology.guestNs(2), 20, "ping", "-c", "3", "-i", "0.2", "-W", "2",
            guestIp(1));
        assertTrue(fromKernel.ok(), fromKernel.output() + topology.log(1));
        final Topology.Result fromDaemon = inNs(topology.guestNs(1), 20, "ping", "-c", "3", "-i", "0.2", "-W", "2",
            guestIp(2));
        assertTrue(fromDaemon.ok(), fromDaemon.output());
        assertTrue(topology.counter(1, "stage.decap.decapsulated") >= 6);
        assertTrue(inNs(topology.guestNs(2), 5, "iperf3", "-s", "-D", "-1", "-p", "5202").ok());
        Thread.sleep(300);
        final Topology.Result tcp = inNs(topology.guestNs(1), 30, "iperf3", "-c", guestIp(2), "-p", "5202", "-t",
            "2", "-J");
        assertTrue(tcp.ok(), tcp.output());
        assertTrue(OverlayEndToEndTest.bitsPerSecond(tcp.output(), "sum_received") > 1e6, tcp.output());
    }
}
