/**
 * Stateless tunnels and the NIC's rule tables.
 * <ul>
 *   <li>{@link io.vfplane.encap.format}: tunnel format declarations: VXLAN, Geneve, NVGRE, GRE TEB with key, and
 *       custom formats declared in configuration.</li>
 *   <li>{@link io.vfplane.encap.rules}: egress and ingress rules compiled into an immutable
 *       {@link io.vfplane.encap.rules.RuleSet} (exact-match maps, a multibit LPM trie, outer header templates,
 *       per-rule hit counters), published atomically by {@link io.vfplane.encap.rules.RuleTables}.</li>
 *   <li>{@link io.vfplane.encap.config}: the YAML rule file reader with file:line: field errors.</li>
 *   <li>{@link io.vfplane.encap.codec}: the allocation-free encapsulator and decapsulator and the drop reasons.</li>
 *   <li>{@link io.vfplane.encap.stage}: the encap and decap pipeline stages and the frame processor behind
 *       {@code vfplane pcap process}.</li>
 * </ul>
 * See the module README for the rule file format.
 */
package io.vfplane.encap;
