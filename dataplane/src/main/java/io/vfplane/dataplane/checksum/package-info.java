/**
 * Internet checksums (RFC 1071) over Agrona buffers: IPv4 header, TCP/UDP over IPv4 and IPv6 with their pseudo
 * headers, and incremental updates after rewrites (RFC 1624). Static and allocation free, for the data path.
 */
package io.vfplane.dataplane.checksum;
