package io.vfplane.perf.compare;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.agrona.concurrent.UnsafeBuffer;

import io.vfplane.dataplane.parse.LinkType;
import io.vfplane.pcap.CaptureCursor;
import io.vfplane.pcap.CaptureException;
import io.vfplane.pcap.CaptureReader;
import io.vfplane.pcap.PcapWriter;
import io.vfplane.pcap.replay.ReplayException;
import io.vfplane.pcap.replay.ReplayOptions;
import io.vfplane.pcap.replay.TcpreplayComparison;
import io.vfplane.perf.harness.Frames;

/**
 * {@code replay}: {@code tcpreplay --topspeed} against {@code vfplane pcap replay --topspeed} on the same capture and
 * the same veth pair (in a namespace of its own), in the same run; the work is {@link TcpreplayComparison}'s, this
 * class picks the capture and the loop count and turns the result into a {@link Comparison}.
 * <p>
 * Without {@code --capture} it writes a capture of {@value #FRAMES} 64-byte UDP/IPv4 frames over 1024 flows (the
 * small-packet case, where the per-packet cost of the sender shows) and removes it afterwards. Each round sends the
 * capture as many times as makes about {@value #PACKETS_PER_SECOND_GUESS} packets per second of {@code seconds};
 * both senders preload it, rounds alternate, the best round of each is compared and the median ratio is given too.
 */
public final class ReplayComparison
{
    static final int FRAMES = 10_000;
    static final int FRAME_LENGTH = 64;
    static final int FLOWS = 1024;
    static final int ROUNDS = 3;
    /** What either sender does on a veth of these machines, to size a round; only the duration depends on it. */
    static final long PACKETS_PER_SECOND_GUESS = 900_000;

    private ReplayComparison()
    {
    }

    /**
     * @param host     the machine (root is needed for the namespace).
     * @param capture  the capture to send, or null for the generated one.
     * @param seconds  about how long each round should last.
     * @param progress where to say what is happening.
     * @return the comparison: packets per second, ours over tcpreplay's.
     * @throws CompareException when it cannot run (not root, no tcpreplay, a bad capture), with the reason.
     */
    public static Comparison run(
        final OverlayComparison.Host host, final Path capture, final double seconds, final PrintStream progress)
        throws CompareException
    {
        if (!host.isRoot())
        {
            throw new CompareException("replay needs root (it creates a network namespace with a veth pair)");
        }
        Path file = capture;
        int frames = -1;
        try
        {
            if (file == null)
            {
                file = Files.createTempFile("vfplane-replay-", ".pcap");
                writeCapture(file);
                frames = FRAMES;
            }
            else if (!Files.isReadable(file))
            {
                throw new CompareException("replay: cannot read the capture " + file);
            }
            else
            {
                frames = countFrames(file);
            }
            final long perRound = Math.max(frames, (long)(seconds * PACKETS_PER_SECOND_GUESS));
            final int loops = (int)Math.max(1, Math.min(Integer.MAX_VALUE, perRound / Math.max(1, frames)));
            progress.printf("replay: %s, %d frames x %d loops, %d rounds each, tcpreplay and vfplane alternating%n",
                capture == null ? "generated 64-byte UDP capture" : file, frames, loops, ROUNDS);
            progress.flush();
            final TcpreplayComparison.Result result =
                TcpreplayComparison.compare(file, loops, ROUNDS, ReplayOptions.DEFAULT_BATCH);
            return comparison(result);
        }
        catch (final ReplayException ex)
        {
            throw new CompareException("replay: " + ex.getMessage());
        }
        catch (final IOException ex)
        {
            throw new CompareException("replay: cannot write the generated capture: " + ex.getMessage());
        }
        finally
        {
            if (capture == null && file != null)
            {
                try
                {
                    Files.deleteIfExists(file);
                }
                catch (final IOException ignored)
                {
                    // a temporary file left behind is harmless; the comparison's result matters more
                }
            }
        }
    }

    /** The result as the JSON wants it: best rounds as ours and peer, the median ratio and every round beside. */
    static Comparison comparison(final TcpreplayComparison.Result result)
    {
        final Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("median_ratio", result.medianRatio());
        extra.put("packets_per_round", result.packets());
        extra.put("peer_rounds_pps", result.tcpreplayRounds().toString());
        extra.put("ours_rounds_pps", result.vfplaneRounds().toString());
        return new Comparison("replay", "packets/s", result.vfplanePps(), result.tcpreplayPps(),
            "tcpreplay --topspeed", extra);
    }

    /** Writes the generated capture: {@value #FRAMES} frames of {@value #FRAME_LENGTH} bytes, 1 us apart. */
    static void writeCapture(final Path file) throws IOException
    {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[FRAME_LENGTH]);
        try (PcapWriter writer = PcapWriter.create(file, LinkType.ETHERNET, PcapWriter.DEFAULT_SNAPLEN,
            PcapWriter.Precision.MICROS))
        {
            for (int i = 0; i < FRAMES; i++)
            {
                Frames.writeUdp(frame, 0, FRAME_LENGTH, i % FLOWS);
                writer.write(frame, 0, FRAME_LENGTH, FRAME_LENGTH, 1_000_000_000_000_000L + i * 1_000L);
            }
        }
    }

    private static int countFrames(final Path file) throws CompareException
    {
        try (CaptureCursor cursor = CaptureReader.open(file))
        {
            int frames = 0;
            while (cursor.next())
            {
                frames++;
            }
            if (cursor.error() != null || frames == 0)
            {
                throw new CompareException("replay: " + file + ": " +
                    (frames == 0 ? "no frames" : "unreadable after frame " + frames + ": " + cursor.error()));
            }
            return frames;
        }
        catch (final CaptureException ex)
        {
            throw new CompareException("replay: " + file + ": " + ex.getMessage());
        }
    }
}
