/**
 * Not built yet. Will hold TCP segmentation (TSO/GSO, tunnel TSO, UDP GSO) and receive-side coalescing (RSC/GRO),
 * with loss-tolerant virtualization metadata at segmentation boundaries. Nothing here works yet; see the TSO/RSC issue.
 */
package io.vfplane.tsorsc;
