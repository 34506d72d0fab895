package io.vfplane.dist.demo;

import io.vfplane.dist.Main;
import io.vfplane.pcap.PcapWriter;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code vfplane demo}: the main job on its embedded default. Today it writes a capture of generated frames
 * ({@link SampleFrames}) and runs {@code pcap inspect} over it, so the parser's view of each tunnel and its drop
 * reasons are visible at once. The overlay demo (namespaces, daemons, ping and iperf3) replaces this when the host
 * daemon lands.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {
        "Write a capture of generated frames (VXLAN, Geneve with options, NVGRE, TCP, IPv6, two malformed frames)",
        "and show what the bounded parser makes of each, as `pcap inspect` prints it."
    })
public final class DemoCommand implements Callable<Integer>
{
    @Option(names = "--out", paramLabel = "FILE",
        description = "Keep the generated capture here (default: a temporary file, removed afterwards).")
    Path out;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
        description = "table or jsonl, as for pcap inspect (default: ${DEFAULT-VALUE}).")
    String format;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException
    {
        final Path file = out != null ? out : Files.createTempFile("vfplane-demo-", ".pcap");
        try
        {
            final List<SampleFrames.Frame> frames = new SampleFrames().frames();
            try (PcapWriter writer = PcapWriter.create(file, 1, 65535, PcapWriter.Precision.MICROS))
            {
                long ts = 1_700_000_000_000_000_000L;
                for (final SampleFrames.Frame f : frames)
                {
                    final UnsafeBuffer b = new UnsafeBuffer(f.bytes());
                    writer.write(b, 0, f.bytes().length, Math.max(f.wireLength(), f.bytes().length), ts);
                    ts += 1_000_000L;
                }
            }
            final var outWriter = spec.commandLine().getOut();
            outWriter.printf("vfplane demo: %d generated frames written to %s%n", frames.size(),
                out != null ? file : "a temporary capture");
            for (int i = 0; i < frames.size(); i++)
            {
                outWriter.printf("  frame %d: %s%n", i + 1, frames.get(i).what());
            }
            outWriter.printf("%nvfplane pcap inspect --format %s %s%n", format, out != null ? file : "<capture>");
            outWriter.flush();
            final CommandLine root = Main.commandLine();
            root.setOut(spec.commandLine().getOut());
            root.setErr(spec.commandLine().getErr());
            // the two malformed frames are expected drops, not a failure of the demo: inspect exits 0 for them
            return root.execute("pcap", "inspect", "--format", format, file.toString());
        }
        finally
        {
            if (out == null)
            {
                Files.deleteIfExists(file);
            }
        }
    }
}
