package io.vfplane.pipeline;

/**
 * What {@link Pipeline#offer} does when the ring is full.
 */
public enum BackpressurePolicy
{
    /** Refuse the packet, release its buffer, count {@code entry_full} (the default: a NIC drops at a full ring). */
    DROP,
    /** Wait until the ring has room (spin, then yield, then short parks); gives up only when the pipeline closes. */
    BLOCK
}
