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
 * {@code vfplane demo}: the main job on its embedded default. As root it builds two hosts as network namespaces
 * joined by a veth underlay, runs a vfplane daemon per host with a guest namespace on a VF, pings and runs a short
 * iperf3 TCP test across the overlay, prints the counters and removes everything ({@code DemoRunner}). Without root,
 * or with {@code --in-process}, it runs the same two hosts' pipelines in-process over generated frames.
 * {@code --parser} writes a capture of generated frames ({@link SampleFrames}) and shows what the bounded parser
 * makes of each, as {@code pcap inspect} prints it.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {
        "Two hosts as network namespaces, a vfplane daemon each, guests on VFs: ping and iperf3 across the overlay,",
        "then the counters; everything created is removed. Needs root; without it, runs the pipelines in-process.",
        "--parser: generated frames (VXLAN, Geneve, NVGRE, TCP, IPv6, two malformed) through pcap inspect."
    })
public final class DemoCommand implements Callable<Integer>
{
    @Option(names = "--in-process", description = "Run the two hosts' pipelines in-process, even as root.")
    boolean inProcess;

    @Option(names = "--parser", description = "Show the parser over a generated capture instead of the overlay.")
    boolean parser;

    @Option(names = "--out", paramLabel = "FILE",
        description = "With --parser: keep the generated capture here (default: a temporary file, removed).")
    Path out;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
        description = "With --parser: table or jsonl, as for pcap inspect (default: ${DEFAULT-VALUE}).")
    String format;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception
    {
        if (!parser)
        {
            return new io.vfplane.overlay.demo.DemoRunner(System.out).run(inProcess);
        }
        return parserDemo();
    }

    private int parserDemo() throws IOException
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
