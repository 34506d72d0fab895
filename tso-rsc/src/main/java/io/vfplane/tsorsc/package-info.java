/**
 * Segmentation and coalescing: TSO/GSO (TCP over IPv4 and IPv6, BIG TCP, UDP GSO, tunnel TSO through VXLAN, Geneve,
 * NVGRE and declared custom formats) in {@link io.vfplane.tsorsc.gso}, RSC/GRO in {@link io.vfplane.tsorsc.gro}, and
 * loss-tolerant virtualization metadata at segmentation boundaries in {@link io.vfplane.tsorsc.meta}.
 * <p>
 * Both directions work from one description of a frame, {@link io.vfplane.tsorsc.SegmentLayout}: the headers that are
 * replicated per segment and the fields in them that change ("fixups": IPv4, IPv6, tunnel UDP, the L4 header, a
 * declared opaque field). A format the parser knows and a format declared by a
 * {@link io.vfplane.tsorsc.TunnelDescription} reduce to the same list, so there is no per-format code, and
 * {@link io.vfplane.tsorsc.HeaderFixups} applies it the same way when cutting and when merging: segment then coalesce
 * gives back the original bytes.
 */
package io.vfplane.tsorsc;
