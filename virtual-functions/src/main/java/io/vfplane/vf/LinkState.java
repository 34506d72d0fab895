package io.vfplane.vf;

/**
 * A VF's administrative link state, as {@code ip link set DEV vf N state auto|enable|disable}.
 */
public enum LinkState
{
    /** Follows the PF's link. */
    AUTO("auto"),
    /** Up whatever the PF does. */
    ENABLE("enable"),
    /** Down: the VF neither sends nor receives. */
    DISABLE("disable");

    private final String label;

    LinkState(final String label)
    {
        this.label = label;
    }

    /**
     * @return the word {@code ip link} uses.
     */
    public String label()
    {
        return label;
    }

    /**
     * @return the state named {@code word}, or null when there is none.
     */
    public static LinkState of(final String word)
    {
        for (final LinkState state : values())
        {
            if (state.label.equals(word))
            {
                return state;
            }
        }
        return null;
    }

    /**
     * @param pfLinkUp whether the PF's link is up.
     * @return whether a VF in this state passes traffic.
     */
    public boolean isUp(final boolean pfLinkUp)
    {
        return this == ENABLE || (this == AUTO && pfLinkUp);
    }
}
