package io.vfplane.overlay.demo;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

final class DemoRunnerTest
{
    @Test
    void shouldDeliverEveryGoodFrameAndDropSpoofedAndUnknownOnesInProcess() throws Exception
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final int code = new DemoRunner(new PrintStream(bytes, true, StandardCharsets.UTF_8)).inProcess();
        final String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out);
        assertTrue(out.contains("vf_egress spoof drops 100, encap no-rule drops 100, 20000 VXLAN frames"), out);
        assertTrue(out.contains("decapsulated 20000, delivered to guest 2: 20000"), out);
    }
}
