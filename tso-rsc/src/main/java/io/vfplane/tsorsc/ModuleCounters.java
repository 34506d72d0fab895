package io.vfplane.tsorsc;

import io.vfplane.dataplane.counters.Counters;
import io.vfplane.pipeline.PipelineCounters;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The counters of one segmenting or coalescing component, in {@link Counters} so {@code vfplane show counters}
 * shows them. Labels: {@code tsorsc.<name>.<counter>}.
 * <pre>
 *  tsorsc.&lt;name&gt;.segment.frames_segmented / segments_out / port_refused     ({@code SegmentingOutput})
 *  tsorsc.&lt;name&gt;.segment.drop.&lt;reason&gt;                                     by DropReason label
 *  tsorsc.&lt;name&gt;.coalesce.merged / frames_out / passed_through / bad_checksum / fast_path
 *  tsorsc.&lt;name&gt;.coalesce.flush.&lt;reason&gt;                                  end_of_batch, timeout, push, ...
 *  tsorsc.&lt;name&gt;.coalesce.coalesced_frames / coalesced_segments / drop.&lt;reason&gt;   ({@code CoalescingOutput})
 *  tsorsc.&lt;name&gt;.metadata.rebuilt / unknown_hash / hash_mismatch / collisions      ({@code MetadataResolver})
 * </pre>
 * The data path keeps plain long totals; {@link #publish} stores the changed ones with release semantics once per
 * batch or flush (single writer), as the pipeline engine does for its stage counters.
 */
public final class ModuleCounters
{
    /** Label prefix of every counter of this module. */
    public static final String PREFIX = "tsorsc.";

    private final AtomicCounter[] counters;
    private final long[] last;

    /**
     * Allocates the counters (setup time).
     *
     * @param counters where.
     * @param prefix   full label prefix, e.g. {@link #prefix(String, String)}.
     * @param names    counter names after the prefix; the index of a name is its index in {@link #publish}.
     */
    public ModuleCounters(final Counters counters, final String prefix, final String... names)
    {
        this.counters = new AtomicCounter[names.length];
        this.last = new long[names.length];
        for (int i = 0; i < names.length; i++)
        {
            this.counters[i] = counters.newCounter(prefix + names[i]);
        }
    }

    /**
     * @param name      names the component instance (letters, digits, '_' and '-': no dots).
     * @param component segment, coalesce or metadata.
     * @return {@code tsorsc.<name>.<component>.}
     */
    public static String prefix(final String name, final String component)
    {
        if (name == null || !PipelineCounters.NAME.matcher(name).matches())
        {
            throw new IllegalArgumentException("name must match " + PipelineCounters.NAME.pattern() + ": '" + name +
                "'");
        }
        return PREFIX + name + "." + component + ".";
    }

    /**
     * Publishes one total if it changed since the last publish.
     *
     * @param index counter index.
     * @param total the running total.
     */
    public void publish(final int index, final long total)
    {
        if (total != last[index])
        {
            last[index] = total;
            counters[index].setRelease(total);
        }
    }

    /**
     * @return counters held.
     */
    public int size()
    {
        return counters.length;
    }
}
