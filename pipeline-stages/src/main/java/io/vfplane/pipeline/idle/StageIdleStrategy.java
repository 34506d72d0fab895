package io.vfplane.pipeline.idle;

/**
 * What a stage thread does when it polled its barrier and found nothing to process, in the spirit of Agrona's
 * {@code IdleStrategy} but given an {@link IdleContext} so that it can look at the pipeline (head, upstream queue)
 * before it decides. One instance per stage thread: strategies keep per-thread state and are not thread safe.
 */
public interface StageIdleStrategy
{
    /**
     * Called each time a poll found no work; returns after spinning, yielding, sleeping or parking once.
     *
     * @param context the pipeline as seen from this stage thread.
     */
    void idle(IdleContext context);

    /**
     * Called when the thread found work again, so that the next idle period starts from the beginning.
     */
    void reset();
}
