package io.vfplane.encap.rules;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

import io.vfplane.encap.format.TunnelFormat;

/**
 * Where the frames of one tunnel go: what a UDP-socket underlay (tunnel-header depth, where the kernel writes the outer
 * IP and UDP headers) needs to address the datagram the encap stage leaves in the buffer. The encap stage records the
 * tunnel's id in {@code PacketDescriptor.tunnelId()}; {@link RuleSet#tunnelEndpoint(int)} maps it back to this.
 * Built once per rule set, so the lookup on the send path allocates nothing.
 *
 * @param id      the tunnel id (index into the rule set's tunnel table).
 * @param remote  the remote tunnel endpoint address.
 * @param port    UDP destination port of the format, or 0 for a format carried directly in IP (NVGRE, GRE).
 * @param format  the tunnel format.
 * @param socket  {@code remote:port} for a datagram channel's send, or null for a format carried directly in IP.
 */
public record TunnelEndpoint(int id, InetAddress remote, int port, TunnelFormat format, InetSocketAddress socket)
{
    static TunnelEndpoint of(final int id, final Tunnel tunnel)
    {
        final InetAddress address;
        try
        {
            address = InetAddress.getByAddress(tunnel.remote());
        }
        catch (final UnknownHostException ex)
        {
            // 4 or 16 bytes is checked by Tunnel; getByAddress fails on nothing else
            throw new IllegalStateException(ex);
        }
        final TunnelFormat format = tunnel.format();
        final int port = format.isUdp() ? format.udpPort() : 0;
        return new TunnelEndpoint(id, address, port, format, format.isUdp() ? new InetSocketAddress(address, port) :
            null);
    }
}
