/**
 * Virtual functions: the per-VF model of an SR-IOV NIC emulated in userspace.
 *
 * <ul>
 *   <li>{@link io.vfplane.vf.VfConfig}: one VF's settings, named as in
 *       {@code ip link set DEV vf N mac .. vlan .. qos .. spoofchk on|off trust on|off state auto|enable|disable
 *       max_tx_rate ..}; {@link io.vfplane.vf.VfSetCommand} parses the arguments of {@code vfplane vf set N ..}.</li>
 *   <li>{@link io.vfplane.vf.VfTable}: every VF's current config (replaced atomically at runtime), its counters and
 *       the {@code vfplane vf show} text.</li>
 *   <li>{@link io.vfplane.vf.VfEgressStage} (guest to network: link state, spoof check, VLAN insert, TX rate limit)
 *       and {@link io.vfplane.vf.VfIngressStage} (network to guest: link state, VLAN strip, MAC filter, delivery to
 *       the VF's port) are pipeline stages.</li>
 *   <li>{@code io.vfplane.vf.port}: the port SPI and its backends (TAP with vnet header over FFM, UDP underlay over
 *       Netty's native transports).</li>
 * </ul>
 */
package io.vfplane.vf;
