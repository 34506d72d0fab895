/**
 * Sending whole Ethernet frames out of the process, for replay and test traffic: {@link
 * io.vfplane.vf.port.packet.PacketSocket} (AF_PACKET raw socket bound to an interface, batched with
 * {@code sendmmsg}), {@link io.vfplane.vf.port.packet.TapWriter} (frames written into a TAP appear as received on
 * it), both behind {@link io.vfplane.vf.port.packet.FrameTransmitter} and fed by a reusable
 * {@link io.vfplane.vf.port.packet.TxBatch}; {@link io.vfplane.vf.port.packet.NetNamespace} opens them inside a named
 * network namespace. FFM bindings only, no JNI; no allocation per frame.
 */
package io.vfplane.vf.port.packet;
