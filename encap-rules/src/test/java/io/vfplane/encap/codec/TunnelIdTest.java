package io.vfplane.encap.codec;

import java.io.StringReader;
import java.net.InetAddress;

import org.junit.jupiter.api.Test;

import io.vfplane.encap.config.RuleFile;
import io.vfplane.encap.format.TunnelFormat;
import io.vfplane.encap.rules.RuleSet;
import io.vfplane.encap.rules.TunnelEndpoint;
import io.vfplane.encap.testsupport.CodecHarness;
import io.vfplane.encap.testsupport.Frames;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * A UDP-socket underlay (tunnel-header depth) gets only the tunnel header in the buffer; the descriptor's tunnel id
 * and the rule set's endpoint table must say where the datagram goes.
 */
class TunnelIdTest
{
    private static final String RULES = String.join("\n",
        "underlay: {local-ipv4: 192.0.2.1, local-ipv6: \"2001:db8::1\", depth: tunnel-header}",
        "formats: [{name: vxlan-linux, base: vxlan, udp-port: 8472}]",
        "egress:",
        "  - {match: {vf: 0}, action: encap, format: vxlan, remote: 192.0.2.2, vni: 42}",
        "  - {match: {vf: 1}, action: encap, format: geneve, remote: \"2001:db8::2\", vni: 43}",
        "  - {match: {vf: 2}, action: encap, format: vxlan, remote: 192.0.2.2, vni: 42}",
        "  - {match: {vf: 3}, action: encap, format: vxlan-linux, remote: 192.0.2.9, vni: 44}",
        "  - {match: {vf: 4}, action: encap, format: nvgre, remote: 192.0.2.4, vni: 5000}",
        "");

    @Test
    void shouldRecordTheTunnelIdWhoseEndpointAddressesTheDatagram() throws Exception
    {
        final RuleSet rules = RuleFile.parse("t.yaml", new StringReader(RULES));
        final byte[] inner = Frames.icmpEcho(2, 1, Frames.ip("10.0.0.1"), Frames.ip("10.0.0.2"), 64, 0, false, 10);
        try (CodecHarness h = new CodecHarness())
        {
            final int[] expectedPort = {4789, 6081, 4789, 8472, 0};
            final String[] expectedRemote = {"192.0.2.2", "2001:db8::2", "192.0.2.2", "192.0.2.9", "192.0.2.4"};
            final int[] ids = new int[5];
            for (int vf = 0; vf < 5; vf++)
            {
                final CodecHarness.Result r = h.egress(rules, inner, vf);
                assertEquals(TunnelDrop.NONE, r.drop());
                // tunnel-header depth: only the tunnel header in front of the inner frame
                assertEquals(inner.length + rules.templates().length(r.d().tunnelId()), r.frame().length);
                ids[vf] = r.d().tunnelId();
                final TunnelEndpoint endpoint = rules.tunnelEndpoint(ids[vf]);
                assertEquals(ids[vf], endpoint.id());
                assertEquals(InetAddress.getByName(expectedRemote[vf]), endpoint.remote());
                assertEquals(expectedPort[vf], endpoint.port());
                if (expectedPort[vf] == 0)
                {
                    assertNull(endpoint.socket());
                }
                else
                {
                    assertEquals(expectedPort[vf], endpoint.socket().getPort());
                    assertEquals(endpoint.remote(), endpoint.socket().getAddress());
                }
            }
            // the same tunnel from two rules is one tunnel id
            assertEquals(ids[0], ids[2]);
            assertEquals(4, rules.tunnelCount());
            assertSame(TunnelFormat.GENEVE, rules.tunnelEndpoint(ids[1]).format());
            assertSame(TunnelFormat.NVGRE, rules.tunnelEndpoint(ids[4]).format());
        }
    }
}
