package io.vfplane.pipeline;

import java.util.Arrays;

/**
 * How a pipeline's stages are laid on threads: consecutive groups of stages, one thread per group. One group is
 * run-to-completion ("fused"); one group per stage is a classic Disruptor pipeline ("split"). "inline" runs every
 * stage on the thread that offers the packets (a port's receive thread), as a VPP worker runs its graph on the
 * packets it polled: no thread of the pipeline's own, no hand-off, no wake-up.
 *
 * <p>Text form (configuration, {@code show pipeline}): {@code inline}, {@code fused}, {@code split}, or group sizes
 * joined by {@code +} ({@code 2+1+1}).
 */
public final class Placement
{
    private static final int FUSED = -1;
    private static final int SPLIT = -2;
    private static final int INLINE = -3;

    private final int mode;
    private final int[] groupSizes;

    private Placement(final int mode, final int[] groupSizes)
    {
        this.mode = mode;
        this.groupSizes = groupSizes;
    }

    /** All stages on one thread. */
    public static Placement fused()
    {
        return new Placement(FUSED, null);
    }

    /**
     * All stages on the producer's thread, run when a burst ends ({@link Pipeline#flush()}) or a full batch is in.
     */
    public static Placement inline()
    {
        return new Placement(INLINE, null);
    }

    /** Whether the stages run on the producer's thread rather than threads of the pipeline's own. */
    public boolean isInline()
    {
        return mode == INLINE;
    }

    /** One thread per stage. */
    public static Placement split()
    {
        return new Placement(SPLIT, null);
    }

    /**
     * Consecutive groups of these sizes, one thread each.
     */
    public static Placement groups(final int... sizes)
    {
        if (sizes.length == 0)
        {
            throw new IllegalArgumentException("placement needs at least one group");
        }
        for (final int size : sizes)
        {
            if (size < 1)
            {
                throw new IllegalArgumentException("placement group sizes must be >= 1: " + Arrays.toString(sizes));
            }
        }
        return new Placement(0, sizes.clone());
    }

    /** Parses {@code inline}, {@code fused}, {@code split} or {@code 2+1}. */
    public static Placement parse(final String text)
    {
        final String t = text.trim();
        if (t.equalsIgnoreCase("inline"))
        {
            return inline();
        }
        if (t.equalsIgnoreCase("fused"))
        {
            return fused();
        }
        if (t.equalsIgnoreCase("split"))
        {
            return split();
        }
        try
        {
            return groups(Arrays.stream(t.split("\\+")).mapToInt(s -> Integer.parseInt(s.trim())).toArray());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(
                "placement '" + text + "': expected inline, fused, split, or group sizes like 2+1", ex);
        }
    }

    /**
     * @param stageCount how many stages the pipeline has.
     * @return for each stage, the index of the thread (group) that runs it.
     * @throws IllegalArgumentException when explicit group sizes do not add up to {@code stageCount}.
     */
    public int[] groupOfStages(final int stageCount)
    {
        final int[] groupOf = new int[stageCount];
        if (mode == FUSED || mode == INLINE)
        {
            return groupOf;
        }
        if (mode == SPLIT)
        {
            for (int i = 0; i < stageCount; i++)
            {
                groupOf[i] = i;
            }
            return groupOf;
        }
        if (Arrays.stream(groupSizes).sum() != stageCount)
        {
            throw new IllegalArgumentException("placement " + this + " covers " + Arrays.stream(groupSizes).sum() +
                " stages but the pipeline has " + stageCount);
        }
        int stage = 0;
        for (int g = 0; g < groupSizes.length; g++)
        {
            for (int k = 0; k < groupSizes[g]; k++)
            {
                groupOf[stage++] = g;
            }
        }
        return groupOf;
    }

    /**
     * @return threads this placement uses for {@code stageCount} stages (0 inline: the producer's).
     */
    public int threads(final int stageCount)
    {
        if (mode == INLINE)
        {
            return 0;
        }
        final int[] groupOf = groupOfStages(stageCount);
        return stageCount == 0 ? 0 : groupOf[stageCount - 1] + 1;
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof Placement p && p.mode == mode && Arrays.equals(p.groupSizes, groupSizes);
    }

    @Override
    public int hashCode()
    {
        return mode * 31 + Arrays.hashCode(groupSizes);
    }

    @Override
    public String toString()
    {
        if (mode == FUSED)
        {
            return "fused";
        }
        if (mode == SPLIT)
        {
            return "split";
        }
        if (mode == INLINE)
        {
            return "inline";
        }
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < groupSizes.length; i++)
        {
            sb.append(i == 0 ? "" : "+").append(groupSizes[i]);
        }
        return sb.toString();
    }
}
