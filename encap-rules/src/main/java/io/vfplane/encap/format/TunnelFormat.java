package io.vfplane.encap.format;

import java.util.Arrays;
import java.util.Objects;

/**
 * The declaration of one stateless tunnel format: how it is carried (a UDP destination port or an IP protocol), how
 * long its header is, where the virtual network id and an optional flow id sit, and which bytes are fixed. The
 * built-in formats are declarations like any other ({@link #VXLAN}, {@link #GENEVE}, {@link #NVGRE}, {@link #GRE});
 * custom ("proprietary") formats come from configuration with no code. Encap, decap and segmentation read the same
 * declaration.
 *
 * <p>Fields are byte aligned: a field at {@code offset} of {@code width} bits (8, 16, 24 or 32) occupies bytes
 * {@code offset .. offset + width / 8 - 1}, big endian. Fixed bytes are written on encap and checked on decap; the
 * {@link #fixedMask()} says which header bytes are fixed.
 *
 * <pre>
 *  VXLAN (RFC 7348), UDP 4789           NVGRE (RFC 7637), IP protocol 47
 *  +-+-+-+-+-+-+-+-+---------------+    +-+-+-+-+-----------+-----------------------+
 *  |R|R|R|R|I|R|R|R|   Reserved    |    |0| |1|0| Reserved0 | Ver |  0x6558         |
 *  +---------------+---------------+    +-----------------------------------+-------+
 *  |     VXLAN Network Identifier  |Res |  Virtual Subnet ID (VSID)         |FlowID |
 *  +-------------------------------+    +-----------------------------------+-------+
 *
 *  Geneve (RFC 8926), UDP 6081          GRE TEB with key (RFC 2890), IP protocol 47
 *  +---+-----------+-+-+-----------+    +-+-+-+-+-----------+-----------------------+
 *  |Ver|  Opt Len  |O|C|  Rsvd.    |    |0| |1|0| Reserved0 | Ver |  0x6558         |
 *  +---------------+---------------+    +-------------------------------------------+
 *  |  Protocol Type 0x6558         |    |                    Key                    |
 *  +-------------------------------+    +-------------------------------------------+
 *  |  Virtual Network Identifier   |Rsvd|
 *  +-------------------------------+
 *  |  Variable-length options ...  |
 * </pre>
 */
public final class TunnelFormat
{
    /** How a format is decoded beyond its declaration. */
    public enum Kind
    {
        /** RFC 7348: the I flag must be set on receipt; reserved bits are ignored. */
        VXLAN,
        /** RFC 8926: version 0, variable options after the base header, protocol type checked. */
        GENEVE,
        /** RFC 7637: GRE with K bit, protocol 0x6558, VSID and FlowID in the key. */
        NVGRE,
        /** GRE transparent Ethernet bridging with a 32-bit key carrying the virtual network id. */
        GRE,
        /** Declared in configuration: fixed length, fields and fixed bytes only. */
        CUSTOM
    }

    public static final int IP_PROTOCOL_UDP = 17;
    public static final int IP_PROTOCOL_GRE = 47;
    public static final int NO_FIELD = -1;

    public static final int VXLAN_PORT = 4789;
    public static final int VXLAN_LINUX_PORT = 8472;
    public static final int GENEVE_PORT = 6081;
    public static final int ETHERTYPE_TEB = 0x6558;

    public static final TunnelFormat VXLAN = new TunnelFormat("vxlan", Kind.VXLAN, IP_PROTOCOL_UDP, VXLAN_PORT, 8,
        4, 24, NO_FIELD, 0, bytes(0x08, 0, 0, 0, 0, 0, 0, 0), bytes(0x08, 0, 0, 0, 0, 0, 0, 0), 24);
    public static final TunnelFormat GENEVE = new TunnelFormat("geneve", Kind.GENEVE, IP_PROTOCOL_UDP, GENEVE_PORT, 8,
        4, 24, NO_FIELD, 0, bytes(0, 0, 0x65, 0x58, 0, 0, 0, 0), bytes(0xC0, 0, 0xFF, 0xFF, 0, 0, 0, 0), 24);
    public static final TunnelFormat NVGRE = new TunnelFormat("nvgre", Kind.NVGRE, IP_PROTOCOL_GRE, 0, 8,
        4, 24, 7, 8, bytes(0x20, 0, 0x65, 0x58, 0, 0, 0, 0), bytes(0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0), 24);
    public static final TunnelFormat GRE = new TunnelFormat("gre", Kind.GRE, IP_PROTOCOL_GRE, 0, 8,
        4, 32, NO_FIELD, 0, bytes(0x20, 0, 0x65, 0x58, 0, 0, 0, 0), bytes(0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0), 32);

    private final String name;
    private final Kind kind;
    private final int ipProtocol;
    private final int udpPort;
    private final int headerLength;
    private final int vniOffset;
    private final int vniWidth;
    private final int flowIdOffset;
    private final int flowIdWidth;
    private final byte[] fixedBytes;
    private final byte[] fixedMask;
    private final int maxVniBits;

    private TunnelFormat(
        final String name,
        final Kind kind,
        final int ipProtocol,
        final int udpPort,
        final int headerLength,
        final int vniOffset,
        final int vniWidth,
        final int flowIdOffset,
        final int flowIdWidth,
        final byte[] fixedBytes,
        final byte[] fixedMask,
        final int maxVniBits)
    {
        this.name = name;
        this.kind = kind;
        this.ipProtocol = ipProtocol;
        this.udpPort = udpPort;
        this.headerLength = headerLength;
        this.vniOffset = vniOffset;
        this.vniWidth = vniWidth;
        this.flowIdOffset = flowIdOffset;
        this.flowIdWidth = flowIdWidth;
        this.fixedBytes = fixedBytes;
        this.fixedMask = fixedMask;
        this.maxVniBits = maxVniBits;
    }

    private static byte[] bytes(final int... values)
    {
        final byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++)
        {
            b[i] = (byte)values[i];
        }
        return b;
    }

    /** The built-in format of that name, or null. */
    public static TunnelFormat builtIn(final String name)
    {
        return switch (name)
        {
            case "vxlan" -> VXLAN;
            case "geneve" -> GENEVE;
            case "nvgre" -> NVGRE;
            case "gre" -> GRE;
            default -> null;
        };
    }

    /** A built-in UDP format under another name and UDP port (VXLAN on Linux's 8472, for example). */
    public TunnelFormat withUdpPort(final String newName, final int port)
    {
        if (ipProtocol != IP_PROTOCOL_UDP)
        {
            throw new IllegalArgumentException(name + " is not carried in UDP");
        }
        checkPort(port);
        return new TunnelFormat(newName, kind, ipProtocol, port, headerLength, vniOffset, vniWidth, flowIdOffset,
            flowIdWidth, fixedBytes, fixedMask, maxVniBits);
    }

    /**
     * A custom format carried in UDP ({@code udpPort > 0}) or directly in IP ({@code ipProtocol}, with udpPort 0).
     * The payload after the header is an Ethernet frame.
     *
     * @param fixed      header bytes written on encap; only the bytes with a non-zero {@code mask} are checked on decap.
     * @throws IllegalArgumentException naming the bad setting.
     */
    public static TunnelFormat custom(
        final String name,
        final int ipProtocol,
        final int udpPort,
        final int headerLength,
        final int vniOffset,
        final int vniWidth,
        final int flowIdOffset,
        final int flowIdWidth,
        final byte[] fixed,
        final byte[] mask)
    {
        if (headerLength < 1 || headerLength > 64)
        {
            throw new IllegalArgumentException("header-length: " + headerLength + " is out of range 1..64");
        }
        if (ipProtocol == IP_PROTOCOL_UDP)
        {
            checkPort(udpPort);
        }
        else if (ipProtocol < 0 || ipProtocol > 255)
        {
            throw new IllegalArgumentException("ip-protocol: " + ipProtocol + " is out of range 0..255");
        }
        checkField("vni", vniOffset, vniWidth, headerLength);
        if (flowIdOffset != NO_FIELD)
        {
            checkField("flow-id", flowIdOffset, flowIdWidth, headerLength);
            if (flowIdOffset < vniOffset + vniWidth / 8 && vniOffset < flowIdOffset + flowIdWidth / 8)
            {
                throw new IllegalArgumentException("flow-id: overlaps vni");
            }
        }
        if (fixed.length != headerLength || mask.length != headerLength)
        {
            throw new IllegalArgumentException("fixed: must describe " + headerLength + " bytes");
        }
        return new TunnelFormat(name, Kind.CUSTOM, ipProtocol, ipProtocol == IP_PROTOCOL_UDP ? udpPort : 0,
            headerLength, vniOffset, vniWidth, flowIdOffset, flowIdWidth, fixed.clone(), mask.clone(),
            Math.min(vniWidth, 24));
    }

    private static void checkPort(final int port)
    {
        if (port < 1 || port > 65535)
        {
            throw new IllegalArgumentException("udp-port: " + port + " is out of range 1..65535");
        }
    }

    private static void checkField(final String what, final int offset, final int width, final int headerLength)
    {
        if (width != 8 && width != 16 && width != 24 && width != 32)
        {
            throw new IllegalArgumentException(what + ".width: " + width + " must be 8, 16, 24 or 32 bits");
        }
        if (offset < 0 || offset + width / 8 > headerLength)
        {
            throw new IllegalArgumentException(what + ".offset: " + offset + " puts the field outside the " +
                headerLength + "-byte header");
        }
    }

    public String name()
    {
        return name;
    }

    public Kind kind()
    {
        return kind;
    }

    /** 17 for UDP-carried formats, otherwise the IP protocol number the header follows directly. */
    public int ipProtocol()
    {
        return ipProtocol;
    }

    public boolean isUdp()
    {
        return ipProtocol == IP_PROTOCOL_UDP;
    }

    /** The UDP destination port, or 0 for formats carried directly in IP. */
    public int udpPort()
    {
        return udpPort;
    }

    /** Length of the fixed part of the header (Geneve options come on top). */
    public int headerLength()
    {
        return headerLength;
    }

    public int vniOffset()
    {
        return vniOffset;
    }

    /** Width of the virtual network id field in bits. */
    public int vniWidth()
    {
        return vniWidth;
    }

    /** Largest virtual network id a rule may use with this format, as a bit count (24, or 32 for GRE keys). */
    public int maxVniBits()
    {
        return maxVniBits;
    }

    public long maxVni()
    {
        return (1L << maxVniBits) - 1;
    }

    /** Offset of the flow id field, or {@link #NO_FIELD}. */
    public int flowIdOffset()
    {
        return flowIdOffset;
    }

    public int flowIdWidth()
    {
        return flowIdWidth;
    }

    /** A copy of the header as written before the virtual network id and flow id are filled in. */
    public byte[] fixedBytes()
    {
        return fixedBytes.clone();
    }

    /** A copy of the mask of the header bits checked on decap. */
    public byte[] fixedMask()
    {
        return fixedMask.clone();
    }

    /** Fixed header byte {@code i} (no copy: for the data path). */
    public byte fixedByteAt(final int i)
    {
        return fixedBytes[i];
    }

    /** Mask of header byte {@code i}, 0..255: the bits decap checks against {@link #fixedByteAt}. */
    public int fixedMaskByte(final int i)
    {
        return fixedMask[i] & 0xFF;
    }

    @Override
    public boolean equals(final Object o)
    {
        if (!(o instanceof TunnelFormat other))
        {
            return false;
        }
        return name.equals(other.name) && kind == other.kind && ipProtocol == other.ipProtocol &&
            udpPort == other.udpPort && headerLength == other.headerLength && vniOffset == other.vniOffset &&
            vniWidth == other.vniWidth && flowIdOffset == other.flowIdOffset && flowIdWidth == other.flowIdWidth &&
            Arrays.equals(fixedBytes, other.fixedBytes) && Arrays.equals(fixedMask, other.fixedMask);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(name, kind, udpPort, ipProtocol);
    }

    @Override
    public String toString()
    {
        return name + "(" + kind + (isUdp() ? ", udp " + udpPort : ", ip protocol " + ipProtocol) + ", " +
            headerLength + " B)";
    }
}
