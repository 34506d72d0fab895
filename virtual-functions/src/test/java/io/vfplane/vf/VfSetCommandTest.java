package io.vfplane.vf;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VfSetCommandTest
{
    private static VfConfig apply(final String args)
    {
        return VfSetCommand.apply(VfConfig.defaults(3), List.of(args.split(" ")));
    }

    private static String error(final String args)
    {
        return assertThrows(IllegalArgumentException.class, () -> apply(args)).getMessage();
    }

    @Test
    void shouldStartWithIpLinkDefaults()
    {
        final VfConfig config = VfConfig.defaults(3);
        assertEquals(0, config.mac());
        assertEquals(0, config.vlan());
        assertTrue(config.spoofCheck(), "spoof checking is on by default, as on SR-IOV NICs");
        assertFalse(config.trust());
        assertSame(LinkState.AUTO, config.linkState());
        assertEquals(0, config.maxTxRateMbps());
    }

    @Test
    void shouldApplyEveryFieldOfIpLinkVfSet()
    {
        final VfConfig config = apply("mac 02:00:00:00:00:07 vlan 100 qos 5 proto 802.1ad spoofchk off trust on " +
            "state disable max_tx_rate 250 min_tx_rate 10 ip 10.0.0.7,2001:db8::7,10.0.0.8");
        assertEquals(0x0200_0000_0007L, config.mac());
        assertEquals(100, config.vlan());
        assertEquals(5, config.qos());
        assertEquals(VfConfig.PROTO_8021AD, config.vlanProtocol());
        assertFalse(config.spoofCheck());
        assertTrue(config.trust());
        assertSame(LinkState.DISABLE, config.linkState());
        assertEquals(250, config.maxTxRateMbps());
        assertEquals(10, config.minTxRateMbps());
        assertEquals(250_000_000L / 8, config.maxTxBytesPerSecond(), "Mbit/s as ip link: 10^6 bits");
        assertArrayEquals(new int[]{0x0A000007, 0x0A000008}, config.ipv4Addresses());
        assertArrayEquals(new long[]{0x2001_0DB8_0000_0000L, 7}, config.ipv6Addresses());
        assertTrue(config.toString().endsWith("ip 10.0.0.7,10.0.0.8,2001:db8::7"), config.toString());
        assertEquals(3, config.index());
    }

    @Test
    void shouldKeepFieldsNotNamed()
    {
        final VfConfig before = apply("mac 02:00:00:00:00:07 vlan 10");
        final VfConfig after = VfSetCommand.apply(before, List.of("trust", "on"));
        assertEquals(before.mac(), after.mac());
        assertEquals(10, after.vlan());
        assertTrue(after.trust());
    }

    @Test
    void shouldTreatRateAsMaxTxRate()
    {
        assertEquals(40, apply("rate 40").maxTxRateMbps());
    }

    @Test
    void shouldClearVlanWithZeroAndIpsWithNone()
    {
        final VfConfig set = apply("vlan 7 ip 10.0.0.1");
        final VfConfig cleared = VfSetCommand.apply(set, List.of("vlan", "0", "ip", "none"));
        assertEquals(0, cleared.vlan());
        assertEquals(0, cleared.ipv4Addresses().length);
    }

    @Test
    void shouldNameTheFieldInEveryError()
    {
        assertTrue(error("mac 02:00:00:00:00").startsWith("mac:"), error("mac 02:00:00:00:00"));
        assertTrue(error("mac 01:00:5e:00:00:01").startsWith("mac: a VF MAC must be unicast"));
        assertTrue(error("vlan 4095").startsWith("vlan:"));
        assertTrue(error("vlan 10 qos 8").startsWith("qos:"));
        assertTrue(error("qos 1").startsWith("qos: must follow vlan"));
        assertTrue(error("vlan 10 proto 802.1x").startsWith("proto:"));
        assertTrue(error("vlan 0 qos 3").startsWith("qos:"));
        assertTrue(error("spoofchk yes").startsWith("spoofchk:"));
        assertTrue(error("trust 1").startsWith("trust:"));
        assertTrue(error("state up").startsWith("state:"));
        assertTrue(error("max_tx_rate -1").startsWith("max_tx_rate:"));
        assertTrue(error("max_tx_rate 10 min_tx_rate 20").startsWith("min_tx_rate:"));
        assertTrue(error("ip 10.0.0.256").startsWith("ip:"));
        assertTrue(error("mtu 1500").startsWith("mtu: unknown field"));
        assertTrue(error("trust").startsWith("trust: missing value"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> VfSetCommand.parseIndex("x")).getMessage()
            .startsWith("vf:"));
    }

    @Test
    void shouldShowLikeIpLink()
    {
        assertEquals("vf 3 link/ether 02:00:00:00:00:07 brd ff:ff:ff:ff:ff:ff, vlan 100, qos 5, " +
            "tx rate 250 (Mbps), max_tx_rate 250Mbps, min_tx_rate 0Mbps, spoof checking on, link-state enable, " +
            "trust off", apply("mac 02:00:00:00:00:07 vlan 100 qos 5 max_tx_rate 250 state enable").toString());
    }
}
