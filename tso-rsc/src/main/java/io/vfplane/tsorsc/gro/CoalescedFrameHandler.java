package io.vfplane.tsorsc.gro;

/**
 * Takes the frames a {@link Coalescer} flushes, merged or passed through, in the order they are flushed.
 */
@FunctionalInterface
public interface CoalescedFrameHandler
{
    /**
     * @param frame valid only during the call: copy what is kept.
     */
    void onFrame(CoalescedFrame frame);
}
