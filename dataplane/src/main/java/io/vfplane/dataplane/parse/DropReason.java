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
    /** A pipeline stage threw while processing the packet's batch; packets it had not finished are dropped. */
    STAGE_ERROR("stage_error");

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
