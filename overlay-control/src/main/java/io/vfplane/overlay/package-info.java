/**
 * The host daemon ({@code vfplane daemon --config host.yaml}) and its control side.
 *
 * <ul>
 *   <li>{@code config}: {@link io.vfplane.overlay.config.HostConfigFile} reads the host config (errors
 *       {@code host.yaml:LINE: path.field: message}); {@link io.vfplane.overlay.config.PeerSource} is the seam the
 *       control plane plugs into ({@link io.vfplane.overlay.config.StaticPeers} for now);
 *       {@link io.vfplane.overlay.config.RuleCompiler} turns VFs and peers into an encap-rules rule set.</li>
 *   <li>{@code daemon}: {@link io.vfplane.overlay.daemon.Daemon} brings up pool, counters, TAPs, the UDP underlay
 *       and the two pipelines, with lock files that refuse a second daemon before anything is made.</li>
 *   <li>{@code offload}: the offload path between the TAPs and the underlay:
 *       {@link io.vfplane.overlay.offload.TunnelGsoOutput} (tunnel TSO into one UDP GSO train),
 *       {@link io.vfplane.overlay.offload.CoalescingTapOutput} (RSC into 64 KiB frames to a TAP) and
 *       {@link io.vfplane.overlay.offload.ChecksumCompletionStage} (partial checksums of small guest frames).</li>
 *   <li>{@code control}: the loopback HTTP/JSON control API and the Prometheus text.</li>
 *   <li>{@code cli}: picocli commands ({@code daemon}, {@code vf}, {@code rules}, {@code show ...}).</li>
 *   <li>{@code demo}: {@link io.vfplane.overlay.demo.DemoRunner} ({@code vfplane demo}) and the namespace
 *       {@link io.vfplane.overlay.demo.Topology} the end-to-end tests share.</li>
 * </ul>
 */
package io.vfplane.overlay;
