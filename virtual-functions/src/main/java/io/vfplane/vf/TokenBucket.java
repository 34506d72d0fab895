package io.vfplane.vf;

/**
 * A byte token bucket for one VF's TX rate limit, owned by one thread (the egress stage's). Time is passed in, so the
 * stage reads its clock once per batch and tests drive time by hand.
 *
 * <p>The bucket holds at most {@code burst} bytes. A packet passes when the bucket holds at least its length, which
 * is then taken; otherwise it is refused and nothing is taken (a refused packet does not starve smaller ones).
 */
public final class TokenBucket
{
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** The least burst: one TSO frame (64 KiB) must be able to pass, or a rate-limited TSO guest sends nothing. */
    public static final long MIN_BURST_BYTES = 65_536;

    private long bytesPerSecond;
    private long burst;
    private long tokens;
    private long lastNs;
    private boolean started;

    /**
     * Sets the rate; the bucket starts full.
     *
     * @param bytesPerSecond 0 = unlimited.
     */
    public void rate(final long bytesPerSecond)
    {
        this.bytesPerSecond = bytesPerSecond;
        // 10 ms worth of bytes, as a NIC shaper's default burst is of that order, but never less than a TSO frame
        this.burst = Math.max(MIN_BURST_BYTES, bytesPerSecond / 100);
        this.tokens = burst;
        this.started = false;
    }

    public long bytesPerSecond()
    {
        return bytesPerSecond;
    }

    public long burst()
    {
        return burst;
    }

    /**
     * @param bytes the packet's length.
     * @param nowNs a monotonic clock reading.
     * @return true when the packet may go.
     */
    public boolean tryConsume(final int bytes, final long nowNs)
    {
        if (bytesPerSecond == 0)
        {
            return true;
        }
        refill(nowNs);
        if (tokens >= bytes)
        {
            tokens -= bytes;
            return true;
        }
        return false;
    }

    private void refill(final long nowNs)
    {
        if (!started)
        {
            started = true;
            lastNs = nowNs;
            return;
        }
        final long elapsed = nowNs - lastNs;
        if (elapsed <= 0)
        {
            return;
        }
        // split the product so elapsed * rate cannot overflow for long gaps at high rates
        final long whole = elapsed / NANOS_PER_SECOND;
        final long part = elapsed % NANOS_PER_SECOND;
        final long add = whole * bytesPerSecond + part * bytesPerSecond / NANOS_PER_SECOND;
        if (add == 0)
        {
            return; // keep lastNs so sub-byte intervals accumulate
        }
        tokens = Math.min(burst, tokens + add);
        lastNs = nowNs;
    }

    /** Bytes available now (after the last refill). */
    public long tokens()
    {
        return tokens;
    }
}
