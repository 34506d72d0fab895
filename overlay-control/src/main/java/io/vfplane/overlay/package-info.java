/**
 * Not built yet. Will hold the host daemon ({@code vfplane daemon}), its local control API, and later the overlay
 * control plane (mapping store, host leases, leasing agent). Nothing here works yet; see the host daemon issue.
 */
package io.vfplane.overlay;
