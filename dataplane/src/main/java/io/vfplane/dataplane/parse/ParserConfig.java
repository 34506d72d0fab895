package io.vfplane.dataplane.parse;

/**
 * Settings of a {@link PacketParser}: which UDP ports carry which tunnel, how many layers to record, and whether to
 * look inside tunnels at all. A parser copies these values when it is constructed; changing the config afterwards does
 * not affect parsers already built.
 */
public final class ParserConfig
{
    /** IANA VXLAN port (RFC 7348). */
    public static final int VXLAN_PORT = 4789;
    /** The port the Linux vxlan driver used before IANA assigned one. */
    public static final int VXLAN_LINUX_PORT = 8472;
    /** IANA Geneve port (RFC 8926). */
    public static final int GENEVE_PORT = 6081;
    /** MPLS-in-UDP (RFC 7510). */
    public static final int MPLS_UDP_PORT = 6635;
    /** GRE-in-UDP (RFC 8086). */
    public static final int GRE_UDP_PORT = 4754;

    private final boolean[] vxlanPorts = new boolean[65536];
    private int genevePort = GENEVE_PORT;
    private int mplsUdpPort = MPLS_UDP_PORT;
    private int greUdpPort = GRE_UDP_PORT;
    private int maxLayers = ParseResult.MAX_LAYERS;
    private boolean descendIntoTunnels = true;

    /**
     * Defaults: VXLAN on 4789 and 8472, Geneve on 6081, MPLS-in-UDP on 6635, GRE-in-UDP on 4754,
     * {@link ParseResult#MAX_LAYERS} layers, descend into tunnels.
     */
    public ParserConfig()
    {
        vxlanPorts[VXLAN_PORT] = true;
        vxlanPorts[VXLAN_LINUX_PORT] = true;
    }

    /**
     * @param port a UDP port (1..65535) that carries VXLAN.
     * @return this.
     */
    public ParserConfig addVxlanPort(final int port)
    {
        vxlanPorts[checkPort(port, "vxlanPort")] = true;
        return this;
    }

    /**
     * @param port a UDP port that no longer carries VXLAN.
     * @return this.
     */
    public ParserConfig removeVxlanPort(final int port)
    {
        vxlanPorts[checkPort(port, "vxlanPort")] = false;
        return this;
    }

    /**
     * @param port a UDP port.
     * @return true if the port is configured to carry VXLAN.
     */
    public boolean isVxlanPort(final int port)
    {
        return port > 0 && port < 65536 && vxlanPorts[port];
    }

    public int genevePort()
    {
        return genevePort;
    }

    /**
     * @param port UDP port carrying Geneve, 0 to disable.
     * @return this.
     */
    public ParserConfig genevePort(final int port)
    {
        genevePort = checkPortOrZero(port, "genevePort");
        return this;
    }

    public int mplsUdpPort()
    {
        return mplsUdpPort;
    }

    /**
     * @param port UDP port carrying MPLS (RFC 7510), 0 to disable.
     * @return this.
     */
    public ParserConfig mplsUdpPort(final int port)
    {
        mplsUdpPort = checkPortOrZero(port, "mplsUdpPort");
        return this;
    }

    public int greUdpPort()
    {
        return greUdpPort;
    }

    /**
     * @param port UDP port carrying GRE (RFC 8086), 0 to disable.
     * @return this.
     */
    public ParserConfig greUdpPort(final int port)
    {
        greUdpPort = checkPortOrZero(port, "greUdpPort");
        return this;
    }

    public int maxLayers()
    {
        return maxLayers;
    }

    /**
     * @param maxLayers most layers to record, 1..{@link ParseResult#MAX_LAYERS}; beyond it parsing stops with
     *                  {@link DropReason#TOO_MANY_LAYERS}.
     * @return this.
     */
    public ParserConfig maxLayers(final int maxLayers)
    {
        if (maxLayers < 1 || maxLayers > ParseResult.MAX_LAYERS)
        {
            throw new IllegalArgumentException("maxLayers must be 1.." + ParseResult.MAX_LAYERS + ": " + maxLayers);
        }
        this.maxLayers = maxLayers;
        return this;
    }

    public boolean descendIntoTunnels()
    {
        return descendIntoTunnels;
    }

    /**
     * @param descend false to record a tunnel header (VXLAN, Geneve, GRE, IP-in-IP, MPLS-in-UDP) and treat what it
     *                carries as PAYLOAD.
     * @return this.
     */
    public ParserConfig descendIntoTunnels(final boolean descend)
    {
        descendIntoTunnels = descend;
        return this;
    }

    boolean[] vxlanPortTable()
    {
        return vxlanPorts;
    }

    private static int checkPort(final int port, final String name)
    {
        if (port < 1 || port > 65535)
        {
            throw new IllegalArgumentException(name + " must be 1..65535: " + port);
        }
        return port;
    }

    private static int checkPortOrZero(final int port, final String name)
    {
        return port == 0 ? 0 : checkPort(port, name);
    }
}
