/**
 * The UDP underlay port over Netty's native transports (epoll by default, io_uring by option) or over a plain socket
 * through FFM ({@code native}: recvmmsg straight into posted pool slots, sendmmsg from the sending thread), with
 * batching (recvmmsg/sendmmsg), UDP GSO and GRO where the kernel and Netty offer them; {@link
 * io.vfplane.vf.port.udp.UnderlayProbe} says what is in use and why something is not.
 */
package io.vfplane.vf.port.udp;
