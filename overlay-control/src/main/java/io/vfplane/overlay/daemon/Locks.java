package io.vfplane.overlay.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Lock files that keep a second daemon off the TAP names, the UDP port and the instance a first one holds. They are
 * taken before anything is created, so a refused daemon leaves nothing behind. Names are scoped by the network
 * namespace (its inode), because two daemons in two namespaces may use the same TAP name and port. The kernel drops
 * an fcntl lock when its process dies, so a crashed daemon never blocks a restart.
 */
public final class Locks implements AutoCloseable
{
    private final Path dir;
    private final String scope;
    private final List<FileChannel> held = new ArrayList<>();
    private final List<Path> files = new ArrayList<>();

    public Locks(final Path dir) throws IOException
    {
        this.dir = dir;
        Files.createDirectories(dir);
        this.scope = netnsId();
    }

    /**
     * The current network namespace's id, e.g. {@code 4026531840}.
     *
     * @throws IOException when /proc does not tell: guessing one id for every namespace would make daemons in
     *                     different namespaces refuse each other's TAP names and ports, so the daemon refuses to start.
     */
    static String netnsId() throws IOException
    {
        final String link = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        final String id = link.replaceAll("[^0-9]", "");
        if (id.isEmpty())
        {
            throw new IOException("cannot tell the network namespace from /proc/self/ns/net -> " + link);
        }
        return id;
    }

    /**
     * Takes one lock.
     *
     * @param what a name for the message, e.g. {@code TAP vfp0}.
     * @param key  the lock's key, e.g. {@code tap-vfp0}.
     * @throws DaemonException naming what is held and by which process.
     */
    public void acquire(final String what, final String key) throws DaemonException
    {
        acquire(what, key, true);
    }

    /**
     * @param perNamespace whether the lock is per network namespace (TAP names, ports) or host-wide (instances,
     *                     whose directory is host-wide).
     */
    public void acquire(final String what, final String key, final boolean perNamespace) throws DaemonException
    {
        final Path file = dir.resolve((perNamespace ? scope + "-" : "") + key + ".lock");
        try
        {
            final FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
            final FileLock lock;
            try
            {
                lock = channel.tryLock();
            }
            catch (final IOException ex)
            {
                channel.close();
                throw ex;
            }
            if (lock == null)
            {
                final String owner = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).strip();
                channel.close();
                throw new DaemonException(what + " is in use by another vfplane daemon" +
                    (owner.isEmpty() ? "" : " (pid " + owner + ")") + "; lock file " + file);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
                0);
            held.add(channel);
            files.add(file);
        }
        catch (final IOException ex)
        {
            throw new DaemonException("cannot take the lock for " + what + " (" + file + "): " + ex.getMessage(), ex);
        }
    }

    /**
     * Releases every lock and removes its file (namespace-scoped files would otherwise pile up, one set per namespace
     * ever used). Removing before releasing leaves one narrow race: a daemon that opened the file just before it was
     * removed may lock the removed file while a third one locks a new one; that takes three daemons starting on the
     * same names during a shutdown.
     */
    @Override
    public void close()
    {
        for (final Path file : files)
        {
            try
            {
                Files.deleteIfExists(file);
            }
            catch (final IOException ignored)
            {
                // left behind: harmless, the next daemon locks it again
            }
        }
        files.clear();
        for (final FileChannel c : held)
        {
            try
            {
                c.close();
            }
            catch (final IOException ignored)
            {
                // the lock goes with the process anyway
            }
        }
        held.clear();
    }
}
