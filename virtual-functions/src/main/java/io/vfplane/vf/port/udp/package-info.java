/**
 * The UDP underlay port over Netty's native transports (epoll by default, io_uring by option), with batching
 * (recvmmsg/sendmmsg), UDP GSO and GRO where the kernel and Netty offer them; {@link
 * io.vfplane.vf.port.udp.UnderlayProbe} says what is in use and why something is not.
 */
package io.vfplane.vf.port.udp;
