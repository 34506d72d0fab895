package io.vfplane.encap.codec;

import io.vfplane.dataplane.parse.DropReason;

/**
 * Why encap or decap dropped a packet. Each constant has a stable label (used in counter names such as
 * {@code stage.decap.drop.no_rule}) and the shared {@link DropReason} it is recorded as in the descriptor.
 *
 * <p>The shared enum does not yet have every reason this module needs; a constant whose name is missing from
 * {@link DropReason} falls back to {@link #fallback}. The lookup is by name, so adding {@code NO_RULE} and the others
 * to {@link DropReason} makes them used with no change here.
 */
public enum TunnelDrop
{
    /** Not dropped. */
    NONE("none", "NONE", "NONE"),
    /** No egress or ingress rule matches: traffic never crosses into another network. */
    NO_RULE("no_rule", "NO_RULE", "NONE"),
    /** A rule matched whose action is drop. */
    RULE_DROP("rule_drop", "RULE_DROP", "NONE"),
    /** A frame too short for the headers that must be read. */
    TRUNCATED("truncated", "TRUNCATED", "TRUNCATED"),
    /** A tunnel header with bad flags, version or fixed bytes. */
    BAD_TUNNEL_HEADER("bad_tunnel_header", "BAD_TUNNEL_HEADER", "BAD_TUNNEL_HEADER"),
    /** A Geneve option overruns the options length. */
    BAD_OPTION_LENGTH("bad_option_length", "BAD_OPTION_LENGTH", "BAD_OPTION_LENGTH"),
    /** A Geneve option with the critical bit set that this rule set does not know (RFC 8926 section 3.5). */
    UNKNOWN_CRITICAL_OPTION("unknown_critical_option", "UNKNOWN_CRITICAL_OPTION", "BAD_TUNNEL_HEADER"),
    /** A Geneve control packet (O bit): not forwarded to a VF (RFC 8926 section 3.4). */
    TUNNEL_CONTROL("tunnel_control", "TUNNEL_CONTROL", "NONE"),
    /** A tunnel whose payload is not an Ethernet frame (Geneve or GRE protocol type other than 0x6558). */
    UNSUPPORTED_PAYLOAD("unsupported_payload", "UNSUPPORTED_PAYLOAD", "NONE"),
    /** An ingress frame that is not one of the rule set's tunnel formats. */
    NOT_A_TUNNEL("not_a_tunnel", "NOT_A_TUNNEL", "NONE"),
    /** An outer IP fragment: stateless decap cannot reassemble. */
    OUTER_FRAGMENT("outer_fragment", "OUTER_FRAGMENT", "NONE"),
    /** The encapsulated frame exceeds the underlay MTU (and is not a GSO frame that TSO will cut). */
    FRAME_TOO_BIG("frame_too_big", "FRAME_TOO_BIG", "NONE"),
    /** Not enough headroom in front of the frame for the outer headers. */
    NO_HEADROOM("no_headroom", "NO_HEADROOM", "NONE");

    /** All constants, cached. */
    public static final TunnelDrop[] VALUES = values();

    private final String label;
    private final DropReason reason;
    private final boolean fallback;

    TunnelDrop(final String label, final String sharedName, final String fallbackName)
    {
        this.label = label;
        DropReason found = null;
        for (final DropReason r : DropReason.values())
        {
            if (r.name().equals(sharedName))
            {
                found = r;
            }
        }
        this.fallback = found == null;
        this.reason = found != null ? found : DropReason.valueOf(fallbackName);
    }

    public String label()
    {
        return label;
    }

    /** The shared reason recorded in the descriptor. */
    public DropReason reason()
    {
        return reason;
    }

    /** True when {@link DropReason} lacks this reason and a stand-in is recorded. */
    public boolean fallback()
    {
        return fallback;
    }
}
