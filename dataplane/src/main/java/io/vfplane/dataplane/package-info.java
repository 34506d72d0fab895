/**
 * The packet core: off-heap packet buffers and their pool, packet descriptors, header flyweights, the bounded
 * parser, checksums and named counters. Everything above depends on this and it depends on nothing of ours.
 */
package io.vfplane.dataplane;
