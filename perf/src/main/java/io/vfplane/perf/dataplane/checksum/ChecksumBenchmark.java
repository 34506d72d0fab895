package io.vfplane.perf.dataplane.checksum;

import io.vfplane.dataplane.checksum.Checksums;
import io.vfplane.perf.BenchmarkDefaults;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * Costs of {@link Checksums} on one off-heap IPv4/TCP frame with a full 1460-byte payload, as a packet pool would
 * hold it:
 * <pre>
 *  0        14                  34                  54                                   1514
 *  +--------+-------------------+-------------------+------------------------------------+
 *  |Ethernet|   IPv4 (IHL 5)    |  TCP (no options) |        payload, 1460 bytes         |
 *  +--------+-------------------+-------------------+------------------------------------+
 * </pre>
 * {@link #baselineSumBytes()} is the naive loop over the same TCP segment, one byte at a time, to show what reading
 * eight bytes at a time buys. Inputs are read from the buffer inside each benchmark so the JIT cannot fold them.
 */
public class ChecksumBenchmark extends BenchmarkDefaults
{
    private static final int IP_OFFSET = 14;
    private static final int IP_HEADER_LENGTH = 20;
    private static final int L4_OFFSET = IP_OFFSET + IP_HEADER_LENGTH;
    private static final int TCP_HEADER_LENGTH = 20;
    private static final int PAYLOAD_LENGTH = 1460;
    private static final int L4_LENGTH = TCP_HEADER_LENGTH + PAYLOAD_LENGTH;
    private static final int FRAME_LENGTH = L4_OFFSET + L4_LENGTH;

    private static final int IPV4_TTL_PROTOCOL_OFFSET = 8;
    private static final int IPV4_CHECKSUM_OFFSET = 10;
    private static final int IPV4_SOURCE_OFFSET = 12;

    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
    private int newSource;

    @Setup
    public void setUp()
    {
        final SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < FRAME_LENGTH; i++)
        {
            frame.putByte(i, (byte)random.nextInt(256));
        }
        frame.putShort(12, (short)0x0800, BIG_ENDIAN);
        frame.putByte(IP_OFFSET, (byte)0x45);
        frame.putShort(IP_OFFSET + 2, (short)(IP_HEADER_LENGTH + L4_LENGTH), BIG_ENDIAN);
        frame.putShort(IP_OFFSET + 6, (short)0x4000, BIG_ENDIAN);
        frame.putByte(IP_OFFSET + IPV4_TTL_PROTOCOL_OFFSET, (byte)64);
        frame.putByte(IP_OFFSET + 9, (byte)Checksums.PROTOCOL_TCP);
        frame.putInt(IP_OFFSET + IPV4_SOURCE_OFFSET, 0x0A00_0001, BIG_ENDIAN);
        frame.putInt(IP_OFFSET + 16, 0x0A00_0002, BIG_ENDIAN);
        frame.putByte(L4_OFFSET + 12, (byte)0x50);
        Checksums.writeIpv4HeaderChecksum(frame, IP_OFFSET);
        Checksums.writeL4Checksum(frame, IP_OFFSET, L4_OFFSET, L4_LENGTH, Checksums.PROTOCOL_TCP);
        newSource = 0xC0A8_0001;
    }

    /** IPv4 header checksum computed from scratch over 20 bytes. */
    @Benchmark
    public int ipv4HeaderChecksum()
    {
        return Checksums.ipv4HeaderChecksum(frame, IP_OFFSET);
    }

    /** TCP checksum over IPv4 pseudo header, 20-byte header and 1460-byte payload. */
    @Benchmark
    public int tcpChecksum1460()
    {
        return Checksums.l4Checksum(frame, IP_OFFSET, L4_OFFSET, L4_LENGTH, Checksums.PROTOCOL_TCP);
    }

    /** Receive-side check of the same segment. */
    @Benchmark
    public boolean tcpVerify1460()
    {
        return Checksums.verifyL4(frame, IP_OFFSET, L4_OFFSET, L4_LENGTH, Checksums.PROTOCOL_TCP);
    }

    /** Incremental IPv4 header update after a TTL decrement (RFC 1624), without writing. */
    @Benchmark
    public int incrementalTtlDecrement()
    {
        final int checksum = frame.getShort(IP_OFFSET + IPV4_CHECKSUM_OFFSET, BIG_ENDIAN) & 0xFFFF;
        final int ttlProtocol = frame.getShort(IP_OFFSET + IPV4_TTL_PROTOCOL_OFFSET, BIG_ENDIAN) & 0xFFFF;
        return Checksums.update16(checksum, ttlProtocol, ttlProtocol - 0x0100);
    }

    /** Source NAT: incremental update of both the IPv4 header and the TCP checksum for a new source address. */
    @Benchmark
    public int incrementalAddressRewrite()
    {
        final int ipChecksum = frame.getShort(IP_OFFSET + IPV4_CHECKSUM_OFFSET, BIG_ENDIAN) & 0xFFFF;
        final int tcpChecksum = frame.getShort(L4_OFFSET + Checksums.TCP_CHECKSUM_OFFSET, BIG_ENDIAN) & 0xFFFF;
        final int oldSource = frame.getInt(IP_OFFSET + IPV4_SOURCE_OFFSET, BIG_ENDIAN);
        return Checksums.update32(ipChecksum, oldSource, newSource) ^
            Checksums.update32(tcpChecksum, oldSource, newSource) << 16;
    }

    /** Baseline: the naive loop, one byte at a time over the same 1480-byte TCP segment. */
    @Benchmark
    public int baselineSumBytes()
    {
        int sum = 0;
        for (int i = L4_OFFSET, end = L4_OFFSET + L4_LENGTH; i < end; i++)
        {
            sum += frame.getByte(i) & 0xFF;
        }
        return sum;
    }
}
