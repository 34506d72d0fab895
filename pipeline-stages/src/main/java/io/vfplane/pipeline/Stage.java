package io.vfplane.pipeline;

/**
 * One step of a pipeline, in the spirit of a VPP graph node and a Disruptor event handler: it is handed a batch
 * (a "vector") of packets, sets each packet's next action, and flushes whatever it buffers at the end of the batch.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #onBatch} sees every packet of the batch in ring order. It skips packets whose action is not
 *       {@link io.vfplane.dataplane.packet.PacketDescriptor#ACTION_CONTINUE}: dropped packets (the tx stage returns
 *       their buffers) and packets already handed to an output ({@code ACTION_OUTPUT}: done, straight to tx).</li>
 *   <li>It drops with {@link PacketBatch#drop(int, io.vfplane.dataplane.parse.DropReason)}, which marks the packet
 *       and counts the reason for this stage (published once per batch).</li>
 *   <li>No allocation, logging, locks or exceptions per packet. A stage that throws has the error counted
 *       ({@code pipeline.<p>.stage.<s>.errors}) and every packet of that batch it had not finished (action still
 *       continue) dropped as {@code drop.stage_error}; the rest of the batch is passed on: a bug shows, the pipeline
 *       lives, and no packet leaves half-processed.</li>
 *   <li>A stage instance belongs to one pipeline (one shard) and is called from one thread at a time; it may keep
 *       per-batch caches in fields.</li>
 * </ul>
 */
public interface Stage
{
    /**
     * @return the stage's name in counters and {@code show pipeline}: lower case, no dots or spaces.
     */
    String name();

    /**
     * Called once on the pipeline's setup thread, before any batch: allocate counters and buffers here.
     *
     * @param context the pipeline the stage runs in.
     */
    default void onStart(final StageContext context)
    {
    }

    /**
     * Processes one batch.
     *
     * @param batch a view over the ring range being processed; valid only during this call.
     */
    void onBatch(PacketBatch batch);

    /**
     * Called after {@link #onBatch} on the same thread: flush outputs, publish per-batch counts.
     */
    default void onEndOfBatch()
    {
    }

    /**
     * Whether the engine may run this stage over sample frames to measure its cost before start (automatic
     * placement, {@link Calibration}). A stage with effects outside the pipeline (tx sends to real outputs) says
     * false; its cost counts as 0 until the runtime counters show it.
     */
    default boolean calibratable()
    {
        return true;
    }

    /**
     * Called once on the stage's thread after the pipeline drained, before the thread ends.
     */
    default void onStop()
    {
    }
}
