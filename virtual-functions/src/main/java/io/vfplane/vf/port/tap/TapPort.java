package io.vfplane.vf.port.tap;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.Offload;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.vf.port.PacketPort;
import io.vfplane.vf.port.PacketSink;
import io.vfplane.vf.port.sys.LibC;

/**
 * A VF's guest side: a {@link TapDevice} as a {@link PacketPort}. Frames move straight between the TAP fd and pool
 * buffers, no copy: a read lands the vnet header in the headroom just in front of the frame's data offset, and a
 * write sends the header from the headroom just in front of the frame (or, when that headroom is taken, header and
 * frame as two iovecs).
 *
 * <pre>
 *   slot:  | headroom ........... | vnet hdr | frame (from pool.dataOffset(id)) ...          |
 *                                 ^ read(fd, here, hdr + dataCapacity)
 * </pre>
 *
 * <h2>Receive threads</h2>
 * One thread per queue polls its fd ({@code poll}, 100 ms timeout) and then reads until {@code EAGAIN} or a batch
 * of {@value #RX_BATCH} frames. A blocking {@code read} would save the poll, but a thread blocked in {@code read}
 * on a TAP is not woken by closing the fd from another thread; polling with a timeout gives a clean stop (the thread
 * sees the stop flag within 100 ms and the fds close after it has gone) and costs one extra syscall per burst, not
 * per packet. A TAP has no batched read (no recvmmsg on a character device; vhost-net is absent), so a read per
 * frame is the floor.
 *
 * <h2>Shutdown</h2>
 * Close the pipeline that sends to this port first, then the port: {@link #close()} stops the receive threads (a
 * packet they offer to a closed pipeline is refused and its buffer released) and then closes the fds, after which a
 * late {@link #send} would write to a closed (or reused) fd number.
 *
 * <h2>Counters</h2>
 * {@code port.<name>.rx_packets, rx_bytes, rx_no_buffer, rx_errors, tx_packets, tx_bytes, tx_errors, tx_refused}.
 * The rx counters may have several writers (one per queue) and use atomic adds once per burst.
 */
public final class TapPort implements PacketPort
{
    /** Frames read per poll wake-up at most, so one queue cannot starve the stop check. */
    public static final int RX_BATCH = 64;
    /**
     * Bytes read after which a burst ends early: the sink (an inline pipeline) then processes what was read while it
     * is still in this core's cache. 64 TSO frames would be 4 MiB, well beyond L2; 64 small frames stay one burst.
     */
    static final int BURST_BYTES = 256 * 1024;
    private static final int POLL_TIMEOUT_MS = 100;

    private final TapDevice device;
    private final PacketPool pool;
    private final TapConfig config;
    private final String portName;
    private final int headerSize;
    private final long poolAddress;
    private final Thread[] rxThreads;
    private volatile boolean running;

    // tx side: the port's own sender (one thread at a time); more threads take their own (newSender)
    private final Sender defaultSender;

    private final AtomicCounter rxPackets;
    private final AtomicCounter rxBytes;
    private final AtomicCounter rxNoBuffer;
    private final AtomicCounter rxErrors;
    private final AtomicCounter txPackets;
    private final AtomicCounter txBytes;
    private final AtomicCounter txErrors;
    private final AtomicCounter txRefused;

    /**
     * Opens the TAP. Nothing is received until {@link #start(PacketSink)}.
     *
     * @throws IllegalStateException when the TAP cannot be opened, or the pool's slots cannot hold what the TAP's
     *                               offloads let the kernel send.
     */
    public TapPort(final TapConfig config, final PacketPool pool, final Counters counters)
    {
        if (config.receivesTso() && pool.dataCapacity() < TapConfig.MAX_TSO_FRAME)
        {
            throw new IllegalStateException("tap " + config.name() + ": TSO offloads need pool slots of at least " +
                TapConfig.MAX_TSO_FRAME + " bytes; pool " + pool.name() + " has " + pool.dataCapacity());
        }
        if (config.vnetHeaderSize() > pool.headroom())
        {
            throw new IllegalStateException("tap " + config.name() + ": the pool's headroom is smaller than the vnet header");
        }
        this.config = config;
        this.pool = pool;
        this.headerSize = config.vnetHeaderSize();
        this.poolAddress = pool.buffer().addressOffset();
        this.device = TapDevice.open(config);
        this.portName = device.name();
        this.rxThreads = new Thread[device.queues()];
        final String prefix = "port." + portName + ".";
        rxPackets = counters.newCounter(prefix + "rx_packets");
        rxBytes = counters.newCounter(prefix + "rx_bytes");
        rxNoBuffer = counters.newCounter(prefix + "rx_no_buffer");
        rxErrors = counters.newCounter(prefix + "rx_errors");
        txPackets = counters.newCounter(prefix + "tx_packets");
        txBytes = counters.newCounter(prefix + "tx_bytes");
        txErrors = counters.newCounter(prefix + "tx_errors");
        txRefused = counters.newCounter(prefix + "tx_refused");
        defaultSender = new Sender();
    }

    @Override
    public String name()
    {
        return portName;
    }

    public TapDevice device()
    {
        return device;
    }

    @Override
    public synchronized void start(final PacketSink sink)
    {
        if (running)
        {
            throw new IllegalStateException("tap " + portName + " already started");
        }
        running = true;
        for (int q = 0; q < rxThreads.length; q++)
        {
            final int queue = q;
            final Thread thread = new Thread(() -> receiveLoop(queue, sink), "tap-rx-" + portName + "-" + q);
            thread.setDaemon(true);
            rxThreads[q] = thread;
            thread.start();
        }
    }

    private void receiveLoop(final int queue, final PacketSink sink)
    {
        final int fd = device.fd(queue);
        final MemorySegment errno = device.newErrnoState();
        final MemorySegment pollfd = device.allocate(LibC.POLLFD_SIZE);
        pollfd.set(ValueLayout.JAVA_INT, LibC.POLLFD_FD_OFFSET, fd);
        pollfd.set(ValueLayout.JAVA_SHORT, LibC.POLLFD_EVENTS_OFFSET, LibC.POLLIN);
        final long pollAddress = pollfd.address();
        // a frame read when the pool is empty lands here and is dropped
        final MemorySegment scratch = device.allocate((long)headerSize + pool.dataCapacity());
        final PacketDescriptor packet = new PacketDescriptor();
        final UnsafeBuffer buffer = pool.buffer();
        final int readLength = headerSize + pool.dataCapacity();
        while (running)
        {
            final int ready = LibC.poll(errno, pollAddress, 1, POLL_TIMEOUT_MS);
            if (ready <= 0)
            {
                if (ready < 0 && LibC.errno(errno) != LibC.EINTR)
                {
                    rxErrors.getAndAdd(1);
                }
                continue;
            }
            long packets = 0;
            long bytes = 0;
            long flushedBytes = 0;
            long noBuffer = 0;
            long errors = 0;
            for (int i = 0; i < RX_BATCH; i++)
            {
                final int id = pool.allocate();
                if (id == PacketPool.NO_BUFFER)
                {
                    final long n = LibC.read(errno, fd, scratch.address(), readLength);
                    if (n < 0)
                    {
                        break;
                    }
                    noBuffer++;
                    continue;
                }
                final int frameOffset = pool.dataOffset(id);
                final long n = LibC.read(errno, fd, poolAddress + frameOffset - headerSize, readLength);
                if (n < 0)
                {
                    pool.release(id);
                    final int e = LibC.errno(errno);
                    if (e != LibC.EAGAIN && e != LibC.EINTR)
                    {
                        errors++;
                    }
                    break;
                }
                final int frameLength = (int)n - headerSize;
                if (frameLength <= 0)
                {
                    pool.release(id);
                    errors++;
                    continue;
                }
                packet.resetMetadata();
                packet.bind(id, frameOffset, frameLength);
                if (headerSize != 0)
                {
                    VnetHeader.read(buffer, frameOffset - headerSize, packet);
                }
                packet.inPort(config.portId()).vf(config.vf()).timestampNs(System.nanoTime());
                packets++;
                bytes += frameLength;
                sink.accept(packet);
                if (bytes - flushedBytes >= BURST_BYTES)
                {
                    sink.endOfBurst();
                    flushedBytes = bytes;
                }
            }
            if (bytes != flushedBytes)
            {
                sink.endOfBurst();
            }
            if (packets != 0)
            {
                rxPackets.getAndAdd(packets);
                rxBytes.getAndAdd(bytes);
            }
            if (noBuffer != 0)
            {
                rxNoBuffer.getAndAdd(noBuffer);
            }
            if (errors != 0)
            {
                rxErrors.getAndAdd(errors);
            }
        }
    }

    /**
     * Writes the frame (with its vnet header) to the TAP now: a TAP takes one frame per write, so there is nothing
     * to gain by holding it until {@link #flush()}. The buffer goes back to the pool before this returns.
     * <p>
     * This is the port's own {@link Sender}, for one thread at a time; a second pipeline that sends to the same TAP
     * (local VF-to-VF delivery beside the decap path) takes its own {@link #newSender()}.
     *
     * @return false (buffer left with the caller) when the frame carries offload work and the TAP has no vnet header.
     */
    @Override
    public boolean send(final PacketDescriptor packet, final PacketPool pool)
    {
        return defaultSender.send(packet, pool);
    }

    @Override
    public void flush()
    {
        defaultSender.flush();
    }

    /**
     * A send side with its own scratch memory (iovecs, vnet header, errno) and its own pending counts, so two
     * threads may write to this TAP at once, each through its own sender: a write to a TAP fd is one whole frame,
     * which the kernel takes atomically, so senders need no lock between them. Make senders at setup time.
     *
     * @return a sender for one more thread.
     */
    public Sender newSender()
    {
        return new Sender();
    }

    /**
     * One thread's way of writing frames to this TAP: whole frames from a pool slot, or a frame gathered from a
     * head and fragments (a coalesced frame) with one {@code writev}.
     */
    public final class Sender implements io.vfplane.pipeline.Output
    {
        /** The most iovecs one gathered write takes: vnet header, head, fragments. */
        public static final int MAX_IOVECS = 256;

        private final MemorySegment errno = device.newErrnoState();
        private final MemorySegment iov = device.allocate((long)MAX_IOVECS * LibC.IOVEC_SIZE);
        private final long iovAddress = iov.address();
        private final MemorySegment header = device.allocate(VnetHeader.LENGTH_MRG_RXBUF);
        private final UnsafeBuffer headerBuffer = new UnsafeBuffer(header.address(), VnetHeader.LENGTH_MRG_RXBUF);
        private long packetsPending;
        private long bytesPending;
        private long errorsPending;
        private long refusedPending;

        private Sender()
        {
        }

        /**
         * Writes the frame now and releases its buffer (see {@link TapPort#send}).
         *
         * @return false (buffer left with the caller) when the frame carries offload work and the TAP has no vnet
         * header.
         */
        @Override
        public boolean offer(final PacketDescriptor packet, final PacketPool pool)
        {
            return send(packet, pool);
        }

        /** See {@link #offer}. */
        public boolean send(final PacketDescriptor packet, final PacketPool pool)
        {
            if (refuses(packet))
            {
                refusedPending++;
                return false;
            }
            final int fd = fdFor(packet);
            final int offset = packet.offset();
            final int length = packet.length();
            final long base = pool.buffer().addressOffset();
            final long n;
            if (headerSize == 0)
            {
                n = LibC.write(errno, fd, base + offset, length);
            }
            else if (offset - headerSize >= pool.slotOffset(packet.bufferId()))
            {
                // the headroom in front of the frame is ours: one contiguous write
                VnetHeader.write(pool.buffer(), offset - headerSize, headerSize, packet);
                n = LibC.write(errno, fd, base + offset - headerSize, (long)headerSize + length) - headerSize;
            }
            else
            {
                VnetHeader.write(headerBuffer, 0, headerSize, packet);
                putIov(0, header.address(), headerSize);
                putIov(1, base + offset, length);
                n = LibC.writev(errno, fd, iovAddress, 2) - headerSize;
            }
            count(n, length);
            pool.release(packet.bufferId());
            return true;
        }

        /**
         * Writes one frame gathered from a head and fragments of the same memory (one {@code writev}); the caller
         * keeps the buffers.
         *
         * @param metadata       offload fields for the vnet header, and the flow hash that picks the queue.
         * @param baseAddress    the address {@code offsets} are relative to.
         * @param headOffset     the frame's first bytes (headers and the first payload).
         * @param headLength     their length.
         * @param fragOffsets    the other pieces, in order.
         * @param fragLengths    their lengths.
         * @param fragmentCount  how many.
         * @return false when the frame has more pieces than a sender takes, or carries offload work and the TAP has
         * no vnet header (counted as refused).
         */
        public boolean sendGathered(
            final PacketDescriptor metadata,
            final long baseAddress,
            final int headOffset,
            final int headLength,
            final int[] fragOffsets,
            final int[] fragLengths,
            final int fragmentCount)
        {
            if (refuses(metadata) || fragmentCount + 2 > MAX_IOVECS)
            {
                refusedPending++;
                return false;
            }
            int v = 0;
            if (headerSize != 0)
            {
                VnetHeader.write(headerBuffer, 0, headerSize, metadata);
                putIov(v++, header.address(), headerSize);
            }
            putIov(v++, baseAddress + headOffset, headLength);
            int length = headLength;
            for (int i = 0; i < fragmentCount; i++)
            {
                putIov(v++, baseAddress + fragOffsets[i], fragLengths[i]);
                length += fragLengths[i];
            }
            final long n = LibC.writev(errno, fdFor(metadata), iovAddress, v) - headerSize;
            count(n, length);
            return true;
        }

        private void putIov(final int i, final long address, final long length)
        {
            iov.set(ValueLayout.JAVA_LONG, (long)i * LibC.IOVEC_SIZE + LibC.IOVEC_BASE_OFFSET, address);
            iov.set(ValueLayout.JAVA_LONG, (long)i * LibC.IOVEC_SIZE + LibC.IOVEC_LEN_OFFSET, length);
        }

        private boolean refuses(final PacketDescriptor packet)
        {
            return headerSize == 0 && (packet.gsoType() != Offload.GSO_NONE ||
                (packet.offloadFlags() & Offload.FLAG_NEEDS_CSUM) != 0);
        }

        private int fdFor(final PacketDescriptor packet)
        {
            return device.fd(device.queues() == 1 ? 0 : Math.floorMod(packet.flowHash(), device.queues()));
        }

        private void count(final long written, final int length)
        {
            if (written == length)
            {
                packetsPending++;
                bytesPending += length;
            }
            else
            {
                // EIO when the device is down, EINVAL for a vnet header the kernel rejects: counted, frame dropped
                errorsPending++;
            }
        }

        @Override
        public void flush()
        {
            if (packetsPending != 0)
            {
                txPackets.getAndAdd(packetsPending);
                txBytes.getAndAdd(bytesPending);
                packetsPending = 0;
                bytesPending = 0;
            }
            if (errorsPending != 0)
            {
                txErrors.getAndAdd(errorsPending);
                errorsPending = 0;
            }
            if (refusedPending != 0)
            {
                txRefused.getAndAdd(refusedPending);
                refusedPending = 0;
            }
        }

        /**
         * Whether the TAP takes {@code GSO_UDP_L4} frames (USO was accepted when it was opened): several datagrams
         * of a flow may then go in one {@link #sendGathered} write, which the kernel splits again.
         */
        public boolean takesUdpGso()
        {
            return device.takesUdpGso();
        }

        /** The errno of the last failed write (this sender's thread only). */
        public int lastErrno()
        {
            return LibC.errno(errno);
        }

        long packetsPending()
        {
            return packetsPending;
        }

        long errorsPending()
        {
            return errorsPending;
        }
    }

    /** The errno of the last failed write (for tests and diagnostics; tx thread only). */
    public int lastTxErrno()
    {
        return defaultSender.lastErrno();
    }

    public long rxPackets()
    {
        return rxPackets.get();
    }

    public long txPackets()
    {
        return txPackets.get() + defaultSender.packetsPending();
    }

    public long txErrors()
    {
        return txErrors.get() + defaultSender.errorsPending();
    }

    public long rxNoBuffer()
    {
        return rxNoBuffer.get();
    }

    @Override
    public void close()
    {
        running = false;
        for (final Thread thread : rxThreads)
        {
            if (thread != null)
            {
                try
                {
                    thread.join();
                }
                catch (final InterruptedException e)
                {
                    Thread.currentThread().interrupt();
                }
            }
        }
        flush();
        device.close();
        rxPackets.close();
        rxBytes.close();
        rxNoBuffer.close();
        rxErrors.close();
        txPackets.close();
        txBytes.close();
        txErrors.close();
        txRefused.close();
    }
}
