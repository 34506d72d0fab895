/**
 * Virtualization metadata at segmentation boundaries: a short hash on every segment plus one shard of a systematic
 * Reed-Solomon code over GF(256), so any k segments of a frame rebuild the full metadata
 * ({@link io.vfplane.tsorsc.meta.MetadataField}, {@link io.vfplane.tsorsc.meta.MetadataFieldWriter},
 * {@link io.vfplane.tsorsc.meta.MetadataResolver}).
 */
package io.vfplane.tsorsc.meta;
