package io.vfplane.vf.port.udp;

/**
 * The numbers and structures of the {@code native} underlay transport: a plain UDP socket with {@code recvmmsg}
 * (UDP GRO trains included: each message carries its own {@code UDP_GRO} control message) and {@code sendmmsg}
 * (each message its own {@code UDP_SEGMENT}). The calls themselves are {@link io.vfplane.vf.port.sys.LibC}'s, which
 * also owns the generic socket options and {@code struct iovec} ({@link io.vfplane.vf.port.sys.LibC#IOVEC_SIZE}).
 *
 * <h2>Structures (Linux x86-64 / aarch64, LP64)</h2>
 * <pre>
 *  struct sockaddr_in (16)   | family u16 (host order) | port u16 (BE) | addr u32 (BE) | zero[8] |
 *  struct iovec (16)         | base ptr (0) | len size_t (8) |
 *  struct msghdr (56)        | name ptr (0) | namelen u32 (8) | pad | iov ptr (16) | iovlen (24) |
 *                            | control ptr (32) | controllen (40) | flags i32 (48) | pad |
 *  struct mmsghdr (64)       | msghdr (0) | msg_len u32 (56) | pad |
 *  struct cmsghdr            | len size_t (0) | level i32 (8) | type i32 (12) | data (16) ... | (CMSG_SPACE: 8-aligned)
 * </pre>
 */
final class NativeUdp
{
    static final int AF_INET = 2;
    static final int SOCK_DGRAM = 2;
    static final int SOL_UDP = 17;
    static final int UDP_SEGMENT = 103;
    static final int UDP_GRO = 104;
    static final int MSG_WAITFORONE = 0x10000;
    static final int MSG_TRUNC = 0x20;

    static final int SOCKADDR_IN_SIZE = 16;
    static final int SIN_PORT_OFFSET = 2;
    static final int SIN_ADDR_OFFSET = 4;
    static final int MSGHDR_NAME_OFFSET = 0;
    static final int MSGHDR_NAMELEN_OFFSET = 8;
    static final int MSGHDR_IOV_OFFSET = 16;
    static final int MSGHDR_IOVLEN_OFFSET = 24;
    static final int MSGHDR_CONTROL_OFFSET = 32;
    static final int MSGHDR_CONTROLLEN_OFFSET = 40;
    static final int MSGHDR_FLAGS_OFFSET = 48;
    static final int MMSGHDR_LEN_OFFSET = 56;
    static final int MMSGHDR_SIZE = 64;
    static final int CMSG_LEN_OFFSET = 0;
    static final int CMSG_LEVEL_OFFSET = 8;
    static final int CMSG_TYPE_OFFSET = 12;
    static final int CMSG_DATA_OFFSET = 16;
    /** CMSG_SPACE(sizeof(int)): room for one UDP_GRO or UDP_SEGMENT control message. */
    static final int CMSG_SPACE_INT = 24;

    private NativeUdp()
    {
    }
}
