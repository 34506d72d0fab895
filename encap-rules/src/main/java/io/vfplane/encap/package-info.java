/**
 * Not built yet. Will hold the stateless tunnel formats (VXLAN, Geneve with TLV options, NVGRE/GRE, custom formats
 * declared in configuration), the egress and ingress rule tables with atomic replacement, and the encap and decap
 * pipeline stages. Nothing here works yet; see the tunnels issue.
 */
package io.vfplane.encap;
