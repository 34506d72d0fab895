package io.vfplane.dataplane.headers;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * ARP (RFC 826). The fixed part is generic; the address accessors assume the Ethernet / IPv4 form
 * (hardware length 6, protocol length 4), which {@link #isEthernetIpv4()} checks.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Hardware Type         |         Protocol Type         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  HW Addr Len  | Proto Addr Len|           Operation           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |            Sender Hardware Address (6)                        |
 *  +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                               |  Sender Protocol Address (4)  |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 *  |                               |                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 *  |            Target Hardware Address (6)                        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  Target Protocol Address (4)                  |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class ArpFlyweight extends HeaderFlyweight
{
    public static final int HARDWARE_TYPE_OFFSET = 0;
    public static final int PROTOCOL_TYPE_OFFSET = 2;
    public static final int HARDWARE_LENGTH_OFFSET = 4;
    public static final int PROTOCOL_LENGTH_OFFSET = 5;
    public static final int OPERATION_OFFSET = 6;
    public static final int SENDER_HARDWARE_OFFSET = 8;
    public static final int SENDER_PROTOCOL_OFFSET = 14;
    public static final int TARGET_HARDWARE_OFFSET = 18;
    public static final int TARGET_PROTOCOL_OFFSET = 24;
    public static final int FIXED_LENGTH = 8;
    public static final int ETHERNET_IPV4_LENGTH = 28;

    public static final int HARDWARE_TYPE_ETHERNET = 1;
    public static final int OPERATION_REQUEST = 1;
    public static final int OPERATION_REPLY = 2;

    public ArpFlyweight wrap(final DirectBuffer buffer, final int offset)
    {
        wrapReadOnly(buffer, offset);
        return this;
    }

    public ArpFlyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        wrapMutable(buffer, offset);
        return this;
    }

    public int hardwareType()
    {
        return u16(HARDWARE_TYPE_OFFSET);
    }

    public ArpFlyweight hardwareType(final int value)
    {
        u16(HARDWARE_TYPE_OFFSET, value);
        return this;
    }

    public int protocolType()
    {
        return u16(PROTOCOL_TYPE_OFFSET);
    }

    public ArpFlyweight protocolType(final int value)
    {
        u16(PROTOCOL_TYPE_OFFSET, value);
        return this;
    }

    public int hardwareLength()
    {
        return u8(HARDWARE_LENGTH_OFFSET);
    }

    public ArpFlyweight hardwareLength(final int value)
    {
        u8(HARDWARE_LENGTH_OFFSET, value);
        return this;
    }

    public int protocolLength()
    {
        return u8(PROTOCOL_LENGTH_OFFSET);
    }

    public ArpFlyweight protocolLength(final int value)
    {
        u8(PROTOCOL_LENGTH_OFFSET, value);
        return this;
    }

    public int operation()
    {
        return u16(OPERATION_OFFSET);
    }

    public ArpFlyweight operation(final int value)
    {
        u16(OPERATION_OFFSET, value);
        return this;
    }

    /** Length of the whole message as its length fields say: 8 + 2 * (hardware + protocol length). */
    public int length()
    {
        return FIXED_LENGTH + 2 * (hardwareLength() + protocolLength());
    }

    public boolean isEthernetIpv4()
    {
        return hardwareLength() == EthernetFlyweight.MAC_LENGTH && protocolLength() == 4;
    }

    public long senderHardwareAddress()
    {
        return u48(SENDER_HARDWARE_OFFSET);
    }

    public ArpFlyweight senderHardwareAddress(final long mac)
    {
        u48(SENDER_HARDWARE_OFFSET, mac);
        return this;
    }

    public int senderProtocolAddress()
    {
        return i32(SENDER_PROTOCOL_OFFSET);
    }

    public ArpFlyweight senderProtocolAddress(final int address)
    {
        i32(SENDER_PROTOCOL_OFFSET, address);
        return this;
    }

    public long targetHardwareAddress()
    {
        return u48(TARGET_HARDWARE_OFFSET);
    }

    public ArpFlyweight targetHardwareAddress(final long mac)
    {
        u48(TARGET_HARDWARE_OFFSET, mac);
        return this;
    }

    public int targetProtocolAddress()
    {
        return i32(TARGET_PROTOCOL_OFFSET);
    }

    public ArpFlyweight targetProtocolAddress(final int address)
    {
        i32(TARGET_PROTOCOL_OFFSET, address);
        return this;
    }
}
