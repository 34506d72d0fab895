package io.vfplane.dataplane.headers;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeaderFlyweightTest
{
    private static final int ROUNDS = 2000;
    private final Random random = new Random(20240601);
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);

    private int offset()
    {
        // Odd and even offsets alike: nothing may assume alignment.
        return random.nextInt(64);
    }

    private static byte[] hex(final String s)
    {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    private byte[] bytesAt(final int offset, final int length)
    {
        final byte[] out = new byte[length];
        buffer.getBytes(offset, out);
        return out;
    }

    @Test
    void shouldRoundTripEthernetAndVlanFieldsAtAnyOffset()
    {
        final EthernetFlyweight eth = new EthernetFlyweight();
        final VlanTagFlyweight vlan = new VlanTagFlyweight();
        for (int i = 0; i < ROUNDS; i++)
        {
            final int at = offset();
            final long dst = random.nextLong() & 0xFFFF_FFFF_FFFFL;
            final long src = random.nextLong() & 0xFFFF_FFFF_FFFFL;
            final int type = random.nextInt(65536);
            eth.wrap(buffer, at).destination(dst).source(src).ethertype(type);
            assertEquals(dst, eth.destination());
            assertEquals(src, eth.source());
            assertEquals(type, eth.ethertype());
            final byte[] mac = new byte[6];
            eth.copySourceTo(mac, 0);
            assertEquals(src, EthernetFlyweight.macToLong(mac, 0));

            final int pcp = random.nextInt(8);
            final boolean dei = random.nextBoolean();
            final int vid = random.nextInt(4096);
            vlan.wrap(buffer, at).vid(vid).pcp(pcp).dei(dei).ethertype(type);
            assertEquals(pcp, vlan.pcp());
            assertEquals(dei, vlan.dei());
            assertEquals(vid, vlan.vid());
            assertEquals(type, vlan.ethertype());
        }
    }

    @Test
    void shouldRoundTripIpv4FieldsAtAnyOffset()
    {
        final Ipv4Flyweight ip = new Ipv4Flyweight();
        for (int i = 0; i < ROUNDS; i++)
        {
            final int at = offset();
            final int ihl = random.nextInt(16);
            final int dscp = random.nextInt(64);
            final int ecn = random.nextInt(4);
            final int total = random.nextInt(65536);
            final int id = random.nextInt(65536);
            final boolean df = random.nextBoolean();
            final boolean mf = random.nextBoolean();
            final int frag = random.nextInt(8192);
            final int ttl = random.nextInt(256);
            final int proto = random.nextInt(256);
            final int sum = random.nextInt(65536);
            final int src = random.nextInt();
            final int dst = random.nextInt();
            ip.wrap(buffer, at).version(4).ihl(ihl).dscp(dscp).ecn(ecn).totalLength(total).identification(id)
                .fragmentOffset(frag).dontFragment(df).moreFragments(mf).ttl(ttl).protocol(proto).checksum(sum)
                .source(src).destination(dst);
            assertEquals(4, ip.version());
            assertEquals(ihl, ip.ihl());
            assertEquals(dscp, ip.dscp());
            assertEquals(ecn, ip.ecn());
            assertEquals(total, ip.totalLength());
            assertEquals(id, ip.identification());
            assertEquals(df, ip.dontFragment());
            assertEquals(mf, ip.moreFragments());
            assertEquals(frag, ip.fragmentOffset());
            assertEquals(ttl, ip.ttl());
            assertEquals(proto, ip.protocol());
            assertEquals(sum, ip.checksum());
            assertEquals(src, ip.source());
            assertEquals(dst, ip.destination());
        }
    }

    @Test
    void shouldRoundTripIpv6AndExtensionFieldsAtAnyOffset()
    {
        final Ipv6Flyweight ip = new Ipv6Flyweight();
        final Ipv6FragmentFlyweight frag = new Ipv6FragmentFlyweight();
        final Ipv6ExtensionFlyweight ext = new Ipv6ExtensionFlyweight();
        for (int i = 0; i < ROUNDS; i++)
        {
            final int at = offset();
            final int tc = random.nextInt(256);
            final int flow = random.nextInt(1 << 20);
            final int plen = random.nextInt(65536);
            final long sh = random.nextLong();
            final long sl = random.nextLong();
            final long dh = random.nextLong();
            final long dl = random.nextLong();
            ip.wrap(buffer, at).version(6).trafficClass(tc).flowLabel(flow).payloadLength(plen).nextHeader(17)
                .hopLimit(64).source(sh, sl).destination(dh, dl);
            assertEquals(6, ip.version());
            assertEquals(tc, ip.trafficClass());
            assertEquals(flow, ip.flowLabel());
            assertEquals(plen, ip.payloadLength());
            assertEquals(17, ip.nextHeader());
            assertEquals(64, ip.hopLimit());
            assertEquals(sh, ip.sourceHigh());
            assertEquals(sl, ip.sourceLow());
            assertEquals(dh, ip.destinationHigh());
            assertEquals(dl, ip.destinationLow());
            final byte[] addr = new byte[16];
            random.nextBytes(addr);
            ip.destination(addr, 0);
            final byte[] back = new byte[16];
            ip.copyDestinationTo(back, 0);
            assertArrayEquals(addr, back);

            final int fo = random.nextInt(8192);
            final boolean m = random.nextBoolean();
            final int fid = random.nextInt();
            frag.wrap(buffer, at).nextHeader(6).fragmentOffset(fo).moreFragments(m).identification(fid);
            assertEquals(6, frag.nextHeader());
            assertEquals(fo, frag.fragmentOffset());
            assertEquals(m, frag.moreFragments());
            assertEquals(fid, frag.identification());

            final int len = random.nextInt(256);
            ext.wrap(buffer, at).nextHeader(43).hdrExtLen(len).routingType(4).segmentsLeft(len ^ 0x55);
            assertEquals(43, ext.nextHeader());
            assertEquals((len + 1) * 8, ext.headerLength());
            assertEquals(4, ext.routingType());
            assertEquals(len ^ 0x55, ext.segmentsLeft());
        }
    }

    @Test
    void shouldRoundTripTransportFieldsAtAnyOffset()
    {
        final UdpFlyweight udp = new UdpFlyweight();
        final TcpFlyweight tcp = new TcpFlyweight();
        final IcmpFlyweight icmp = new IcmpFlyweight();
        final Icmpv6Flyweight icmp6 = new Icmpv6Flyweight();
        for (int i = 0; i < ROUNDS; i++)
        {
            final int at = offset();
            final int sp = random.nextInt(65536);
            final int dp = random.nextInt(65536);
            udp.wrap(buffer, at).sourcePort(sp).destinationPort(dp).length(sp ^ dp).checksum(dp);
            assertEquals(sp, udp.sourcePort());
            assertEquals(dp, udp.destinationPort());
            assertEquals(sp ^ dp, udp.length());
            assertEquals(dp, udp.checksum());

            final long seq = random.nextLong() & 0xFFFF_FFFFL;
            final long ack = random.nextLong() & 0xFFFF_FFFFL;
            final int doff = random.nextInt(16);
            final int flags = random.nextInt(4096);
            tcp.wrap(buffer, at).sourcePort(sp).destinationPort(dp).sequenceNumber(seq).acknowledgmentNumber(ack)
                .flags(flags).dataOffset(doff).window(sp).checksum(dp).urgentPointer(sp ^ 1);
            assertEquals(sp, tcp.sourcePort());
            assertEquals(dp, tcp.destinationPort());
            assertEquals(seq, tcp.sequenceNumber());
            assertEquals(ack, tcp.acknowledgmentNumber());
            assertEquals(doff, tcp.dataOffset());
            assertEquals(flags, tcp.flags());
            assertEquals((flags & TcpFlyweight.FLAG_AE) != 0, tcp.flag(TcpFlyweight.FLAG_AE));
            assertEquals(sp, tcp.window());
            assertEquals(dp, tcp.checksum());
            assertEquals(sp ^ 1, tcp.urgentPointer());

            icmp.wrap(buffer, at).type(sp & 0xFF).code(dp & 0xFF).checksum(sp).identifier(dp).sequenceNumber(sp);
            assertEquals(sp & 0xFF, icmp.type());
            assertEquals(dp & 0xFF, icmp.code());
            assertEquals(sp, icmp.checksum());
            assertEquals(dp, icmp.identifier());
            assertEquals(sp, icmp.sequenceNumber());
            icmp6.wrap(buffer, at).type(128).code(0).restOfHeader((int)seq);
            assertEquals(128, icmp6.type());
            assertEquals((int)seq, icmp6.restOfHeader());
        }
    }

    @Test
    void shouldRoundTripTunnelAndMplsFieldsAtAnyOffset()
    {
        final VxlanFlyweight vxlan = new VxlanFlyweight();
        final GeneveFlyweight geneve = new GeneveFlyweight();
        final GreFlyweight gre = new GreFlyweight();
        final MplsFlyweight mpls = new MplsFlyweight();
        final ArpFlyweight arp = new ArpFlyweight();
        for (int i = 0; i < ROUNDS; i++)
        {
            final int at = offset();
            final int vni = random.nextInt(1 << 24);
            vxlan.wrap(buffer, at).flags(0).reserved1(0).reserved2(0).vniValid(true).vni(vni);
            assertTrue(vxlan.vniValid());
            assertFalse(vxlan.reservedBitsSet());
            assertEquals(vni, vxlan.vni());

            final int words = random.nextInt(64);
            final boolean o = random.nextBoolean();
            final boolean c = random.nextBoolean();
            final int proto = random.nextInt(65536);
            geneve.wrap(buffer, at).version(0).optionsLengthWords(words).oam(o).critical(c).protocolType(proto)
                .vni(vni).reserved(0);
            assertEquals(0, geneve.version());
            assertEquals(words, geneve.optionsLengthWords());
            assertEquals(8 + words * 4, geneve.headerLength());
            assertEquals(o, geneve.oam());
            assertEquals(c, geneve.critical());
            assertEquals(proto, geneve.protocolType());
            assertEquals(vni, geneve.vni());

            final boolean cs = random.nextBoolean();
            final boolean k = random.nextBoolean();
            final boolean s = random.nextBoolean();
            final int key = random.nextInt();
            final long seq = random.nextLong() & 0xFFFF_FFFFL;
            gre.wrap(buffer, at).flagsAndVersion(0).checksumPresent(cs).keyPresent(k).sequencePresent(s)
                .protocolType(proto);
            if (cs)
            {
                gre.checksum(proto ^ 0xFFFF);
            }
            if (k)
            {
                gre.key(key);
            }
            if (s)
            {
                gre.sequenceNumber(seq);
            }
            assertEquals(4 + (cs ? 4 : 0) + (k ? 4 : 0) + (s ? 4 : 0), gre.headerLength());
            assertEquals(proto, gre.protocolType());
            assertEquals(0, gre.version());
            if (cs)
            {
                assertEquals(proto ^ 0xFFFF, gre.checksum());
            }
            if (k)
            {
                assertEquals(key, gre.key());
                assertEquals(key >>> 8, gre.vsid());
                assertEquals(key & 0xFF, gre.flowId());
            }
            if (s)
            {
                assertEquals(seq, gre.sequenceNumber());
            }

            final int label = random.nextInt(1 << 20);
            final int tc = random.nextInt(8);
            final boolean bos = random.nextBoolean();
            final int ttl = random.nextInt(256);
            mpls.wrap(buffer, at).label(label).trafficClass(tc).bottomOfStack(bos).ttl(ttl);
            assertEquals(label, mpls.label());
            assertEquals(tc, mpls.trafficClass());
            assertEquals(bos, mpls.bottomOfStack());
            assertEquals(ttl, mpls.ttl());

            final long mac = random.nextLong() & 0xFFFF_FFFF_FFFFL;
            arp.wrap(buffer, at).hardwareType(1).protocolType(0x0800).hardwareLength(6).protocolLength(4)
                .operation(2).senderHardwareAddress(mac).senderProtocolAddress(key).targetHardwareAddress(~mac & 0xFFFF_FFFF_FFFFL)
                .targetProtocolAddress(~key);
            assertTrue(arp.isEthernetIpv4());
            assertEquals(28, arp.length());
            assertEquals(2, arp.operation());
            assertEquals(mac, arp.senderHardwareAddress());
            assertEquals(key, arp.senderProtocolAddress());
            assertEquals(~mac & 0xFFFF_FFFF_FFFFL, arp.targetHardwareAddress());
            assertEquals(~key, arp.targetProtocolAddress());
        }
    }

    @Test
    void shouldLayOutEthernetAsOnTheWire()
    {
        new EthernetFlyweight().wrap(buffer, 3).destination(0x0011_2233_4455L).source(0x66778899AABBL).ethertype(0x0800);
        assertArrayEquals(hex("001122334455 66778899aabb 0800"), bytesAt(3, 14));
    }

    @Test
    void shouldLayOutIpv4AsOnTheWire()
    {
        final Ipv4Flyweight ip = new Ipv4Flyweight().wrap(buffer, 1);
        ip.version(4).ihl(5).dscp(46).ecn(1).totalLength(0x0054).identification(0x1c46).dontFragment(true)
            .moreFragments(false).fragmentOffset(0).ttl(64).protocol(1).checksum(0xb1e6)
            .source(0xac100a63).destination(0xac100a0c);
        assertArrayEquals(hex("45 b9 0054 1c46 4000 40 01 b1e6 ac100a63 ac100a0c"), bytesAt(1, 20));
        ip.fragmentOffset(0x1abc).moreFragments(true).dontFragment(false);
        assertArrayEquals(hex("3abc"), bytesAt(7, 2));
    }

    @Test
    void shouldLayOutUdpAndVxlanAsOnTheWire()
    {
        new UdpFlyweight().wrap(buffer, 5).sourcePort(0xc350).destinationPort(4789).length(0x005a).checksum(0);
        assertArrayEquals(hex("c350 12b5 005a 0000"), bytesAt(5, 8));
        new VxlanFlyweight().wrap(buffer, 13).flags(0).reserved1(0).reserved2(0).vniValid(true).vni(0x123456);
        assertArrayEquals(hex("08000000 12345600"), bytesAt(13, 8));
    }

    @Test
    void shouldLayOutGeneveWithOptionsAndIterateThem()
    {
        final GeneveFlyweight geneve = new GeneveFlyweight().wrap(buffer, 7);
        geneve.version(0).optionsLengthWords(5).oam(false).critical(true).protocolType(0x6558).vni(0x00000a)
            .reserved(0);
        int at = 7 + GeneveFlyweight.OPTIONS_OFFSET;
        at += GeneveFlyweight.putOptionHeader(buffer, at, 0x0102, 0x80, 1);
        buffer.putInt(at - 4, 0xdeadbeef, java.nio.ByteOrder.BIG_ENDIAN);
        GeneveFlyweight.putOptionHeader(buffer, at, 0xffff, 0x01, 2);
        assertArrayEquals(hex("05 40 6558 00000a 00  0102 80 01 deadbeef  ffff 01 02"), bytesAt(7, 8 + 12));

        final GeneveOptionIterator it = geneve.options(new GeneveOptionIterator(), buffer.capacity());
        assertTrue(it.next());
        assertEquals(0x0102, it.optionClass());
        assertTrue(it.critical());
        assertEquals(1, it.lengthWords());
        assertEquals(7 + 12, it.dataOffset());
        assertTrue(it.next());
        assertEquals(0xffff, it.optionClass());
        assertFalse(it.critical());
        assertEquals(2, it.lengthWords());
        assertFalse(it.next());
        assertFalse(it.malformed());

        // The same options bounded by a limit inside the second option: reported as malformed, never read past.
        geneve.options(it, 7 + 8 + 10);
        assertTrue(it.next());
        assertFalse(it.next());
        assertTrue(it.malformed());
    }

    @Test
    void shouldLayOutGreWithChecksumKeyAndSequence()
    {
        final GreFlyweight gre = new GreFlyweight().wrap(buffer, 9);
        gre.flagsAndVersion(0).checksumPresent(true).keyPresent(true).sequencePresent(true).protocolType(0x6558);
        gre.checksum(0xabcd).reserved1(0).nvgreKey(0x123456, 2).sequenceNumber(7);
        assertArrayEquals(hex("b000 6558 abcd0000 12345602 00000007"), bytesAt(9, 16));
        assertEquals(0x123456, gre.vsid());
        assertEquals(2, gre.flowId());
        gre.checksumPresent(false);
        assertEquals(4, gre.keyOffset());
    }

    @Test
    void shouldIterateTcpOptionsWithinBounds()
    {
        final TcpFlyweight tcp = new TcpFlyweight().wrap(buffer, 11);
        tcp.dataOffset(8).flags(TcpFlyweight.FLAG_SYN | TcpFlyweight.FLAG_AE);
        // MSS 1460, NOP, WS 7, SACK-permitted, EOL, padding.
        buffer.putBytes(11 + 20, hex("020405b4 01 030307 0402 00 0000"));
        final KindLengthOptionIterator it = tcp.options(new KindLengthOptionIterator(), buffer.capacity());
        final StringBuilder kinds = new StringBuilder();
        while (it.next())
        {
            kinds.append(it.kind()).append('/').append(it.length()).append(' ');
        }
        assertEquals("2/4 1/1 3/3 4/2 ", kinds.toString());
        assertFalse(it.malformed());
        assertArrayEquals(hex("8102"), bytesAt(11 + 12, 2));

        buffer.putBytes(11 + 20, hex("0228")); // MSS claiming 40 bytes inside a 12-byte option area
        tcp.options(it, buffer.capacity());
        assertFalse(it.next());
        assertTrue(it.malformed());
    }

    @Test
    void shouldFindJumboPayloadOption()
    {
        final Ipv6ExtensionFlyweight hbh = new Ipv6ExtensionFlyweight().wrap(buffer, 15);
        hbh.nextHeader(6).hdrExtLen(0);
        Ipv6OptionIterator.putJumboPayload(buffer, 15 + 2, 80040);
        assertEquals(80040, hbh.jumboPayloadLength(new Ipv6OptionIterator(), buffer.capacity()));
        buffer.putByte(15 + 2, (byte)1); // PadN of 4: no jumbo option left
        assertEquals(-1, hbh.jumboPayloadLength(new Ipv6OptionIterator(), buffer.capacity()));
    }

    @Test
    void shouldRefuseToWriteThroughReadOnlyWrap()
    {
        final UdpFlyweight udp = new UdpFlyweight().wrap((org.agrona.DirectBuffer)buffer, 0);
        assertThrows(IllegalStateException.class, () -> udp.length(8));
    }
}
