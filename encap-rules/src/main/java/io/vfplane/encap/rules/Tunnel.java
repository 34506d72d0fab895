package io.vfplane.encap.rules;

import java.util.List;

import io.vfplane.encap.format.TunnelFormat;

/**
 * What an egress "encapsulate" action writes: format, remote endpoint, virtual network id, Geneve options and the
 * outer IP policies.
 *
 * @param format        the tunnel format.
 * @param remote        remote endpoint, 4 or 16 bytes.
 * @param vni           virtual network id (for GRE the key).
 * @param options       Geneve options (empty for other formats).
 * @param ttl           outer TTL / hop limit 1..255, or {@link #INHERIT} from the inner IP header.
 * @param dscp          outer DSCP 0..63, or {@link #INHERIT} (the inner ECN bits are copied either way, RFC 6040).
 * @param df            outer IPv4 DF policy.
 * @param udpChecksum   outer UDP checksum policy.
 */
public record Tunnel(
    TunnelFormat format,
    byte[] remote,
    long vni,
    List<GeneveOption> options,
    int ttl,
    int dscp,
    DfPolicy df,
    UdpChecksum udpChecksum)
{
    /** Take the value from the inner packet. */
    public static final int INHERIT = -1;
    public static final int DEFAULT_TTL = 64;

    /** The outer IPv4 don't-fragment bit. */
    public enum DfPolicy
    {
        SET, CLEAR, INHERIT
    }

    /** The outer UDP checksum. */
    public enum UdpChecksum
    {
        /** Zero over IPv4, computed over IPv6 (RFC 8200 section 8.1; RFC 6935 allows zero only by choice). */
        DEFAULT,
        /** Always zero ("none"), over IPv6 too (RFC 6935, RFC 6936: the operator has chosen it). */
        ZERO,
        /** Always computed. */
        COMPUTE
    }

    public Tunnel
    {
        if (remote.length != 4 && remote.length != 16)
        {
            throw new IllegalArgumentException("remote must be an IPv4 or IPv6 address");
        }
        if (vni < 0 || vni > format.maxVni())
        {
            throw new IllegalArgumentException("vni: " + vni + " is out of range 0.." + format.maxVni());
        }
        if (!options.isEmpty() && format.kind() != TunnelFormat.Kind.GENEVE)
        {
            throw new IllegalArgumentException("geneve-options: only the geneve format carries options");
        }
        int optionBytes = 0;
        for (final GeneveOption option : options)
        {
            optionBytes += option.wireLength();
        }
        if (optionBytes > 252)
        {
            throw new IllegalArgumentException("geneve-options: " + optionBytes + " bytes; at most 252");
        }
        if (ttl != INHERIT && (ttl < 1 || ttl > 255))
        {
            throw new IllegalArgumentException("ttl: " + ttl + " is out of range 1..255");
        }
        if (dscp != INHERIT && (dscp < 0 || dscp > 63))
        {
            throw new IllegalArgumentException("dscp: " + dscp + " is out of range 0..63");
        }
        remote = remote.clone();
        options = List.copyOf(options);
    }

    public boolean isIpv6()
    {
        return remote.length == 16;
    }

    /** Bytes of Geneve options. */
    public int optionBytes()
    {
        int n = 0;
        for (final GeneveOption option : options)
        {
            n += option.wireLength();
        }
        return n;
    }
}
