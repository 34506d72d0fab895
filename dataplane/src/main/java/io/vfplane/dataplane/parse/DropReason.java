package io.vfplane.dataplane.parse;

/**
 * The one enum of reasons a packet is dropped anywhere in the dataplane. Every stage counts its drops by one of these,
 * and the {@link #label()} is the stable name used in counters and JSON output. Later stages add constants here
 * rather than declaring their own enum, so one counter set covers the whole pipeline.
 */
public enum DropReason
{
    /** Not dropped. */
    NONE("none"),
    /** A header is cut by the captured (or buffer) length. */
    TRUNCATED("truncated"),
    /** An IP header carries a version that does not match its ethertype / next header. */
    BAD_VERSION("bad_version"),
    /** A header length field is below the protocol minimum or points beyond its container. */
    BAD_HEADER_LENGTH("bad_header_length"),
    /** An IPv4 total length below the header length (zero excepted: TSO / BIG TCP). */
    BAD_TOTAL_LENGTH("bad_total_length"),
    /** The capture link type is not one the parser understands. */
    UNSUPPORTED_LINK_TYPE("unsupported_link_type"),
    /** An option (IPv4, IPv6 extension, TCP, Geneve TLV) has a length that overruns its header. */
    BAD_OPTION_LENGTH("bad_option_length"),
    /** More layers than {@link ParseResult#MAX_LAYERS} (or the configured maximum). */
    TOO_MANY_LAYERS("too_many_layers"),
    /** A tunnel header (VXLAN, Geneve, GRE) is malformed: bad version or flags that change its layout unsupportedly. */
    BAD_TUNNEL_HEADER("bad_tunnel_header"),

    // pipeline engine
    /** A pipeline stage threw while processing the packet's batch; packets it had not finished are dropped. */
    STAGE_ERROR("stage_error"),

    // tunnels and rule tables (encap-rules)
    /** No egress or ingress rule matches: traffic never crosses into another VNI by default. */
    NO_RULE("no_rule"),
    /** A rule matched whose action is drop. */
    RULE_DROP("rule_drop"),
    /** A Geneve option with the critical bit set that this NIC does not know (RFC 8926 section 3.5). */
    UNKNOWN_CRITICAL_OPTION("unknown_critical_option"),
    /** A tunnel control frame (Geneve O bit): not for a VF. */
    TUNNEL_CONTROL("tunnel_control"),
    /** The tunnel carries a payload type this NIC does not deliver (e.g. not Ethernet). */
    UNSUPPORTED_PAYLOAD("unsupported_payload"),
    /** Decapsulation was asked of a frame that is not a tunnel packet of a known format. */
    NOT_A_TUNNEL("not_a_tunnel"),
    /** The outer IP datagram is a fragment; stateless decapsulation does not reassemble. */
    OUTER_FRAGMENT("outer_fragment"),
    /** The encapsulated frame would exceed the egress MTU and may not be segmented. */
    FRAME_TOO_BIG("frame_too_big"),
    /** The buffer has too little headroom for the outer headers. */
    NO_HEADROOM("no_headroom"),

    // segmentation and coalescing (tso-rsc)
    /** A segment's virtualization-metadata hash names nothing known: never deliver it to a guessed VF. */
    UNKNOWN_METADATA_HASH("unknown_metadata_hash"),
    /** The frame asks for segmentation of a kind this NIC does not do (gso type, or headers it cannot describe). */
    GSO_UNSUPPORTED("gso_unsupported"),
    /** The pool had no buffer for a segment or a coalesced frame. */
    GSO_POOL_EMPTY("gso_pool_empty"),
    /**
     * A GSO frame whose segment size no real sender uses (a TCP MSS under 48, a UDP GSO frame of more than 128
     * datagrams): segmenting it would cost a segment per byte or two.
     */
    GSO_BAD_SIZE("gso_bad_size"),

    // virtual functions
    /** A VF sent from a MAC that is not its own (spoof check on). */
    SPOOFED_SOURCE_MAC("spoofed_source_mac"),
    /** A VF sent from an IP address not configured for it (spoof check on). */
    SPOOFED_SOURCE_IP("spoofed_source_ip"),
    /** The VF's link state is disabled. */
    VF_LINK_DOWN("vf_link_down"),
    /** The VF's transmit rate limit (token bucket) had no tokens for the frame. */
    RATE_LIMITED("rate_limited"),
    /** A VF with a port VLAN sent a frame that is already tagged. */
    GUEST_VLAN_TAG("guest_vlan_tag"),
    /** A frame for a VF with a VLAN did not carry that VLAN. */
    VLAN_MISMATCH("vlan_mismatch"),
    /** A unicast frame for another MAC reached an untrusted VF. */
    DESTINATION_MAC_MISMATCH("destination_mac_mismatch"),
    /** The packet names no VF, or one that does not exist. */
    NO_SUCH_VF("no_such_vf"),
    /** The frame is too short for the VF's checks, or has no headroom for a VLAN tag. */
    MALFORMED_FRAME("malformed_frame");

    /** All constants, cached so counters can iterate without the array copy {@code values()} makes. */
    public static final DropReason[] VALUES = values();

    private final String label;

    DropReason(final String label)
    {
        this.label = label;
    }

    /**
     * Stable snake_case name used in counter labels and JSON.
     *
     * @return the label, e.g. {@code "bad_total_length"}.
     */
    public String label()
    {
        return label;
    }
}
