/**
 * The port SPI: where packets enter and leave the dataplane. {@link io.vfplane.vf.port.PacketPort} is a port's two
 * sides (received packets go to a {@link io.vfplane.vf.port.PacketSink}, usually {@code Pipeline::offer}; packets
 * are sent with {@code send}/{@code flush}); {@link io.vfplane.vf.port.PortOutput} plugs a port's send side into the
 * pipeline's tx stage.
 *
 * <p>{@code PacketPort} and {@code PacketSink} depend only on the dataplane core (pool, descriptor) so they can move
 * down into {@code dataplane} (the architecture's home for them) once the Netty backend lives in a module of its own;
 * they sit here for now because dataplane must not depend on Netty. Backends: {@code .tap} (TAP with vnet header, FFM)
 * and {@code .udp} (UDP underlay, Netty epoll / io_uring).
 */
package io.vfplane.vf.port;
