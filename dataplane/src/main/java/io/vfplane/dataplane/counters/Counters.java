package io.vfplane.dataplane.counters;

import org.agrona.BufferUtil;
import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Named counters, kept in Agrona's {@link CountersManager} layout so another process can read them while they
 * change (as AeronStat reads a media driver's counters).
 *
 * <pre>
 *  counters file
 *  +--------------------------------------------------------------+
 *  | header (64 bytes): magic (8), version (4),                   |
 *  |   metadata length (4), values length (4), pad (4),           |
 *  |   pid (8), start time epoch ms (8), pad to 64                |
 *  +--------------------------------------------------------------+
 *  | metadata: one 512-byte record per counter (state, type,      |
 *  |   label); CountersReader.METADATA_LENGTH                     |
 *  +--------------------------------------------------------------+
 *  | values: one 128-byte record per counter (a padded long)      |
 *  +--------------------------------------------------------------+
 * </pre>
 *
 * Counters are allocated at setup time (never per packet); the data path only increments the {@link AtomicCounter}s it
 * holds. Labels are dotted names ({@code pool.rx.allocations}, {@code stage.parse.drop.truncated}).
 */
public final class Counters implements AutoCloseable
{
    /** "VFPCNTR1" as a big-endian long; written last, checked by readers. */
    public static final long MAGIC = 0x564650434E545231L;
    public static final int VERSION = 1;
    public static final int HEADER_LENGTH = 64;
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 8;
    public static final int METADATA_LENGTH_OFFSET = 12;
    public static final int VALUES_LENGTH_OFFSET = 16;
    public static final int PID_OFFSET = 24;
    public static final int START_TIME_OFFSET = 32;

    /** The type id of every vfplane counter (Agrona reserves its own low ids). */
    public static final int VFPLANE_COUNTER_TYPE = 1001;

    private final CountersManager manager;
    private final ByteBuffer memory;
    private final Path file;

    private Counters(final CountersManager manager, final ByteBuffer memory, final Path file)
    {
        this.manager = manager;
        this.memory = memory;
        this.file = file;
    }

    /** Counters in process memory only (tests, tools). */
    public static Counters inMemory(final int maxCounters)
    {
        final int valuesLength = valuesLength(maxCounters);
        final int metadataLength = valuesLength * (CountersReader.METADATA_LENGTH / CountersReader.COUNTER_LENGTH);
        final ByteBuffer memory = ByteBuffer.allocateDirect(metadataLength + valuesLength + 64);
        final int aligned = (int)(64 - (BufferUtil.address(memory) & 63)) & 63;
        final AtomicBuffer meta = new UnsafeBuffer(memory, aligned, metadataLength);
        final AtomicBuffer values = new UnsafeBuffer(memory, aligned + metadataLength, valuesLength);
        return new Counters(new CountersManager(meta, values, StandardCharsets.US_ASCII), memory, null);
    }

    /**
     * Counters in a memory-mapped file that {@link #openReader(Path)} can read from another process. An existing
     * file is replaced: counters start from zero with each run.
     */
    public static Counters mapped(final Path file, final int maxCounters)
    {
        final int valuesLength = valuesLength(maxCounters);
        final int metadataLength = valuesLength * (CountersReader.METADATA_LENGTH / CountersReader.COUNTER_LENGTH);
        final int total = HEADER_LENGTH + metadataLength + valuesLength;
        try
        {
            if (file.getParent() != null)
            {
                Files.createDirectories(file.getParent());
            }
            final MappedByteBuffer mapped;
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING))
            {
                mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, total);
            }
            final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
            header.putInt(VERSION_OFFSET, VERSION);
            header.putInt(METADATA_LENGTH_OFFSET, metadataLength);
            header.putInt(VALUES_LENGTH_OFFSET, valuesLength);
            header.putLong(PID_OFFSET, ProcessHandle.current().pid());
            header.putLong(START_TIME_OFFSET, System.currentTimeMillis());
            final AtomicBuffer meta = new UnsafeBuffer(mapped, HEADER_LENGTH, metadataLength);
            final AtomicBuffer values = new UnsafeBuffer(mapped, HEADER_LENGTH + metadataLength, valuesLength);
            final CountersManager manager = new CountersManager(meta, values, StandardCharsets.US_ASCII);
            header.putLongVolatile(MAGIC_OFFSET, MAGIC); // last: a reader that sees the magic sees a whole header
            return new Counters(manager, mapped, file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create counters file " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Opens another process's counters file for reading.
     *
     * @throws IllegalStateException naming the file when it is not a vfplane counters file.
     */
    public static CountersReader openReader(final Path file)
    {
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(file.toFile(), FileChannel.MapMode.READ_ONLY,
            "counters");
        final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, Math.min(HEADER_LENGTH, mapped.capacity()));
        if (mapped.capacity() < HEADER_LENGTH || header.getLongVolatile(MAGIC_OFFSET) != MAGIC)
        {
            throw new IllegalStateException(file + ": not a vfplane counters file (bad magic)");
        }
        if (header.getInt(VERSION_OFFSET) != VERSION)
        {
            throw new IllegalStateException(file + ": counters file version " + header.getInt(VERSION_OFFSET) +
                ", this build reads " + VERSION);
        }
        final int metadataLength = header.getInt(METADATA_LENGTH_OFFSET);
        final int valuesLength = header.getInt(VALUES_LENGTH_OFFSET);
        if (HEADER_LENGTH + (long)metadataLength + valuesLength > mapped.capacity())
        {
            throw new IllegalStateException(file + ": counters file is shorter than its header says");
        }
        return new CountersReader(
            new UnsafeBuffer(mapped, HEADER_LENGTH, metadataLength),
            new UnsafeBuffer(mapped, HEADER_LENGTH + metadataLength, valuesLength),
            StandardCharsets.US_ASCII);
    }

    /** Where vfplane processes keep their counters: one file here, or one per daemon instance below it. */
    public static final Path RUN_DIR = Path.of("/dev/shm/vfplane");
    /** The system property that moves {@link #RUN_DIR} (tests, several setups on one host). */
    public static final String RUN_DIR_PROPERTY = "vfplane.run.dir";
    private static final String FILE_NAME = "counters.dat";

    /** {@link #RUN_DIR}, or where {@value #RUN_DIR_PROPERTY} puts it. */
    public static Path runDir()
    {
        final String moved = System.getProperty(RUN_DIR_PROPERTY);
        return moved == null ? RUN_DIR : Path.of(moved);
    }

    /** The counters file of daemon instance {@code instance}: {@code runDir()/<instance>/counters.dat}. */
    public static Path instanceFile(final String instance)
    {
        return runDir().resolve(instance).resolve(FILE_NAME);
    }

    /**
     * The counters file a reader should open when none is named: {@code runDir()/counters.dat} when it exists
     * (a `vfplane pipeline run`), else the only daemon instance's {@code runDir()/<instance>/counters.dat}; with
     * several instances, or none, the plain file, whose absence the caller reports.
     */
    public static Path defaultFile()
    {
        final Path dir = runDir();
        final Path plain = dir.resolve(FILE_NAME);
        if (Files.isRegularFile(plain))
        {
            return plain;
        }
        try (var dirs = Files.list(dir))
        {
            final var instances = dirs.map(d -> d.resolve(FILE_NAME)).filter(Files::isRegularFile).toList();
            return instances.size() == 1 ? instances.getFirst() : plain;
        }
        catch (final IOException ex)
        {
            return plain;
        }
    }

    private static int valuesLength(final int maxCounters)
    {
        if (maxCounters < 1 || maxCounters > 1 << 20)
        {
            throw new IllegalArgumentException("maxCounters must be in 1..1048576: " + maxCounters);
        }
        return maxCounters * CountersReader.COUNTER_LENGTH;
    }

    /** Allocates a counter at setup time. Labels longer than Agrona's limit are cut. */
    public AtomicCounter newCounter(final String label)
    {
        return manager.newCounter(label, VFPLANE_COUNTER_TYPE);
    }

    public CountersReader reader()
    {
        return manager;
    }

    /**
     * The value of the counter with this exact label, or {@code defaultValue} when there is none (tools and tests;
     * walks the table).
     */
    public long valueOf(final String label, final long defaultValue)
    {
        final long[] found = {defaultValue};
        final boolean[] seen = {false};
        manager.forEach((value, counterId, l) ->
        {
            if (!seen[0] && l.equals(label))
            {
                found[0] = value;
                seen[0] = true;
            }
        });
        return found[0];
    }

    /** The file behind these counters, or null when they live in process memory. */
    public Path file()
    {
        return file;
    }

    @Override
    public void close()
    {
        if (file != null)
        {
            IoUtil.unmap((MappedByteBuffer)memory);
        }
        // in-memory counters are left to the garbage collector: a counter handed out may outlive close()
    }
}
