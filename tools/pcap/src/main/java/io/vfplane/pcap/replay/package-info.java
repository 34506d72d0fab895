/**
 * {@code vfplane pcap replay}: a tcpreplay-like sender. {@link io.vfplane.pcap.replay.Replayer} sends a capture's
 * frames (pcap or pcapng, streamed from the mapped file or preloaded into native memory) through an AF_PACKET socket
 * or into a TAP ({@code io.vfplane.vf.port.packet}), paced by the capture's timestamps (optionally multiplied), a
 * packet rate or a bit rate, or not at all, with absolute deadlines and HdrHistogram timing error percentiles;
 * configured by {@link io.vfplane.pcap.replay.ReplayOptions}, reporting {@link io.vfplane.pcap.replay.ReplayStats}.
 * {@link io.vfplane.pcap.replay.TcpreplayComparison} measures it against {@code tcpreplay --topspeed} on a veth pair
 * in a namespace of its own ({@link io.vfplane.pcap.replay.VethNamespace}).
 */
package io.vfplane.pcap.replay;
