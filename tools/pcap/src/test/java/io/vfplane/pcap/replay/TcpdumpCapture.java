package io.vfplane.pcap.replay;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.vfplane.pcap.CaptureCursor;
import io.vfplane.pcap.CaptureException;
import io.vfplane.pcap.CaptureReader;

/**
 * tcpdump capturing what a device in a namespace receives ({@code -Q in}), the real peer the replay tests check
 * against: {@code ip netns exec NS tcpdump -Q in -i DEV -s 0 -U -w FILE}. Started and stopped with timeouts.
 */
final class TcpdumpCapture implements AutoCloseable
{
    private static final long START_TIMEOUT_MS = 10_000;

    private final Process process;
    private final Path file;
    private final StringBuilder stderr = new StringBuilder();

    private TcpdumpCapture(final Process process, final Path file)
    {
        this.process = process;
        this.file = file;
    }

    static TcpdumpCapture start(final String ns, final String device, final Path file) throws IOException
    {
        final Process process = new ProcessBuilder("ip", "netns", "exec", ns, "tcpdump", "-Q", "in", "-i", device,
            "-s", "0", "-U", "-w", file.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        final TcpdumpCapture capture = new TcpdumpCapture(process, file);
        final CompletableFuture<Boolean> listening = new CompletableFuture<>();
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = lines.readLine()) != null)
                {
                    synchronized (capture.stderr)
                    {
                        capture.stderr.append(line).append('\n');
                    }
                    if (line.contains("listening on"))
                    {
                        listening.complete(true);
                    }
                }
            }
            catch (final IOException ignored)
            {
                // the process ended
            }
            listening.complete(false);
        }, "tcpdump-stderr");
        reader.setDaemon(true);
        reader.start();
        try
        {
            if (!listening.get(START_TIMEOUT_MS, TimeUnit.MILLISECONDS))
            {
                capture.close();
                throw new IllegalStateException("tcpdump did not start: " + capture.stderr());
            }
        }
        catch (final Exception ex)
        {
            capture.close();
            throw new IllegalStateException("tcpdump did not start: " + capture.stderr(), ex);
        }
        return capture;
    }

    /**
     * Wait until the file holds {@code count} frames (tcpdump -U writes each as it comes) or the timeout passes,
     * then stop tcpdump.
     *
     * @return the frames captured.
     */
    List<byte[]> stopAfter(final int count, final long timeoutMs) throws Exception
    {
        final long end = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < end && framesIn(file).size() < count)
        {
            Thread.sleep(20);
        }
        // a little longer, so frames beyond the expected ones (which would be a bug) are caught too
        Thread.sleep(100);
        close();
        return framesIn(file);
    }

    String stderr()
    {
        synchronized (stderr)
        {
            return stderr.toString();
        }
    }

    /**
     * @return the frames of a capture file, each as its captured bytes; empty if it has no complete header yet.
     */
    static List<byte[]> framesIn(final Path path) throws IOException
    {
        final List<byte[]> frames = new ArrayList<>();
        if (!Files.exists(path) || Files.size(path) < 24)
        {
            return frames;
        }
        try (CaptureCursor cursor = CaptureReader.open(path))
        {
            while (cursor.next())
            {
                final byte[] frame = new byte[cursor.capturedLength()];
                cursor.buffer().getBytes(cursor.offset(), frame);
                frames.add(frame);
            }
        }
        catch (final CaptureException ex)
        {
            throw new IOException(path + ": " + ex.getMessage(), ex);
        }
        return frames;
    }

    /**
     * @return the Ethernet frames of a capture file no larger than {@code maxLength}, as {@link #framesIn}.
     */
    static List<byte[]> ethernetFramesIn(final Path path, final int maxLength) throws IOException
    {
        final List<byte[]> frames = new ArrayList<>();
        try (CaptureCursor cursor = CaptureReader.open(path))
        {
            while (cursor.next())
            {
                if (cursor.linkType() == 1 && cursor.capturedLength() > 0 && cursor.capturedLength() <= maxLength)
                {
                    final byte[] frame = new byte[cursor.capturedLength()];
                    cursor.buffer().getBytes(cursor.offset(), frame);
                    frames.add(frame);
                }
            }
        }
        catch (final CaptureException ex)
        {
            throw new IOException(path + ": " + ex.getMessage(), ex);
        }
        return frames;
    }

    @Override
    public void close()
    {
        if (process.isAlive())
        {
            process.destroy();
            try
            {
                if (!process.waitFor(5, TimeUnit.SECONDS))
                {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
