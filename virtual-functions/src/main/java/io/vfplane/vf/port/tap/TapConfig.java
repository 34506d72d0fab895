package io.vfplane.vf.port.tap;

/**
 * How to open a VF's guest-side TAP.
 *
 * @param name           the device name ({@code IFNAMSIZ} - 1 = 15 characters at most; a {@code %d} pattern lets
 *                       the kernel pick the number).
 * @param queues         1, or more for {@code IFF_MULTI_QUEUE} (one fd and one rx thread per queue).
 * @param vnetHeaderSize 0 (no vnet header), {@link VnetHeader#LENGTH} or {@link VnetHeader#LENGTH_MRG_RXBUF}.
 * @param offloads       {@code TUNSETOFFLOAD} flags ({@link TapDevice#TUN_F_CSUM} ...): what the kernel may hand
 *                       us unfinished (partial checksums, TSO frames up to 64 KiB: the pool's slots must hold them).
 *                       {@link TapDevice#TUN_F_USO4} and {@link TapDevice#TUN_F_USO6} (together, with
 *                       {@link TapDevice#TUN_F_CSUM}) are taken only where the kernel has them (6.2 on) and
 *                       dropped otherwise: {@link TapDevice#offloads()} says what was taken.
 * @param vf             the VF this TAP is the guest side of; set on every received packet.
 * @param portId         the port number set as in-port on every received packet.
 */
public record TapConfig(String name, int queues, int vnetHeaderSize, int offloads, int vf, int portId)
{
    /** The largest frame the kernel hands over when TSO offloads are on: 64 KiB plus an Ethernet header. */
    public static final int MAX_TSO_FRAME = 65_536 + 14;

    public TapConfig
    {
        if (name == null || name.isEmpty() || name.length() > 15)
        {
            throw new IllegalArgumentException("tap.name: 1..15 characters: " + name);
        }
        if (queues < 1 || queues > 256)
        {
            throw new IllegalArgumentException("tap.queues: 1..256: " + queues);
        }
        if (vnetHeaderSize != 0 && vnetHeaderSize != VnetHeader.LENGTH && vnetHeaderSize != VnetHeader.LENGTH_MRG_RXBUF)
        {
            throw new IllegalArgumentException("tap.vnet_hdr: 0, 10 or 12: " + vnetHeaderSize);
        }
        if (offloads != 0 && vnetHeaderSize == 0)
        {
            throw new IllegalArgumentException("tap.offloads: need a vnet header to carry the offload metadata");
        }
    }

    /**
     * @return a single-queue TAP with a 10-byte vnet header and no offloads from the kernel.
     */
    public static TapConfig simple(final String name, final int vf, final int portId)
    {
        return new TapConfig(name, 1, VnetHeader.LENGTH, 0, vf, portId);
    }

    /** Whether the kernel may hand over frames larger than an MTU. */
    public boolean receivesTso()
    {
        return (offloads & (TapDevice.TUN_F_TSO4 | TapDevice.TUN_F_TSO6 | TapDevice.TUN_F_USO4 |
            TapDevice.TUN_F_USO6)) != 0;
    }
}
