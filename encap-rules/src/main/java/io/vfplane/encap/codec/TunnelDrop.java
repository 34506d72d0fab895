package io.vfplane.encap.codec;

import io.vfplane.dataplane.parse.DropReason;

/**
 * Why encap or decap dropped a packet: the codec's result, each constant mapped to the shared {@link DropReason} the
 * stage records in the descriptor and counts ({@code pipeline.<p>.stage.decap.drop.no_rule}), under the same label.
 * Kept as its own enum so the codecs return exactly the outcomes they can produce, with {@link #NONE} for success.
 */
public enum TunnelDrop
{
    /** Not dropped. */
    NONE(DropReason.NONE),
    /** No egress or ingress rule matches: traffic never crosses into another network. */
    NO_RULE(DropReason.NO_RULE),
    /** A rule matched whose action is drop. */
    RULE_DROP(DropReason.RULE_DROP),
    /** A frame too short for the headers that must be read. */
    TRUNCATED(DropReason.TRUNCATED),
    /** A tunnel header with bad flags, version or fixed bytes. */
    BAD_TUNNEL_HEADER(DropReason.BAD_TUNNEL_HEADER),
    /** A Geneve option overruns the options length. */
    BAD_OPTION_LENGTH(DropReason.BAD_OPTION_LENGTH),
    /** A Geneve option with the critical bit set that this rule set does not know (RFC 8926 section 3.5). */
    UNKNOWN_CRITICAL_OPTION(DropReason.UNKNOWN_CRITICAL_OPTION),
    /** A Geneve control packet (O bit): not forwarded to a VF (RFC 8926 section 3.4). */
    TUNNEL_CONTROL(DropReason.TUNNEL_CONTROL),
    /** A tunnel whose payload is not an Ethernet frame (Geneve or GRE protocol type other than 0x6558). */
    UNSUPPORTED_PAYLOAD(DropReason.UNSUPPORTED_PAYLOAD),
    /** An ingress frame that is not one of the rule set's tunnel formats. */
    NOT_A_TUNNEL(DropReason.NOT_A_TUNNEL),
    /** An outer IP fragment: stateless decap cannot reassemble. */
    OUTER_FRAGMENT(DropReason.OUTER_FRAGMENT),
    /** The encapsulated frame exceeds the underlay MTU (and is not a GSO frame that TSO will cut). */
    FRAME_TOO_BIG(DropReason.FRAME_TOO_BIG),
    /** Not enough headroom in front of the frame for the outer headers. */
    NO_HEADROOM(DropReason.NO_HEADROOM);

    /** All constants, cached. */
    public static final TunnelDrop[] VALUES = values();

    private final DropReason reason;

    TunnelDrop(final DropReason reason)
    {
        this.reason = reason;
    }

    /** The shared reason recorded in the descriptor and counted by the engine. */
    public DropReason reason()
    {
        return reason;
    }

    /** The counter label, the shared reason's: {@code no_rule}, {@code bad_tunnel_header}. */
    public String label()
    {
        return reason.label();
    }
}
