package io.vfplane.vf.port.tap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import io.vfplane.vf.port.sys.LibC;

/**
 * A TAP device opened through {@code /dev/net/tun} with FFM: one fd per queue. The device exists while an fd is
 * open (it is not made persistent), so closing this removes it, also from a namespace it was moved into.
 *
 * <pre>
 *  struct ifreq (40 bytes)           ioctls used ('T' = 0x54, all _IOW / _IOR of an int)
 *  +------------------+--------+     TUNSETIFF       0x400454ca  flags IFF_TAP|IFF_NO_PI[|IFF_VNET_HDR][|IFF_MULTI_QUEUE]
 *  | ifr_name[16]     | flags  |     TUNSETOFFLOAD   0x400454d0  TUN_F_* (value, not pointer)
 *  |                  | (s16)  |     TUNSETVNETHDRSZ 0x400454d8  int* 10 or 12
 *  +------------------+--------+
 * </pre>
 */
public final class TapDevice implements AutoCloseable
{
    public static final long TUNSETIFF = 0x400454caL;
    public static final long TUNSETOFFLOAD = 0x400454d0L;
    public static final long TUNSETVNETHDRSZ = 0x400454d8L;

    public static final int IFF_TAP = 0x0002;
    public static final int IFF_NO_PI = 0x1000;
    public static final int IFF_VNET_HDR = 0x4000;
    public static final int IFF_MULTI_QUEUE = 0x0100;

    public static final int TUN_F_CSUM = 0x01;
    public static final int TUN_F_TSO4 = 0x02;
    public static final int TUN_F_TSO6 = 0x04;
    public static final int TUN_F_TSO_ECN = 0x08;
    public static final int TUN_F_UFO = 0x10;
    public static final int TUN_F_USO4 = 0x20;
    public static final int TUN_F_USO6 = 0x40;

    private static final int IFREQ_SIZE = 40;
    private static final int IFNAMSIZ = 16;
    private static final int IFR_FLAGS_OFFSET = 16;
    private static final String TUN_PATH = "/dev/net/tun";

    private final TapConfig config;
    private final String name;
    private final int[] fds;
    private final int offloads;
    private final Arena arena = Arena.ofShared();
    private boolean closed;

    private TapDevice(final TapConfig config, final String name, final int[] fds, final int offloads)
    {
        this.config = config;
        this.name = name;
        this.fds = fds;
        this.offloads = offloads;
    }

    /**
     * Opens (creates) the TAP and its queues.
     *
     * @throws IllegalStateException with the kernel's reason, e.g. that the name is taken by a TAP open elsewhere.
     */
    public static TapDevice open(final TapConfig config)
    {
        final int[] fds = new int[config.queues()];
        java.util.Arrays.fill(fds, -1);
        String name = config.name();
        int offloads = 0;
        try (Arena setup = Arena.ofConfined())
        {
            final MemorySegment errno = LibC.newErrnoState(setup);
            final MemorySegment path = setup.allocateFrom(TUN_PATH);
            for (int q = 0; q < fds.length; q++)
            {
                final int fd = LibC.open(errno, path.address(), LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
                if (fd < 0)
                {
                    throw failure(config, "open " + TUN_PATH, LibC.errno(errno));
                }
                fds[q] = fd;
                final MemorySegment ifreq = setup.allocate(IFREQ_SIZE);
                final byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
                MemorySegment.copy(bytes, 0, ifreq, ValueLayout.JAVA_BYTE, 0, Math.min(bytes.length, IFNAMSIZ - 1));
                int flags = IFF_TAP | IFF_NO_PI;
                if (config.vnetHeaderSize() != 0)
                {
                    flags |= IFF_VNET_HDR;
                }
                if (config.queues() > 1)
                {
                    flags |= IFF_MULTI_QUEUE;
                }
                ifreq.set(ValueLayout.JAVA_SHORT, IFR_FLAGS_OFFSET, (short)flags);
                if (LibC.ioctl(errno, fd, TUNSETIFF, ifreq.address()) < 0)
                {
                    final int e = LibC.errno(errno);
                    if (e == LibC.EBUSY)
                    {
                        throw new IllegalStateException("tap " + name + ": the device is already open elsewhere " +
                            "(another process or port has it, or it was opened " +
                            (config.queues() > 1 ? "without" : "with") + " multi_queue): TUNSETIFF: EBUSY");
                    }
                    if (e == LibC.EINVAL && config.queues() > 1)
                    {
                        throw new IllegalStateException("tap " + name + ": TUNSETIFF with IFF_MULTI_QUEUE refused " +
                            "(a device of this name exists without multi_queue, or too many queues): EINVAL");
                    }
                    throw failure(config, "TUNSETIFF", e);
                }
                // the kernel writes the name it chose back (a "%d" pattern becomes a number)
                name = ifreq.getString(0);
                if (q == 0 && config.vnetHeaderSize() != 0)
                {
                    final MemorySegment size = setup.allocateFrom(ValueLayout.JAVA_INT, config.vnetHeaderSize());
                    if (LibC.ioctl(errno, fd, TUNSETVNETHDRSZ, size.address()) < 0)
                    {
                        throw failure(config, "TUNSETVNETHDRSZ " + config.vnetHeaderSize(), LibC.errno(errno));
                    }
                }
                if (q == 0 && config.vnetHeaderSize() != 0)
                {
                    offloads = setOffloads(config, errno, fd);
                }
            }
            return new TapDevice(config, name, fds, offloads);
        }
        catch (final RuntimeException e)
        {
            closeAll(fds);
            throw e;
        }
    }

    /**
     * {@code TUNSETOFFLOAD} with the configured flags. USO ({@code TUN_F_USO4|TUN_F_USO6}) is asked for when the
     * kernel has it: kernels before 6.2 refuse the flags with EINVAL, and then the TAP is set up without them (the
     * other flags again), so one configuration runs on old and new kernels; {@link #offloads()} says what was taken.
     *
     * @return the flags the kernel took.
     */
    private static int setOffloads(final TapConfig config, final MemorySegment errno, final int fd)
    {
        final int wanted = config.offloads();
        if (LibC.ioctl(errno, fd, TUNSETOFFLOAD, wanted) == 0)
        {
            return wanted;
        }
        int e = LibC.errno(errno);
        final int withoutUso = wanted & ~(TUN_F_USO4 | TUN_F_USO6);
        if (e == LibC.EINVAL && withoutUso != wanted)
        {
            if (LibC.ioctl(errno, fd, TUNSETOFFLOAD, withoutUso) == 0)
            {
                return withoutUso;
            }
            e = LibC.errno(errno);
        }
        throw failure(config, "TUNSETOFFLOAD 0x" + Integer.toHexString(wanted), e);
    }

    private static IllegalStateException failure(final TapConfig config, final String call, final int errno)
    {
        return new IllegalStateException(
            "tap " + config.name() + ": " + call + " failed: " + LibC.strerror(errno) + " (errno " + errno + ")");
    }

    private static void closeAll(final int[] fds)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment errno = LibC.newErrnoState(arena);
            for (int i = 0; i < fds.length; i++)
            {
                if (fds[i] >= 0)
                {
                    LibC.close(errno, fds[i]);
                    fds[i] = -1;
                }
            }
        }
    }

    /** The device's name (as the kernel has it). */
    public String name()
    {
        return name;
    }

    public TapConfig config()
    {
        return config;
    }

    /**
     * The {@code TUNSETOFFLOAD} flags the kernel took: the configured ones, less USO when the kernel has none (see
     * {@link TapConfig#offloads()}).
     */
    public int offloads()
    {
        return offloads;
    }

    /**
     * Whether this kernel takes USO on the TAP ({@code TUN_F_USO4} and {@code TUN_F_USO6} were asked for and
     * accepted): it then also takes {@code GSO_UDP_L4} frames written to the TAP, segmenting them into datagrams.
     */
    public boolean takesUdpGso()
    {
        return (offloads & (TUN_F_USO4 | TUN_F_USO6)) == (TUN_F_USO4 | TUN_F_USO6);
    }

    public int queues()
    {
        return fds.length;
    }

    /** The fd of queue {@code q}. */
    public int fd(final int q)
    {
        return fds[q];
    }

    /** A segment owned by the device for one thread's errno captures (freed by {@link #close()}). */
    MemorySegment newErrnoState()
    {
        return LibC.newErrnoState(arena);
    }

    /** Native memory owned by the device (freed by {@link #close()}). */
    MemorySegment allocate(final long bytes)
    {
        return arena.allocate(bytes, 8);
    }

    /** Closes every queue: the device disappears. Threads using the fds must have stopped. */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        closeAll(fds);
        arena.close();
    }
}
