package io.vfplane.encap.stage;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.vfplane.dataplane.counters.Counters;
import io.vfplane.encap.config.RuleFile;
import io.vfplane.encap.rules.RuleSet;
import io.vfplane.encap.rules.RuleTables;
import io.vfplane.encap.testsupport.Frames;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TunnelProcessorTest
{
    private static final String RULES = String.join("\n",
        "underlay: {local-ipv4: 192.0.2.1}",
        "egress:",
        "  - {match: {vf: 1}, action: encap, format: vxlan, remote: 192.0.2.2, vni: 42}",
        "  - {match: {vf: 2}, action: drop}",
        "ingress:",
        "  - {match: {format: vxlan, vni: 42}, action: deliver, vf: 7}",
        "");

    @Test
    void shouldEncapsulateThroughThePipelineThenDecapsulateBackWithCounters() throws Exception
    {
        final RuleSet rules = RuleFile.parse("p.yaml", new StringReader(RULES));
        final RuleTables tables = new RuleTables(rules);
        final Counters counters = Counters.inMemory(256);
        final List<byte[]> inner = new ArrayList<>();
        final List<byte[]> encapsulated = Collections.synchronizedList(new ArrayList<>());
        try (TunnelProcessor egress = new TunnelProcessor(tables, TunnelProcessor.Direction.EGRESS, counters,
            (buffer, offset, length, sequence, vf) ->
            {
                final byte[] b = new byte[length];
                buffer.getBytes(offset, b);
                encapsulated.add(b);
            }, 9000))
        {
            for (int i = 0; i < 1000; i++)
            {
                final byte[] frame = Frames.icmpEcho(2, 1, Frames.ip("10.0.0.1"), Frames.ip("10.0.0.2"), 64, 0,
                    false, i % 100);
                if (i % 10 != 9)
                {
                    inner.add(frame);
                }
                egress.offer(frame, frame.length, i % 10 == 9 ? 2 : 1, i);
            }
        }
        assertEquals(900, encapsulated.size());
        assertEquals(900, counters.valueOf("pipeline.process.stage.encap.encapsulated", -1));
        assertEquals(100, counters.valueOf("pipeline.process.stage.encap.drop.rule_drop", -1));

        final Counters counters2 = Counters.inMemory(256);
        final List<byte[]> decapsulated = Collections.synchronizedList(new ArrayList<>());
        try (TunnelProcessor ingress = new TunnelProcessor(tables, TunnelProcessor.Direction.INGRESS, counters2,
            (buffer, offset, length, sequence, vf) ->
            {
                assertEquals(7, vf);
                final byte[] b = new byte[length];
                buffer.getBytes(offset, b);
                decapsulated.add(b);
            }, 9000))
        {
            for (int i = 0; i < encapsulated.size(); i++)
            {
                ingress.offer(encapsulated.get(i), encapsulated.get(i).length, -1, i);
            }
            final byte[] junk = new byte[60];
            ingress.offer(junk, junk.length, -1, -1);
        }
        assertEquals(900, decapsulated.size());
        for (int i = 0; i < 900; i++)
        {
            assertArrayEquals(inner.get(i), decapsulated.get(i));
        }
        assertEquals(1, counters2.valueOf("pipeline.process.stage.decap.drop.not_a_tunnel", -1));
        assertEquals(900, rules.ingressHits(0));
    }

    @Test
    void shouldTakeEveryFrameAsComingInOnPortZeroForRulesThatMatchAPort() throws Exception
    {
        final RuleSet rules = RuleFile.parse("port.yaml", new StringReader(String.join("\n",
            "underlay: {local-ipv4: 192.0.2.1}",
            "egress:",
            "  - {match: {port: 0}, action: encap, format: vxlan, remote: 192.0.2.2, vni: 42}",
            "")));
        final Counters counters = Counters.inMemory(256);
        final List<byte[]> out = Collections.synchronizedList(new ArrayList<>());
        try (TunnelProcessor egress = new TunnelProcessor(new RuleTables(rules), TunnelProcessor.Direction.EGRESS,
            counters, (buffer, offset, length, sequence, vf) -> out.add(new byte[length]), 9000))
        {
            for (int i = 0; i < 10; i++)
            {
                final byte[] frame = Frames.icmpEcho(2, 1, Frames.ip("10.0.0.1"), Frames.ip("10.0.0.2"), 64, 0,
                    false, i);
                egress.offer(frame, frame.length, -1, i);
            }
        }
        assertEquals(10, out.size());
        assertEquals(10, counters.valueOf("pipeline.process.stage.encap.encapsulated", -1));
    }
}
