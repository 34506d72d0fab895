/**
 * Not built yet. Will hold the PF/VF model: per-VF MAC, VLAN, spoof check, trust, link state, TX rate limits,
 * queues, counters and VF backends (TAP with vnet header). Nothing here works yet; see the host daemon issue.
 */
package io.vfplane.vf;
