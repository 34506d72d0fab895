package io.vfplane.pcap.replay;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;

import io.vfplane.pcap.CaptureError;
import io.vfplane.pcap.CaptureException;
import io.vfplane.vf.port.packet.FrameTransmitter;
import io.vfplane.vf.port.packet.NetNamespace;
import io.vfplane.vf.port.packet.PacketSocket;
import io.vfplane.vf.port.packet.TapWriter;
import io.vfplane.vf.port.packet.TxBatch;

/**
 * Sends the frames of a capture through an AF_PACKET socket or into a TAP, as tcpreplay does, on the calling thread.
 *
 * <pre>
 *  capture (pcap | pcapng) -> FrameSource -> pacing -> TxBatch (up to batchSize due frames) -> FrameTransmitter
 *     preloaded: native arena, frames sent in place          PacketSocket: one sendmmsg per batch
 *     streamed:  mapped file, frames copied to staging       TapWriter:    one write per frame
 * </pre>
 *
 * Timing: every packet gets an absolute deadline, {@code start + due}, where {@code start} is when the first packet
 * was handled and {@code due} comes from the capture (its timestamp minus the first one's, divided by the speed
 * factor, loops laid end to end), from the packet's index ({@code --pps}) or from the bytes before it
 * ({@code --mbps}). Deadlines never depend on when earlier packets actually went, so lateness never accumulates
 * into drift. The sender parks until {@link #SPIN_NANOS} before a deadline and spins the rest; frames that are already
 * due share one system call. How late each paced frame went is recorded in an HdrHistogram
 * ({@link ReplayStats#timing()}).
 *
 * <p>No allocation, exception or lock per packet: the batch, deadlines and staging area are allocated once.
 * Only non-Ethernet records (pcapng may mix link types) are skipped: an AF_PACKET raw socket and a TAP both carry
 * Ethernet frames.
 */
public final class Replayer
{
    /** How often the progress listener is told, at most. */
    public static final long PROGRESS_INTERVAL_NANOS = 250_000_000L;
    /** The last stretch before a deadline is spun, not parked: parking wakes up tens of microseconds late. */
    static final long SPIN_NANOS = 100_000L;
    /** Longest single park, so that {@link #stop()} is seen during long gaps. */
    static final long MAX_PARK_NANOS = 50_000_000L;
    /** Largest record sent: tcpdump's largest snaplen; the kernel refuses what exceeds the MTU anyway. */
    static final int MAX_FRAME = 262_144;
    /** Staging area for streamed frames: enough for a batch of MTU frames, and for any single frame. */
    static final int STAGING_BYTES = 4 << 20;
    /** Largest timing error recorded: an hour; larger values are clamped. */
    static final long HISTOGRAM_HIGHEST = 3_600_000_000_000L;
    static final int LINKTYPE_ETHERNET = 1;

    private volatile boolean stopRequested;

    /**
     * Ask a running {@link #replay} to stop after the frames already batched; it then returns its stats with
     * {@link ReplayStats#stopped()} set. Safe from any thread (e.g. a shutdown hook).
     */
    public void stop()
    {
        stopRequested = true;
    }

    /**
     * Replay a capture.
     *
     * @param options  what, where, how fast.
     * @param listener told of progress, from this thread.
     * @return what was sent.
     * @throws ReplayException when the capture or the target cannot be opened (the message names it).
     */
    public ReplayStats replay(final ReplayOptions options, final ProgressListener listener) throws ReplayException
    {
        final FrameSource source = openSource(options);
        try (source; FrameTransmitter transmitter = openTransmitter(options))
        {
            return new Run(options, source, transmitter, listener).run();
        }
    }

    /**
     * Replay a capture with no progress reports.
     *
     * @param options what, where, how fast.
     * @return what was sent.
     * @throws ReplayException when the capture or the target cannot be opened.
     */
    public static ReplayStats run(final ReplayOptions options) throws ReplayException
    {
        return new Replayer().replay(options, ProgressListener.NONE);
    }

    private static FrameSource openSource(final ReplayOptions options) throws ReplayException
    {
        try
        {
            return options.preload() ? new PreloadedCapture(options.capture()) :
                new StreamingCapture(options.capture());
        }
        catch (final CaptureException ex)
        {
            throw new ReplayException("file " + options.capture() + ": " + ex.getMessage(), ex);
        }
    }

    private static FrameTransmitter openTransmitter(final ReplayOptions options) throws ReplayException
    {
        try
        {
            return NetNamespace.call(options.netns(), () -> options.iface() != null ?
                PacketSocket.open(options.iface(), options.qdiscBypass(), options.sendBufferBytes()) :
                TapWriter.open(options.tap()));
        }
        catch (final IllegalStateException ex)
        {
            throw new ReplayException(ex.getMessage(), ex);
        }
    }

    /** One replay's state: everything allocated here, before the first packet. */
    private final class Run
    {
        private final ReplayOptions options;
        private final FrameSource source;
        private final FrameTransmitter transmitter;
        private final ProgressListener listener;
        private final TxBatch batch;
        private final long[] deadlines;
        private final Histogram histogram;
        private final Arena stagingArena;
        private final UnsafeBuffer staging;
        private final long stagingAddress;
        private int stagingUsed;

        private long packets;
        private long bytes;
        private long failed;
        private long truncated;
        private long skipped;
        private long firstSendStart;
        private long lastSendEnd;
        private long lastProgress;
        private long expected = -1;
        private String firstFailure;

        Run(final ReplayOptions options, final FrameSource source, final FrameTransmitter transmitter,
            final ProgressListener listener)
        {
            this.options = options;
            this.source = source;
            this.transmitter = transmitter;
            this.listener = listener;
            batch = new TxBatch(options.batchSize());
            deadlines = new long[options.batchSize()];
            histogram = options.pacing() == ReplayOptions.Pacing.TOPSPEED ? null :
                new Histogram(HISTOGRAM_HIGHEST, 3);
            if (source.stable())
            {
                stagingArena = null;
                staging = null;
                stagingAddress = 0;
            }
            else
            {
                stagingArena = Arena.ofConfined();
                final MemorySegment segment = stagingArena.allocate(STAGING_BYTES, 64);
                stagingAddress = segment.address();
                staging = new UnsafeBuffer(stagingAddress, STAGING_BYTES);
            }
            if (source.recordsPerLoop() >= 0)
            {
                expected = source.recordsPerLoop() * options.loops();
            }
        }

        ReplayStats run()
        {
            try
            {
                return send();
            }
            finally
            {
                batch.close();
                if (stagingArena != null)
                {
                    stagingArena.close();
                }
            }
        }

        private ReplayStats send()
        {
            final ReplayOptions.Pacing pacing = options.pacing();
            final boolean paced = pacing != ReplayOptions.Pacing.TOPSPEED;
            final double rate = options.rate();
            final double nanosPerPacket = pacing == ReplayOptions.Pacing.PPS ? 1e9 / rate : 0;
            final double nanosPerByte = pacing == ReplayOptions.Pacing.MBPS ? 8e3 / rate : 0;
            final boolean stable = source.stable();

            long start = 0;
            long index = 0;
            long bytesScheduled = 0;
            long loopBase = 0;
            long previousDue = 0;
            long loops = 0;
            for (int loop = 0; loop < options.loops() && !stopRequested; loop++)
            {
                if (loop > 0 && !source.rewind())
                {
                    break;
                }
                long loopFirst = Long.MIN_VALUE;
                long loopLast = Long.MIN_VALUE;
                while (!stopRequested && source.next())
                {
                    final int length = source.length();
                    if (source.linkType() != LINKTYPE_ETHERNET || length <= 0 || length > MAX_FRAME)
                    {
                        skipped++;
                        continue;
                    }
                    long deadline = 0;
                    if (paced)
                    {
                        final long timestamp = source.timestampNanos();
                        if (loopFirst == Long.MIN_VALUE)
                        {
                            loopFirst = timestamp;
                        }
                        loopLast = Math.max(loopLast, timestamp);
                        long due = switch (pacing)
                        {
                            case ORIGINAL -> loopBase + (timestamp - loopFirst);
                            case MULTIPLIER -> (long)((loopBase + (timestamp - loopFirst)) / rate);
                            case PPS -> (long)(index * nanosPerPacket);
                            case MBPS -> (long)(bytesScheduled * nanosPerByte);
                            case TOPSPEED -> 0;
                        };
                        // a capture whose clock steps back: send at once, never before an earlier packet
                        if (due < previousDue)
                        {
                            due = previousDue;
                        }
                        previousDue = due;
                        if (start == 0)
                        {
                            // the clock of the run starts when the first packet is due, so a paced run never
                            // reports less than the span it reproduces
                            start = System.nanoTime();
                            firstSendStart = start;
                        }
                        deadline = start + due;
                        if (deadline - System.nanoTime() > 0)
                        {
                            // this frame is not due yet: what is batched is, send it before waiting
                            flush();
                            waitUntil(deadline);
                        }
                    }
                    final long address;
                    if (stable)
                    {
                        address = source.address();
                    }
                    else
                    {
                        if (stagingUsed + length > STAGING_BYTES)
                        {
                            flush();
                        }
                        source.copyTo(staging, stagingUsed);
                        address = stagingAddress + stagingUsed;
                        // keep frames 8-byte aligned in staging, as the kernel copies them word by word
                        stagingUsed += (length + 7) & ~7;
                    }
                    deadlines[batch.add(address, length)] = deadline;
                    index++;
                    bytesScheduled += length;
                    if (batch.isFull())
                    {
                        flush();
                    }
                }
                if (stopRequested)
                {
                    break;
                }
                if (loopFirst != Long.MIN_VALUE)
                {
                    loopBase += loopLast - loopFirst;
                }
                loops++;
                if (expected < 0 && source.recordsPerLoop() >= 0)
                {
                    expected = source.recordsPerLoop() * options.loops();
                }
            }
            flush();
            listener.progress(packets, bytes, expected, lastSendEnd - firstSendStart);
            final CaptureError captureError = source.error();
            return new ReplayStats(packets, bytes, failed, truncated, transmitter.retriedNoBuffers(),
                transmitter.retriedAgain(), skipped, lastSendEnd - firstSendStart, loops,
                histogram == null ? null : TimingError.of(histogram), firstFailure, captureError, stopRequested);
        }

        private void waitUntil(final long deadline)
        {
            while (!stopRequested)
            {
                final long remaining = deadline - System.nanoTime();
                if (remaining <= 0)
                {
                    return;
                }
                if (remaining > SPIN_NANOS)
                {
                    LockSupport.parkNanos(Math.min(remaining - SPIN_NANOS, MAX_PARK_NANOS));
                }
                else
                {
                    Thread.onSpinWait();
                }
            }
        }

        private void flush()
        {
            final int count = batch.count();
            if (count == 0)
            {
                return;
            }
            final long sendStart = System.nanoTime();
            if (firstSendStart == 0)
            {
                firstSendStart = sendStart;
            }
            transmitter.transmit(batch);
            final long sendEnd = System.nanoTime();
            lastSendEnd = sendEnd;
            for (int i = 0; i < count; i++)
            {
                final int result = batch.result(i);
                if (result >= 0)
                {
                    packets++;
                    bytes += result;
                    if (result < batch.length(i))
                    {
                        truncated++;
                    }
                }
                else
                {
                    failed++;
                    if (firstFailure == null)
                    {
                        firstFailure = FrameTransmitter.errorText(-result) + " (frame of " + batch.length(i) +
                            " bytes)";
                    }
                }
                if (histogram != null)
                {
                    histogram.recordValue(Math.min(HISTOGRAM_HIGHEST, Math.max(0, sendStart - deadlines[i])));
                }
            }
            batch.clear();
            stagingUsed = 0;
            if (sendEnd - lastProgress >= PROGRESS_INTERVAL_NANOS)
            {
                lastProgress = sendEnd;
                listener.progress(packets, bytes, expected, sendEnd - firstSendStart);
            }
        }
    }
}
