package io.vfplane.pipeline.idle;

/**
 * What a stage thread that found no work can see of its pipeline when it decides whether to stay awake or idle.
 * Implemented by the engine's stage-group processor; tests implement it to drive the decisions directly.
 *
 * <pre>
 *   producer --publish--> [ ring ]  group 0  -->  group 1  -->  group 2 (this thread)
 *                 head() = cursor   seq0         seq1 = available()
 *                                   upstreamQueue() = seq0 - seq1 (work waiting in front of group 1)
 * </pre>
 */
public interface IdleContext
{
    /**
     * @return the sequence of the last packet this stage group finished.
     */
    long processed();

    /**
     * @return the head: the sequence of the last packet that entered the pipeline's first stage (the ring cursor).
     */
    long head();

    /**
     * @return the highest sequence the stage group upstream of this one has finished (the ring cursor for the first
     * group): this thread may process up to it.
     */
    long available();

    /**
     * @return how many packets wait in front of the stage group upstream of this one (how far it lags behind its own
     * upstream); 0 for the first group, which has no stage upstream.
     */
    long upstreamQueue();

    /**
     * Parks the calling thread until the head moves, the upstream group advances, the pipeline stops, or
     * {@code maxNanos} pass. Lock-free: the thread announces itself as a waiter, re-checks, then parks; publishers
     * unpark only when a waiter is announced.
     *
     * @param maxNanos an upper bound that makes any missed signal cost at most this long.
     * @return when the publisher that woke this thread signalled it ({@link System#nanoTime()}: about when the work
     * was published), or {@link Wakeup#NOT_SIGNALLED} when the park ended otherwise (bound, spurious, no park).
     */
    long park(long maxNanos);
}
