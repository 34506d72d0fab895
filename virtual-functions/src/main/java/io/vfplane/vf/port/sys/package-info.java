/**
 * The one place the ports bind the C library: {@link io.vfplane.vf.port.sys.LibC} holds a single FFM downcall handle
 * per libc function the TAP, AF_PACKET and native UDP backends call, the {@code errno} capture they share, and the
 * constants that belong to those calls rather than to one backend (errno values, {@code open} flags, generic socket
 * options, {@code struct pollfd}, {@code struct iovec}). Backend-specific numbers and structures (TUN ioctls,
 * AF_PACKET options, UDP GSO/GRO and {@code msghdr}) stay with their backend.
 */
package io.vfplane.vf.port.sys;
