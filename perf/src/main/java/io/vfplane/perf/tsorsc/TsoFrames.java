package io.vfplane.perf.tsorsc;

import io.vfplane.dataplane.checksum.Checksums;
import org.agrona.MutableDirectBuffer;

import java.util.SplittableRandom;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * Writes the benchmark frame: Ethernet, IPv4 (IHL 5), TCP with the 12-byte timestamp option, random payload.
 * <pre>
 *  0        14         34               66                                       66 + payload
 *  +--------+----------+----------------+-----------------------------------------+
 *  |Ethernet|   IPv4   | TCP + TS opts  |  payload (45 x 1448 = 65160 bytes)      |
 *  +--------+----------+----------------+-----------------------------------------+
 * </pre>
 */
final class TsoFrames
{
    static final int IP_OFFSET = 14;
    static final int TCP_OFFSET = 34;
    static final int HEADER_LENGTH = 66;
    static final int MSS = 1448;
    static final int SEGMENTS = 45;
    static final int PAYLOAD_LENGTH = MSS * SEGMENTS;

    private TsoFrames()
    {
    }

    /**
     * @return the frame length.
     */
    static int write(final MutableDirectBuffer b, final int at, final int payloadLength, final int seq, final int id)
    {
        final SplittableRandom random = new SplittableRandom(seq);
        for (int i = 0; i < HEADER_LENGTH + payloadLength; i++)
        {
            b.putByte(at + i, (byte)random.nextInt(256));
        }
        for (int i = 0; i < 12; i++)
        {
            b.putByte(at + i, (byte)(i < 6 ? 2 : 4));
        }
        b.putShort(at + 12, (short)0x0800, BIG_ENDIAN);
        final int ip = at + IP_OFFSET;
        b.putByte(ip, (byte)0x45);
        b.putByte(ip + 1, (byte)0);
        b.putShort(ip + 2, (short)(20 + 32 + payloadLength), BIG_ENDIAN);
        b.putShort(ip + 4, (short)id, BIG_ENDIAN);
        b.putShort(ip + 6, (short)0x4000, BIG_ENDIAN);
        b.putByte(ip + 8, (byte)64);
        b.putByte(ip + 9, (byte)6);
        b.putInt(ip + 12, 0x0A00_0001, BIG_ENDIAN);
        b.putInt(ip + 16, 0x0A00_0002, BIG_ENDIAN);
        Checksums.writeIpv4HeaderChecksum(b, ip);
        final int tcp = at + TCP_OFFSET;
        b.putShort(tcp, (short)40000, BIG_ENDIAN);
        b.putShort(tcp + 2, (short)5201, BIG_ENDIAN);
        b.putInt(tcp + 4, seq, BIG_ENDIAN);
        b.putByte(tcp + 12, (byte)(8 << 4));
        b.putByte(tcp + 13, (byte)0x10);
        b.putShort(tcp + 14, (short)512, BIG_ENDIAN);
        b.putShort(tcp + 18, (short)0, BIG_ENDIAN);
        b.putInt(tcp + 20, 0x0101080A, BIG_ENDIAN);
        Checksums.writeL4Checksum(b, ip, tcp, 32 + payloadLength, 6);
        return HEADER_LENGTH + payloadLength;
    }
}
