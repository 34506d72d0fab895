/**
 * The TAP backend of a VF's guest side: {@code /dev/net/tun} through FFM ({@code java.lang.foreign}) with
 * {@code IFF_VNET_HDR} offload metadata both ways, multi-queue, and {@link io.vfplane.vf.port.tap.NetNs} to let a
 * network namespace play the guest.
 */
package io.vfplane.vf.port.tap;
