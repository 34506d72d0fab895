package io.vfplane.pcap.replay;

import java.nio.file.Path;

/**
 * What {@link Replayer} sends, where to, and how fast. Build with {@link #builder(Path)}; the constructor validates
 * every field and names the bad one.
 *
 * @param capture         the pcap or pcapng file.
 * @param iface           interface to send on through an AF_PACKET socket, or null when {@code tap} is set.
 * @param tap             TAP device to write into (created if it does not exist), or null when {@code iface} is set.
 * @param netns           network namespace (a name {@code ip netns} lists) holding the interface or TAP, or null for
 *                        the caller's own.
 * @param pacing          how packets are spaced.
 * @param rate            {@link Pacing#MULTIPLIER}: the speed factor; {@link Pacing#PPS}: packets per second;
 *                        {@link Pacing#MBPS}: megabits per second (10^6, frame bytes as captured); otherwise ignored.
 * @param loops           times to send the capture, at least 1.
 * @param preload         copy the capture's frames into one native arena before sending (no file access and no
 *                        copying while sending).
 * @param batchSize       most frames per system call (one {@code sendmmsg}), 1..1024; pacing only batches frames
 *                        that are already due.
 * @param qdiscBypass     AF_PACKET {@code PACKET_QDISC_BYPASS}: straight to the driver (tcpdump on the sending
 *                        interface then sees nothing).
 * @param sendBufferBytes socket {@code SO_SNDBUF}, or 0 for the kernel's default.
 */
public record ReplayOptions(
    Path capture,
    String iface,
    String tap,
    String netns,
    Pacing pacing,
    double rate,
    int loops,
    boolean preload,
    int batchSize,
    boolean qdiscBypass,
    int sendBufferBytes)
{
    /** Default frames per system call. */
    public static final int DEFAULT_BATCH = 64;

    /** How packets are spaced in time. */
    public enum Pacing
    {
        /** The capture's own gaps. */
        ORIGINAL,
        /** The capture's gaps divided by {@code rate}. */
        MULTIPLIER,
        /** A fixed packet rate. */
        PPS,
        /** A fixed bit rate. */
        MBPS,
        /** As fast as the kernel takes them. */
        TOPSPEED
    }

    /**
     * Validate.
     */
    public ReplayOptions
    {
        if (capture == null)
        {
            throw new IllegalArgumentException("capture: a file is needed");
        }
        if ((iface == null) == (tap == null))
        {
            throw new IllegalArgumentException("give exactly one of --iface and --tap");
        }
        if (pacing == null)
        {
            throw new IllegalArgumentException("pacing: missing");
        }
        if ((pacing == Pacing.MULTIPLIER || pacing == Pacing.PPS || pacing == Pacing.MBPS) &&
            !(rate > 0 && Double.isFinite(rate)))
        {
            throw new IllegalArgumentException(switch (pacing)
            {
                case MULTIPLIER -> "--speed: the factor must be a positive number: " + rate;
                case PPS -> "--pps: must be a positive number: " + rate;
                default -> "--mbps: must be a positive number: " + rate;
            });
        }
        if (loops < 1)
        {
            throw new IllegalArgumentException("--loop: at least 1: " + loops);
        }
        if (batchSize < 1 || batchSize > 1024)
        {
            throw new IllegalArgumentException("--batch: 1..1024: " + batchSize);
        }
        if (sendBufferBytes < 0)
        {
            throw new IllegalArgumentException("--sndbuf: not negative: " + sendBufferBytes);
        }
    }

    /**
     * @param capture the pcap or pcapng file.
     * @return a builder with original pacing, one loop, no preload, default batch.
     */
    public static Builder builder(final Path capture)
    {
        return new Builder(capture);
    }

    /** @return where the frames go, for people: {@code interface veth0} or {@code tap tap0}, with the namespace. */
    public String target()
    {
        final String where = iface != null ? "interface " + iface : "tap " + tap;
        return netns == null ? where : where + " (netns " + netns + ")";
    }

    /** Fluent construction of {@link ReplayOptions}. */
    public static final class Builder
    {
        private final Path capture;
        private String iface;
        private String tap;
        private String netns;
        private Pacing pacing = Pacing.ORIGINAL;
        private double rate = 1.0;
        private int loops = 1;
        private boolean preload;
        private int batchSize = DEFAULT_BATCH;
        private boolean qdiscBypass;
        private int sendBufferBytes;

        private Builder(final Path capture)
        {
            this.capture = capture;
        }

        /** Send on an interface (AF_PACKET). */
        public Builder iface(final String name)
        {
            this.iface = name;
            return this;
        }

        /** Write into a TAP. */
        public Builder tap(final String name)
        {
            this.tap = name;
            return this;
        }

        /** The interface or TAP is in this named namespace. */
        public Builder netns(final String name)
        {
            this.netns = name;
            return this;
        }

        /** The capture's own timing. */
        public Builder original()
        {
            pacing = Pacing.ORIGINAL;
            rate = 1.0;
            return this;
        }

        /** The capture's gaps divided by {@code factor}. */
        public Builder multiplier(final double factor)
        {
            pacing = Pacing.MULTIPLIER;
            rate = factor;
            return this;
        }

        /** A fixed packet rate. */
        public Builder pps(final double packetsPerSecond)
        {
            pacing = Pacing.PPS;
            rate = packetsPerSecond;
            return this;
        }

        /** A fixed bit rate in megabits per second. */
        public Builder mbps(final double megabitsPerSecond)
        {
            pacing = Pacing.MBPS;
            rate = megabitsPerSecond;
            return this;
        }

        /** No pacing. */
        public Builder topspeed()
        {
            pacing = Pacing.TOPSPEED;
            return this;
        }

        /** Send the capture this many times. */
        public Builder loops(final int count)
        {
            this.loops = count;
            return this;
        }

        /** Copy the capture into native memory first. */
        public Builder preload(final boolean on)
        {
            this.preload = on;
            return this;
        }

        /** Most frames per system call. */
        public Builder batchSize(final int frames)
        {
            this.batchSize = frames;
            return this;
        }

        /** AF_PACKET qdisc bypass. */
        public Builder qdiscBypass(final boolean on)
        {
            this.qdiscBypass = on;
            return this;
        }

        /** Socket send buffer. */
        public Builder sendBufferBytes(final int bytes)
        {
            this.sendBufferBytes = bytes;
            return this;
        }

        /**
         * @return the options.
         * @throws IllegalArgumentException naming the bad setting.
         */
        public ReplayOptions build()
        {
            return new ReplayOptions(capture, iface, tap, netns, pacing, rate, loops, preload, batchSize,
                qdiscBypass, sendBufferBytes);
        }
    }
}
