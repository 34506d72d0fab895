"""Decodes a pcap of tunnel frames with scapy and prints what it sees, one 'index key=value' line per field.

The test that runs this (ScapyPeerTest) asserts the values; scapy is the independent decoder. Checksums are
checked by rebuilding each header with its checksum field cleared and comparing.
"""
import sys

from scapy.all import rdpcap, raw, Ether, IP, IPv6, UDP, GRE, ICMP
from scapy.contrib.geneve import GENEVE, GeneveOptions


def ip_checksum_ok(ip):
    copy = ip.copy()
    copy.chksum = None
    return IP(raw(copy)).chksum == ip.chksum


def udp_checksum_ok(l3):
    udp = l3[UDP]
    if udp.chksum == 0 and isinstance(l3, IP):
        return "zero"
    copy = l3.copy()
    copy[UDP].chksum = None
    return str(l3.__class__(raw(copy))[UDP].chksum == udp.chksum).lower()


def main(path):
    for i, pkt in enumerate(rdpcap(path)):
        out = []
        layers = []
        layer = pkt
        while layer and layer.name != "Raw" and layer.name != "Padding":
            layers.append(layer.__class__.__name__)
            layer = layer.payload
        out.append(("layers", ":".join(layers)))
        outer = pkt.payload
        if isinstance(outer, IP):
            out += [("outer.version", 4), ("outer.src", outer.src), ("outer.dst", outer.dst),
                    ("outer.proto", outer.proto), ("outer.ttl", outer.ttl),
                    ("outer.ip_checksum_ok", str(ip_checksum_ok(outer)).lower()),
                    ("outer.len_ok", str(outer.len == len(raw(outer))).lower())]
        elif isinstance(outer, IPv6):
            out += [("outer.version", 6), ("outer.src", outer.src), ("outer.dst", outer.dst),
                    ("outer.proto", outer.nh), ("outer.ttl", outer.hlim),
                    ("outer.len_ok", str(outer.plen == len(raw(outer.payload))).lower())]
        if UDP in pkt:
            udp = pkt[UDP]
            out += [("udp.dport", udp.dport), ("udp.sport_ephemeral", str(49152 <= udp.sport <= 65535).lower()),
                    ("udp.checksum", udp_checksum_ok(outer)), ("udp.len_ok", str(udp.len == len(raw(udp))).lower())]
        if GENEVE in pkt:
            g = pkt[GENEVE]
            out += [("geneve.version", g.version), ("geneve.optionlen", g.optionlen), ("geneve.oam", g.oam),
                    ("geneve.critical", g.critical), ("geneve.proto", hex(g.proto)), ("geneve.vni", g.vni)]
            # scapy 2.5's GeneveOptions has no extract_padding: its option list swallows every option after the
            # first as Raw, so each option is decoded on its own, moving by its length field
            options = raw(g)[8:8 + g.optionlen * 4]
            n = 0
            while options:
                o = GeneveOptions(options)
                out += [("geneve.option%d" % n, "%#06x/%#04x/%d/%s" % (o.classid, o.type, o.length,
                                                                       options[4:4 + o.length * 4].hex()))]
                options = options[4 + o.length * 4:]
                n += 1
        if GRE in pkt:
            g = pkt[GRE]
            out += [("gre.key_present", g.key_present), ("gre.chksum_present", g.chksum_present),
                    ("gre.seqnum_present", g.seqnum_present), ("gre.version", g.version),
                    ("gre.proto", hex(g.proto)), ("gre.key", g.key)]
        ethers = [l for l in pkt.iterpayloads() if isinstance(l, Ether)]
        if len(ethers) > 1:
            inner = ethers[1]
            out += [("inner.dst", inner.dst), ("inner.src", inner.src)]
            if IP in inner:
                out += [("inner.ip", "%s>%s" % (inner[IP].src, inner[IP].dst))]
            if ICMP in inner:
                icmp = inner[ICMP]
                copy = icmp.copy()
                copy.chksum = None
                out += [("inner.icmp", "%d/%d/%d" % (icmp.type, icmp.id, icmp.seq)),
                        ("inner.icmp_checksum_ok", str(ICMP(raw(copy)).chksum == icmp.chksum).lower())]
        for key, value in out:
            print("%d %s=%s" % (i, key, value))


if __name__ == "__main__":
    main(sys.argv[1])
