package io.vfplane.encap.rules;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.vfplane.encap.codec.TunnelDrop;
import io.vfplane.encap.config.RuleFile;
import io.vfplane.encap.format.TunnelFormat;
import io.vfplane.encap.testsupport.CodecHarness;
import io.vfplane.encap.testsupport.Frames;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertSame;

class RuleSetTest
{
    private static CodecHarness harness;

    @BeforeAll
    static void open()
    {
        harness = new CodecHarness();
    }

    @AfterAll
    static void close()
    {
        harness.close();
    }

    private static RuleSet rules(final String yaml) throws Exception
    {
        return RuleFile.parse("t.yaml", new StringReader(yaml));
    }

    private static byte[] to(final String dst)
    {
        return Frames.icmpEcho(0x0200_0000_0A02L, 0x0200_0000_0A01L, Frames.ip("10.0.0.1"), Frames.ip(dst), 64, 0,
            false, 8);
    }

    private static byte[] to6(final String dst)
    {
        return Frames.udp6(0x0200_0000_0A02L, 0x0200_0000_0A01L, Frames.ip6("fd00::1"), Frames.ip6(dst), 64, 8);
    }

    @Test
    void shouldPickTheLongestPrefixForIpv4AndIpv6() throws Exception
    {
        final RuleSet r = rules(String.join("\n",
            "egress:",
            "  - {match: {dst-ip: 10.0.0.0/8}, action: deliver, vf: 8}",
            "  - {match: {dst-ip: 10.1.0.0/16}, action: deliver, vf: 16}",
            "  - {match: {dst-ip: 10.1.2.0/24}, action: deliver, vf: 24}",
            "  - {match: {dst-ip: 10.1.2.128/25}, action: deliver, vf: 25}",
            "  - {match: {dst-ip: 10.1.2.200/32}, action: deliver, vf: 32}",
            "  - {match: {dst-ip: 0.0.0.0/0}, action: deliver, vf: 0}",
            "  - {match: {dst-ip: \"fd00::/8\"}, action: deliver, vf: 108}",
            "  - {match: {dst-ip: \"fd00:1:2:3::/64\"}, action: deliver, vf: 164}",
            "  - {match: {dst-ip: \"fd00:1:2:3::99/127\"}, action: deliver, vf: 227}",
            "  - {match: {dst-ip: \"fd00:1:2:3::42/128\"}, action: deliver, vf: 228}"));
        assertEquals(8, harness.egress(r, to("10.9.9.9"), -1).d().vf());
        assertEquals(16, harness.egress(r, to("10.1.9.9"), -1).d().vf());
        assertEquals(24, harness.egress(r, to("10.1.2.3"), -1).d().vf());
        assertEquals(25, harness.egress(r, to("10.1.2.129"), -1).d().vf());
        assertEquals(32, harness.egress(r, to("10.1.2.200"), -1).d().vf());
        assertEquals(0, harness.egress(r, to("192.168.1.1"), -1).d().vf());
        assertEquals(108, harness.egress(r, to6("fd77::1"), -1).d().vf());
        assertEquals(164, harness.egress(r, to6("fd00:1:2:3::1"), -1).d().vf());
        assertEquals(227, harness.egress(r, to6("fd00:1:2:3::99"), -1).d().vf());
        assertEquals(227, harness.egress(r, to6("fd00:1:2:3::98"), -1).d().vf());
        assertEquals(228, harness.egress(r, to6("fd00:1:2:3::42"), -1).d().vf());
        assertEquals(TunnelDrop.NO_RULE, harness.egress(r, to6("2001:db8::1"), -1).drop());
    }

    @Test
    void shouldPreferTheVfScopeThenMacOverPrefixAndCountHits() throws Exception
    {
        final RuleSet r = rules(String.join("\n",
            "egress:",
            "  - {match: {dst-ip: 10.0.0.0/8}, action: deliver, vf: 1}",
            "  - {match: {vf: 4, dst-ip: 10.0.0.0/8}, action: deliver, vf: 2}",
            "  - {match: {vf: 4, dst-mac: 02:00:00:00:0a:02}, action: deliver, vf: 3}",
            "  - {match: {vf: 5}, action: drop}",
            "  - match: {vf: 6, five-tuple: {src: 10.0.0.1, dst: 10.0.0.2, protocol: 1}}",
            "    action: deliver",
            "    vf: 7",
            "  - {match: {vf: 6}, action: deliver, vf: 9}"));
        assertEquals(1, harness.egress(r, to("10.0.0.2"), 3).d().vf());
        assertEquals(3, harness.egress(r, to("10.0.0.2"), 4).d().vf());
        assertEquals(TunnelDrop.RULE_DROP, harness.egress(r, to("10.0.0.2"), 5).drop());
        assertEquals(7, harness.egress(r, to("10.0.0.2"), 6).d().vf());
        assertEquals(9, harness.egress(r, to("10.0.0.3"), 6).d().vf());
        assertEquals(1, r.egressHits(0));
        assertEquals(1, r.egressHits(2));
        assertEquals(1, r.egressHits(3));
        assertEquals(0, r.egressHits(1));
    }

    @Test
    void shouldDropFramesTooBigForTheUnderlayMtu() throws Exception
    {
        final RuleSet r = rules(String.join("\n",
            "underlay: {local-ipv4: 192.0.2.1, mtu: 1500}",
            "egress: [{match: {}, action: encap, format: vxlan, remote: 192.0.2.2, vni: 1}]"));
        final byte[] fits = Frames.icmpEcho(2, 1, Frames.ip("10.0.0.1"), Frames.ip("10.0.0.2"), 64, 0, false,
            1500 - 50 - 28);
        final byte[] big = Frames.icmpEcho(2, 1, Frames.ip("10.0.0.1"), Frames.ip("10.0.0.2"), 64, 0, false,
            1500 - 50 - 28 + 1);
        assertEquals(TunnelDrop.NONE, harness.egress(r, fits, 0).drop());
        assertEquals(1514, harness.egress(r, fits, 0).frame().length);
        assertEquals(TunnelDrop.FRAME_TOO_BIG, harness.egress(r, big, 0).drop());
    }

    @Test
    void shouldWriteOnlyTheTunnelHeaderForASocketUnderlay() throws Exception
    {
        final RuleSet r = rules(String.join("\n",
            "underlay: {depth: tunnel-header}",
            "egress: [{match: {}, action: encap, format: vxlan, remote: 192.0.2.2, vni: 0x123456}]"));
        final byte[] frame = to("10.0.0.2");
        final byte[] out = harness.egress(r, frame, 0).frame();
        assertEquals(frame.length + 8, out.length);
        assertEquals(0x08, out[0]);
        assertEquals(0x12, out[4]);
        assertEquals(0x34, out[5]);
        assertEquals(0x56, out[6]);
    }

    @Test
    void shouldSwapRuleSetsAtomicallyAndKeepTheOldOneWholeForReaders() throws Exception
    {
        final RuleSet a = rules("egress: [{match: {}, action: deliver, vf: 1}]");
        final RuleSet b = rules("egress: [{match: {}, action: deliver, vf: 2}]");
        final RuleTables tables = new RuleTables(a);
        final RuleSet batchView = tables.current();
        tables.apply(b);
        assertSame(a, batchView);
        assertEquals(1, harness.egress(batchView, to("10.0.0.2"), 0).d().vf());
        assertEquals(2, harness.egress(tables.current(), to("10.0.0.2"), 0).d().vf());
        assertEquals(1, tables.generation());
    }

    @Test
    void shouldBuildAndLookUpAMillionIngressRules()
    {
        final List<IngressRule> ingress = new ArrayList<>();
        for (int i = 0; i < 1_000_000; i++)
        {
            ingress.add(new IngressRule(new byte[]{(byte)192, 0, 2, 1}, TunnelFormat.VXLAN, i, 0x0200_0000_0000L | i,
                null, IngressRule.Action.DELIVER, i & 0xFFFF));
        }
        final RuleSet r = RuleSet.build(Underlay.fullFrame(new byte[]{(byte)192, 0, 2, 1}, null, 1, 2),
            List.of(TunnelFormat.VXLAN), List.of(), List.of(), ingress);
        final long dst = 0xFFFF_0000_0000L | 0xC0000201L;
        for (int i = 0; i < 1_000_000; i += 9973)
        {
            assertEquals(i, r.ingressLookup(0, i, 0, dst, 0, 0, 0x0200_0000_0000L | i));
            assertEquals(RuleSet.NO_RULE, r.ingressLookup(0, i, 0, dst, 0, 0, 0x0200_0000_0000L | (i + 1)));
        }
        // entries carry rule, action and VF; hits land on the matched rule's own record (records moved while the
        // table grew, so this also checks that each rule finds its record again)
        for (int i = 0; i < 1_000_000; i += 9973)
        {
            for (int n = 0; n <= i % 3; n++)
            {
                final long entry = r.ingressMatch(0, i, 0, dst, 0, 0, 0x0200_0000_0000L | i);
                assertEquals(i, RuleSet.entryRule(entry));
                assertEquals(RuleSet.ACTION_DELIVER, RuleSet.entryAction(entry));
                assertEquals(i & 0xFFFF, RuleSet.entryVf(entry));
            }
            assertEquals(RuleSet.NO_ENTRY, r.ingressMatch(0, i, 0, dst, 0, 0, 0x0200_0000_0000L | (i + 1)));
        }
        for (int i = 0; i < 1_000_000; i++)
        {
            assertEquals(i % 9973 == 0 ? i % 3 + 1 : 0, r.ingressHits(i), "hits of rule " + i);
        }
    }

    @Test
    void shouldRefuseMoreFormatsThanTheIngressKeyCanName()
    {
        // the ingress key holds the format index in 8 bits: a 257th format would spill into the endpoint's bits
        final List<TunnelFormat> formats = new ArrayList<>();
        for (int f = 0; f < 257; f++)
        {
            formats.add(TunnelFormat.custom("f" + f, TunnelFormat.IP_PROTOCOL_UDP, 10_000 + f, 8, 4, 24,
                TunnelFormat.NO_FIELD, 0, new byte[8], new byte[8]));
        }
        final Underlay underlay = Underlay.fullFrame(new byte[]{(byte)192, 0, 2, 1}, null, 1, 2);
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> RuleSet.build(underlay, formats, List.of(), List.of(), List.of()));
        assertEquals(true, e.getMessage().contains("at most 256"), e.getMessage());
        assertEquals(256, RuleSet.build(underlay, formats.subList(0, 256), List.of(), List.of(), List.of())
            .formatCount());
    }

    @Test
    void shouldFindTheSameRuleThroughTheBatchKeyAsThroughAPlainLookup()
    {
        final List<IngressRule> ingress = new ArrayList<>();
        for (int i = 0; i < 1000; i++)
        {
            ingress.add(new IngressRule(new byte[]{(byte)192, 0, 2, 1}, TunnelFormat.VXLAN, i, 0x0200_0000_0000L | i,
                null, i % 7 == 0 ? IngressRule.Action.DROP : IngressRule.Action.DELIVER, i & 0xFF));
        }
        final RuleSet r = RuleSet.build(Underlay.fullFrame(new byte[]{(byte)192, 0, 2, 1}, null, 1, 2),
            List.of(TunnelFormat.VXLAN), List.of(), List.of(), ingress);
        final long dst = 0xFFFF_0000_0000L | 0xC0000201L;
        final int endpoint = r.ingressEndpoint(0, dst);
        assertEquals(true, endpoint >= 0);
        for (int i = 0; i < 1100; i++)
        {
            final long mac = 0x0200_0000_0000L | i;
            final long key = RuleSet.ingressKey(endpoint, 0, i);
            int record = r.ingressFirstRecordOfKey(key, mac);
            final int advanced = r.ingressAdvanceKey(record, key, mac);
            record = advanced < 0 ? ~advanced : advanced;
            final long entry = r.ingressMatchKey(record, key, 0, 0, mac);
            assertEquals(r.ingressLookup(0, i, 0, dst, 0, 0, mac), RuleSet.entryRule(entry), "rule of vni " + i);
            if (i < 1000)
            {
                assertEquals(i, RuleSet.entryRule(entry));
                assertEquals(i % 7 == 0 ? RuleSet.ACTION_DROP : RuleSet.ACTION_DELIVER, RuleSet.entryAction(entry));
                assertEquals(1, r.ingressHits(i), "hits of vni " + i);
            }
            else
            {
                assertEquals(RuleSet.NO_ENTRY, entry);
            }
        }
        // no endpoint: the key is negative and nothing matches, whatever the record says
        assertEquals(RuleSet.NO_ENTRY, r.ingressMatchKey(-1, RuleSet.ingressKey(-1, 0, 5), 0, 0, 0x0200_0000_0005L));
    }
}
