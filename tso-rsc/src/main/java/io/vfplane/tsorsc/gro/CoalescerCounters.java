package io.vfplane.tsorsc.gro;

import io.vfplane.dataplane.counters.Counters;
import io.vfplane.tsorsc.ModuleCounters;

/**
 * A {@link Coalescer}'s counters: {@code tsorsc.<name>.coalesce.merged / frames_out / passed_through /
 * bad_checksum / fast_path / flush.<reason>}.
 */
final class CoalescerCounters
{
    private static final int MERGED = 0;
    private static final int FRAMES_OUT = 1;
    private static final int PASSED_THROUGH = 2;
    private static final int BAD_CHECKSUM = 3;
    private static final int FAST_PATH = 4;
    private static final int FLUSH = 5;

    private final ModuleCounters counters;

    CoalescerCounters(final Counters counters, final String name)
    {
        final String[] names = new String[FLUSH + Coalescer.FLUSH_REASONS];
        names[MERGED] = "merged";
        names[FRAMES_OUT] = "frames_out";
        names[PASSED_THROUGH] = "passed_through";
        names[BAD_CHECKSUM] = "bad_checksum";
        names[FAST_PATH] = "fast_path";
        for (int r = 0; r < Coalescer.FLUSH_REASONS; r++)
        {
            names[FLUSH + r] = "flush." + Coalescer.FLUSH_REASON_LABELS[r];
        }
        this.counters = new ModuleCounters(counters, ModuleCounters.prefix(name, "coalesce"), names);
    }

    void publish(final Coalescer c)
    {
        counters.publish(MERGED, c.merged());
        counters.publish(FRAMES_OUT, c.framesOut());
        counters.publish(PASSED_THROUGH, c.passedThrough());
        counters.publish(BAD_CHECKSUM, c.badChecksums());
        counters.publish(FAST_PATH, c.fastPath());
        for (int r = 0; r < Coalescer.FLUSH_REASONS; r++)
        {
            counters.publish(FLUSH + r, c.flushes(r));
        }
    }
}
