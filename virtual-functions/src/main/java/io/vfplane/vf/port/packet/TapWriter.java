package io.vfplane.vf.port.packet;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import io.vfplane.vf.port.sys.LibC;
import io.vfplane.vf.port.tap.TapConfig;
import io.vfplane.vf.port.tap.TapDevice;

/**
 * Writes whole Ethernet frames into a TAP device, one {@code write(2)} per frame (a TAP fd takes one frame per call):
 * to the kernel they arrive as frames received on the TAP interface, so {@code tcpdump -i TAP} sees them.
 * The TAP is opened without a vnet header; if no device of that name exists it is created and disappears on
 * {@link #close()}, a persistent one ({@code ip tuntap add}) is attached to and left in place. The interface is set up
 * (IFF_UP) on open, as the kernel refuses writes into a TAP that is down.
 */
public final class TapWriter implements FrameTransmitter
{
    private static final int IFREQ_SIZE = 40;
    private static final int IFNAMSIZ = 16;
    private static final int IFR_FLAGS_OFFSET = 16;
    /** Interface flag ioctls on any socket: read, then write back with IFF_UP. */
    private static final long SIOCGIFFLAGS = 0x8913L;
    private static final long SIOCSIFFLAGS = 0x8914L;
    private static final short IFF_UP = 0x1;

    private final TapDevice device;
    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment errno;
    private long retriedAgain;
    private boolean closed;

    private TapWriter(final TapDevice device)
    {
        this.device = device;
        this.fd = device.fd(0);
        this.errno = LibC.newErrnoState(arena);
    }

    /**
     * Open (or create) a TAP in the calling thread's network namespace and set it up.
     *
     * @param name the device name.
     * @return the writer.
     * @throws IllegalStateException naming the TAP and the kernel's reason.
     */
    public static TapWriter open(final String name)
    {
        final TapConfig config;
        try
        {
            config = new TapConfig(name, 1, 0, 0, 0, 0);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalStateException("tap " + name + ": " + ex.getMessage(), ex);
        }
        final TapDevice device = TapDevice.open(config);
        try
        {
            setUp(device.name());
            return new TapWriter(device);
        }
        catch (final RuntimeException ex)
        {
            device.close();
            throw ex;
        }
    }

    /**
     * Set an interface of the calling thread's namespace up ({@code SIOCGIFFLAGS}, then {@code SIOCSIFFLAGS} with
     * IFF_UP), as {@code ip link set NAME up} does.
     *
     * @param name interface name.
     */
    static void setUp(final String name)
    {
        try (Arena setup = Arena.ofConfined())
        {
            final MemorySegment errno = LibC.newErrnoState(setup);
            final int sock = LibC.socket(errno, PacketSocket.AF_PACKET, PacketSocket.SOCK_RAW | LibC.SOCK_CLOEXEC, 0);
            if (sock < 0)
            {
                throw new IllegalStateException("tap " + name + ": socket for ioctl failed: " +
                    LibC.strerror(LibC.errno(errno)));
            }
            try
            {
                final MemorySegment ifreq = setup.allocate(IFREQ_SIZE, 8);
                final byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
                MemorySegment.copy(bytes, 0, ifreq, ValueLayout.JAVA_BYTE, 0, Math.min(bytes.length, IFNAMSIZ - 1));
                if (LibC.ioctl(errno, sock, SIOCGIFFLAGS, ifreq.address()) < 0)
                {
                    throw new IllegalStateException("tap " + name + ": SIOCGIFFLAGS failed: " +
                        LibC.strerror(LibC.errno(errno)));
                }
                final short flags = ifreq.get(ValueLayout.JAVA_SHORT, IFR_FLAGS_OFFSET);
                if ((flags & IFF_UP) == 0)
                {
                    ifreq.set(ValueLayout.JAVA_SHORT, IFR_FLAGS_OFFSET, (short)(flags | IFF_UP));
                    if (LibC.ioctl(errno, sock, SIOCSIFFLAGS, ifreq.address()) < 0)
                    {
                        throw new IllegalStateException("tap " + name + ": SIOCSIFFLAGS (up) failed: " +
                            LibC.strerror(LibC.errno(errno)));
                    }
                }
            }
            finally
            {
                LibC.close(errno, sock);
            }
        }
    }

    /** @return the TAP's name as the kernel has it. */
    public String name()
    {
        return device.name();
    }

    @Override
    public void transmit(final TxBatch batch)
    {
        final int count = batch.count();
        for (int i = 0; i < count; i++)
        {
            int retries = 0;
            while (true)
            {
                final long written = LibC.write(errno, fd, batch.address(i), batch.length(i));
                if (written >= 0)
                {
                    batch.result(i, (int)written);
                    break;
                }
                final int e = LibC.errno(errno);
                if ((e == LibC.EAGAIN || e == LibC.EINTR) && retries < PacketSocket.MAX_RETRIES)
                {
                    retries++;
                    retriedAgain++;
                    Thread.onSpinWait();
                    continue;
                }
                batch.result(i, -e);
                break;
            }
        }
    }

    @Override
    public long retriedNoBuffers()
    {
        return 0;
    }

    @Override
    public long retriedAgain()
    {
        return retriedAgain;
    }

    @Override
    public String describe()
    {
        return "tap " + device.name();
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            device.close();
            arena.close();
        }
    }
}
