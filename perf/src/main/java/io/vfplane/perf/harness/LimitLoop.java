package io.vfplane.perf.harness;

/**
 * A scenario's header work alone: the same codec calls on the same frames as its pipeline makes, with no generator,
 * ring, pool traffic or sink, on one thread. Its rate is the ceiling the pipeline is measured against
 * ({@code ours / limit}).
 */
interface LimitLoop extends AutoCloseable
{
    /**
     * Does a round of the work.
     *
     * @return packets done, in the scenario's unit (the same as the sink counts).
     */
    long round();

    /** What the loop does, for the report. */
    String description();

    @Override
    default void close()
    {
    }
}
