package io.vfplane.encap.codec;

import java.io.StringReader;
import java.nio.ByteOrder;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.vfplane.dataplane.checksum.Checksums;
import io.vfplane.encap.config.RuleFile;
import io.vfplane.encap.rules.RuleSet;
import io.vfplane.encap.rules.TunnelTemplates;
import io.vfplane.encap.testsupport.CodecHarness;
import io.vfplane.encap.testsupport.Frames;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A tunnel with fixed TTL, DSCP and DF takes encap's short path (the template carries those fields); it must write
 * the very bytes the general path writes when the same values come from the inner header, the ECN bits copied from
 * the inner header in both (RFC 6040 normal mode), with a valid IPv4 header checksum.
 */
class EncapFastPathTest
{
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    private static final String RULES = String.join("\n",
        "underlay: {local-ipv4: 192.0.2.1, local-mac: \"02:00:00:00:00:01\", gateway-mac: \"02:00:00:00:00:fe\"}",
        "egress:",
        "  - {match: {vf: 0}, action: encap, format: vxlan, remote: 192.0.2.2, vni: 42, ttl: 30, dscp: 10, df: set}",
        "  - {match: {vf: 1}, action: encap, format: vxlan, remote: 192.0.2.2, vni: 42, ttl: inherit, dscp: inherit," +
            " df: inherit}",
        "");

    @Test
    void shouldWriteTheSameOuterHeaderOnTheShortPathAsOnTheGeneralOneWithTheInnerEcn() throws Exception
    {
        final RuleSet rules = RuleFile.parse("t.yaml", new StringReader(RULES));
        try (CodecHarness h = new CodecHarness())
        {
            for (final int ecn : new int[]{0, 1, 3})
            {
                final byte[] inner =
                    Frames.icmpEcho(2, 1, Frames.ip("10.0.0.1"), Frames.ip("10.0.0.2"), 30, 10 << 2 | ecn, true, 22);
                // the harness reuses its descriptor: take the tunnel id before the next call
                final CodecHarness.Result fast = h.egress(rules, inner, 0);
                final int fastTunnel = fast.d().tunnelId();
                final CodecHarness.Result general = h.egress(rules, inner, 1);
                final int generalTunnel = general.d().tunnelId();
                assertEquals(TunnelDrop.NONE, fast.drop());
                assertEquals(TunnelDrop.NONE, general.drop());
                assertEquals(TunnelTemplates.KIND_IPV4_UDP, kind(rules, fastTunnel));
                assertEquals(TunnelTemplates.KIND_GENERAL, kind(rules, generalTunnel));
                assertArrayEquals(general.frame(), fast.frame());
                final UnsafeBuffer outer = new UnsafeBuffer(fast.frame());
                assertEquals(10 << 2 | ecn, outer.getByte(15) & 0xFF);
                assertEquals(0x4000, outer.getShort(20, BE) & 0xFFFF);
                assertEquals(30, outer.getByte(22) & 0xFF);
                assertEquals(fast.frame().length - 14, outer.getShort(16, BE) & 0xFFFF);
                int sum = Checksums.sum(outer, 14, 20, 0);
                sum = (sum & 0xFFFF) + (sum >>> 16);
                sum = (sum & 0xFFFF) + (sum >>> 16);
                assertEquals(0xFFFF, sum, "IPv4 header checksum");
            }
        }
    }

    private static int kind(final RuleSet rules, final int tunnel)
    {
        return rules.templates().records()[(tunnel << TunnelTemplates.RECORD_SHIFT) + TunnelTemplates.R_KIND];
    }
}
