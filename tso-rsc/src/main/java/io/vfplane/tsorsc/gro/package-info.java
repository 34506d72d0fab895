/**
 * Receive-side coalescing (RSC/GRO): {@link io.vfplane.tsorsc.gro.Coalescer} merges in-order TCP segments of one
 * flow (plain or tunnelled) into frames of up to 64 KiB with gso metadata, as scatter-gather
 * {@link io.vfplane.tsorsc.gro.CoalescedFrame}s.
 */
package io.vfplane.tsorsc.gro;
