/**
 * Segmentation (TSO/GSO): {@link io.vfplane.tsorsc.gso.Segmenter} cuts a frame along its layout;
 * {@link io.vfplane.tsorsc.gso.SegmentingOutput} does it in the transmit path, in front of a port's output, for
 * packets whose metadata asks for GSO.
 */
package io.vfplane.tsorsc.gso;
