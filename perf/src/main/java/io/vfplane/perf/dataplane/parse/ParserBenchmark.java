package io.vfplane.perf.dataplane.parse;

import io.vfplane.dataplane.checksum.Checksums;
import io.vfplane.dataplane.parse.DropReason;
import io.vfplane.dataplane.parse.LayerType;
import io.vfplane.dataplane.parse.LinkType;
import io.vfplane.dataplane.parse.PacketParser;
import io.vfplane.dataplane.parse.ParseResult;
import io.vfplane.dataplane.parse.ParserConfig;
import io.vfplane.perf.BenchmarkDefaults;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;

import java.nio.ByteBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * Cost of {@link PacketParser#parse} on two hand-built frames held off-heap, as a packet pool would hold them:
 * <pre>
 * udpIpv4Frame (64 bytes as captured, no FCS):
 *  +--------+----------+-------+--------------------+
 *  |Ethernet| IPv4 (20)|UDP (8)|  payload (22)      |
 *  +--------+----------+-------+--------------------+
 *
 * vxlanTcpFrame (outer UDP port 4789, VNI 100, inner TCP data segment with the timestamps option):
 *  +--------+----------+-------+---------+--------+----------+--------------+---------------+
 *  |Ethernet| IPv4 (20)|UDP (8)|VXLAN (8)|Ethernet| IPv4 (20)|TCP (20 + 12) | payload (100) |
 *  +--------+----------+-------+---------+--------+----------+--------------+---------------+
 * </pre>
 * The setup checks that both frames parse cleanly into the expected layers, so the benchmark never measures an early
 * drop. The result is reused across invocations, as the data path does.
 */
public class ParserBenchmark extends BenchmarkDefaults
{
    private static final int ETHERNET_LENGTH = 14;
    private static final int IPV4_LENGTH = 20;
    private static final int UDP_LENGTH = 8;
    private static final int VXLAN_LENGTH = 8;
    private static final int TCP_LENGTH = 32;
    private static final int UDP_PAYLOAD = 22;
    private static final int TCP_PAYLOAD = 100;
    private static final int VXLAN_PORT = 4789;

    private final PacketParser parser = new PacketParser(new ParserConfig());
    private final ParseResult result = new ParseResult();
    private final UnsafeBuffer udpFrame = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
    private final UnsafeBuffer vxlanFrame = new UnsafeBuffer(ByteBuffer.allocateDirect(512));
    private int udpFrameLength;
    private int vxlanFrameLength;

    @Setup
    public void setUp()
    {
        udpFrameLength = writeUdpIpv4Frame(udpFrame, 0);
        vxlanFrameLength = writeVxlanTcpFrame(vxlanFrame, 0);
        check(udpFrame, udpFrameLength, LayerType.ETHERNET, LayerType.IPV4, LayerType.UDP);
        check(vxlanFrame, vxlanFrameLength, LayerType.ETHERNET, LayerType.IPV4, LayerType.UDP, LayerType.VXLAN,
            LayerType.ETHERNET, LayerType.IPV4, LayerType.TCP);
    }

    /** A 64-byte UDP/IPv4 frame. */
    @Benchmark
    public int udpIpv4Frame()
    {
        parser.parse(udpFrame, 0, udpFrameLength, LinkType.ETHERNET, result);
        return result.layerCount();
    }

    /** A VXLAN frame with an inner TCP/IPv4 segment carrying options. */
    @Benchmark
    public int vxlanTcpFrame()
    {
        parser.parse(vxlanFrame, 0, vxlanFrameLength, LinkType.ETHERNET, result);
        return result.layerCount();
    }

    private void check(final UnsafeBuffer frame, final int length, final int... expectedLayers)
    {
        final DropReason drop = parser.parse(frame, 0, length, LinkType.ETHERNET, result);
        if (drop != DropReason.NONE || result.layerCount() < expectedLayers.length)
        {
            throw new IllegalStateException("benchmark frame does not parse cleanly: " + result.describe());
        }
        for (int i = 0; i < expectedLayers.length; i++)
        {
            if (result.layerType(i) != expectedLayers[i])
            {
                throw new IllegalStateException("unexpected layers: " + result.describe());
            }
        }
    }

    public static int writeUdpIpv4Frame(final MutableDirectBuffer buffer, final int offset)
    {
        final int ip = writeEthernet(buffer, offset, 0x02_00_00_00_00_01L, 0x02_00_00_00_00_02L);
        final int udp = writeIpv4(
            buffer, ip, Checksums.PROTOCOL_UDP, UDP_LENGTH + UDP_PAYLOAD, 0x0A00_0001, 0x0A00_0002);
        buffer.putShort(udp, (short)40000, BIG_ENDIAN);
        buffer.putShort(udp + 2, (short)9, BIG_ENDIAN);
        buffer.putShort(udp + 4, (short)(UDP_LENGTH + UDP_PAYLOAD), BIG_ENDIAN);
        buffer.putShort(udp + 6, (short)0, BIG_ENDIAN);
        for (int i = 0; i < UDP_PAYLOAD; i++)
        {
            buffer.putByte(udp + UDP_LENGTH + i, (byte)('a' + i));
        }
        Checksums.writeL4Checksum(buffer, ip, udp, UDP_LENGTH + UDP_PAYLOAD, Checksums.PROTOCOL_UDP);
        return udp + UDP_LENGTH + UDP_PAYLOAD - offset;
    }

    public static int writeVxlanTcpFrame(final MutableDirectBuffer buffer, final int offset)
    {
        final int innerLength = ETHERNET_LENGTH + IPV4_LENGTH + TCP_LENGTH + TCP_PAYLOAD;
        final int outerUdpLength = UDP_LENGTH + VXLAN_LENGTH + innerLength;

        final int ip = writeEthernet(buffer, offset, 0x02_00_00_00_01_01L, 0x02_00_00_00_01_02L);
        final int udp = writeIpv4(buffer, ip, Checksums.PROTOCOL_UDP, outerUdpLength, 0xC0A8_0001, 0xC0A8_0002);
        buffer.putShort(udp, (short)49152, BIG_ENDIAN);
        buffer.putShort(udp + 2, (short)VXLAN_PORT, BIG_ENDIAN);
        buffer.putShort(udp + 4, (short)outerUdpLength, BIG_ENDIAN);
        buffer.putShort(udp + 6, (short)0, BIG_ENDIAN);

        final int vxlan = udp + UDP_LENGTH;
        buffer.putInt(vxlan, 0x0800_0000, BIG_ENDIAN);
        buffer.putInt(vxlan + 4, 100 << 8, BIG_ENDIAN);

        final int innerIp = writeEthernet(buffer, vxlan + VXLAN_LENGTH, 0x02_00_00_00_02_01L, 0x02_00_00_00_02_02L);
        final int tcp = writeIpv4(
            buffer, innerIp, Checksums.PROTOCOL_TCP, TCP_LENGTH + TCP_PAYLOAD, 0x0A01_0001, 0x0A01_0002);
        buffer.putShort(tcp, (short)43210, BIG_ENDIAN);
        buffer.putShort(tcp + 2, (short)443, BIG_ENDIAN);
        buffer.putInt(tcp + 4, 0x1234_5678, BIG_ENDIAN);
        buffer.putInt(tcp + 8, 0x0765_4321, BIG_ENDIAN);
        buffer.putByte(tcp + 12, (byte)((TCP_LENGTH / 4) << 4));
        buffer.putByte(tcp + 13, (byte)0x18);
        buffer.putShort(tcp + 14, (short)502, BIG_ENDIAN);
        buffer.putShort(tcp + 16, (short)0, BIG_ENDIAN);
        buffer.putShort(tcp + 18, (short)0, BIG_ENDIAN);
        // options as a Linux data segment carries them: NOP, NOP, timestamps
        final int options = tcp + 20;
        buffer.putInt(options, 0x0101_080A, BIG_ENDIAN);
        buffer.putInt(options + 4, 0x0001_0203, BIG_ENDIAN);
        buffer.putInt(options + 8, 0x0004_0506, BIG_ENDIAN);
        for (int i = 0; i < TCP_PAYLOAD; i++)
        {
            buffer.putByte(tcp + TCP_LENGTH + i, (byte)i);
        }
        Checksums.writeL4Checksum(buffer, innerIp, tcp, TCP_LENGTH + TCP_PAYLOAD, Checksums.PROTOCOL_TCP);
        return tcp + TCP_LENGTH + TCP_PAYLOAD - offset;
    }

    private static int writeEthernet(
        final MutableDirectBuffer buffer, final int offset, final long source, final long destination)
    {
        buffer.putShort(offset, (short)(destination >>> 32), BIG_ENDIAN);
        buffer.putInt(offset + 2, (int)destination, BIG_ENDIAN);
        buffer.putShort(offset + 6, (short)(source >>> 32), BIG_ENDIAN);
        buffer.putInt(offset + 8, (int)source, BIG_ENDIAN);
        buffer.putShort(offset + 12, (short)0x0800, BIG_ENDIAN);
        return offset + ETHERNET_LENGTH;
    }

    private static int writeIpv4(
        final MutableDirectBuffer buffer,
        final int offset,
        final int protocol,
        final int l4Length,
        final int source,
        final int destination)
    {
        buffer.putByte(offset, (byte)0x45);
        buffer.putByte(offset + 1, (byte)0);
        buffer.putShort(offset + 2, (short)(IPV4_LENGTH + l4Length), BIG_ENDIAN);
        buffer.putShort(offset + 4, (short)0x1c46, BIG_ENDIAN);
        buffer.putShort(offset + 6, (short)0x4000, BIG_ENDIAN);
        buffer.putByte(offset + 8, (byte)64);
        buffer.putByte(offset + 9, (byte)protocol);
        buffer.putShort(offset + 10, (short)0, BIG_ENDIAN);
        buffer.putInt(offset + 12, source, BIG_ENDIAN);
        buffer.putInt(offset + 16, destination, BIG_ENDIAN);
        Checksums.writeIpv4HeaderChecksum(buffer, offset);
        return offset + IPV4_LENGTH;
    }
}
