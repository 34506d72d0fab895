package io.vfplane.perf.harness;

import java.util.Locale;

/**
 * {@code --size}: one frame length for every packet, or {@code imix}: the simple IMIX, 7 : 4 : 1 frames of 64, 576
 * and 1500 bytes (mean 353.8 bytes), interleaved over the flows in that proportion.
 *
 * @param name    as given.
 * @param lengths the pattern of frame lengths the flows cycle through.
 */
record FrameSizes(String name, int[] lengths)
{
    /** Smallest frame length accepted: a UDP/IPv4 frame with a little payload (Ethernet minimum without FCS is 60). */
    static final int MIN = 60;
    /** Largest frame length accepted (a jumbo frame). */
    static final int MAX = 9000;
    private static final int[] IMIX = {64, 576, 64, 64, 1500, 64, 576, 64, 64, 576, 64, 576};

    /**
     * @throws IllegalArgumentException with a one-line message when the text is neither a length nor imix.
     */
    static FrameSizes parse(final String text)
    {
        final String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("imix"))
        {
            return new FrameSizes("imix", IMIX.clone());
        }
        try
        {
            final int length = Integer.parseInt(t);
            if (length >= MIN && length <= MAX)
            {
                return new FrameSizes(t, new int[]{length});
            }
        }
        catch (final NumberFormatException ex)
        {
            // the message below
        }
        throw new IllegalArgumentException("--size '" + text + "': expected a frame length " + MIN + ".." + MAX +
            " (e.g. 64 or 1500) or imix");
    }

    boolean isMix()
    {
        return lengths.length > 1;
    }

    /** The frame length of flow {@code flow}. */
    int lengthOf(final int flow)
    {
        return lengths[flow % lengths.length];
    }

    int max()
    {
        int m = 0;
        for (final int l : lengths)
        {
            m = Math.max(m, l);
        }
        return m;
    }
}
