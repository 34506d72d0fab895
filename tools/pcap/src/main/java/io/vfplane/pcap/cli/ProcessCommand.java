package io.vfplane.pcap.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import org.agrona.DirectBuffer;

import io.vfplane.dataplane.counters.Counters;
import io.vfplane.encap.config.RuleFile;
import io.vfplane.encap.config.RuleFileException;
import io.vfplane.encap.rules.EgressRule;
import io.vfplane.encap.rules.IngressRule;
import io.vfplane.encap.rules.RuleSet;
import io.vfplane.encap.rules.RuleTables;
import io.vfplane.encap.stage.TunnelProcessor;
import io.vfplane.pcap.CaptureCursor;
import io.vfplane.pcap.CaptureError;
import io.vfplane.pcap.CaptureException;
import io.vfplane.pcap.CaptureReader;
import io.vfplane.pcap.PcapWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vfplane pcap process}: runs the frames of a capture through the real encap (egress) or decap (ingress)
 * pipeline of a rule file and writes what comes out to a pcap, then prints the counters the way VPP's
 * {@code show errors} does (count, stage, reason) and the hits of every rule.
 *
 * <pre>
 *   IN (pcap | pcapng) -> CaptureReader -> TunnelProcessor [ encap | decap ] -> PcapWriter -> OUT.pcap
 *                                                   |
 *                                                   +-> counters: per stage and reason, per rule hits
 * </pre>
 *
 * Exit codes: 0 all frames read; 1 bad input (missing, not a capture, truncated or malformed: the frames before the
 * error are processed and written, the error names the file) or the output cannot be written; 2 usage errors and
 * rule files that fail validation (each {@code FILE:LINE: field: message} on stderr, and no output file is created).
 * The output is written to a temporary file beside OUT and moved into place at the end, so a failed run never leaves
 * a half-written OUT.
 */
@Command(
    name = "process",
    mixinStandardHelpOptions = true,
    description = {
        "Run a capture through the encap (egress) or decap (ingress) pipeline of a rule file and write the result.",
        "Prints the counters per stage and drop reason, and the hits of every rule."
    },
    exitCodeOnInvalidInput = 2,
    exitCodeOnExecutionException = 1)
public final class ProcessCommand implements Callable<Integer>
{
    /** Which table the frames go through. */
    public enum Direction
    {
        /** Guest frames: egress rules, encapsulation. */
        egress,
        /** Underlay frames: decapsulation, ingress rules. */
        ingress
    }

    static final int EXIT_OK = 0;
    static final int EXIT_BAD_INPUT = 1;
    static final int EXIT_USAGE = 2;

    /** Ethernet (LINKTYPE_ETHERNET): the only link type the tunnel stages take. */
    private static final int LINKTYPE_ETHERNET = 1;
    /** Largest frame accepted: an IPv6 jumbo is out of scope; a full 64 KiB IP packet plus Ethernet fits. */
    private static final int MAX_FRAME = 65_535 + 14 + 8;
    /** Timestamps of frames in flight, by input sequence; larger than the processor's buffer count (512). */
    private static final int IN_FLIGHT_SLOTS = 4096;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--rules", required = true, paramLabel = "FILE", description = "YAML rule file.")
    String rulesFile;

    @Option(names = "--in", required = true, paramLabel = "IN", description = "Input capture (pcap or pcapng).")
    String inFile;

    @Option(names = "--out", required = true, paramLabel = "OUT.pcap", description = "Output pcap (Ethernet).")
    String outFile;

    @Option(names = "--direction", paramLabel = "DIR", defaultValue = "egress",
        description = "egress (encap) or ingress (decap) (default: ${DEFAULT-VALUE}).")
    Direction direction;

    @Option(names = "--vf", paramLabel = "N", defaultValue = "-1",
        description = "Egress: the VF the frames come from, for rules scoped to a VF (default: none).")
    int vf;

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        try
        {
            return process(out, err);
        }
        finally
        {
            out.flush();
            err.flush();
        }
    }

    private int process(final PrintWriter out, final PrintWriter err)
    {
        final Path rulesPath;
        final Path inPath;
        final Path outPath;
        try
        {
            rulesPath = Path.of(rulesFile);
            inPath = Path.of(inFile);
            outPath = Path.of(outFile);
        }
        catch (final InvalidPathException ex)
        {
            err.println("invalid path: " + ex.getInput());
            return EXIT_USAGE;
        }
        final RuleSet rules;
        try
        {
            rules = RuleFile.read(rulesPath);
        }
        catch (final RuleFileException ex)
        {
            ex.errors().forEach(err::println);
            return EXIT_USAGE;
        }

        final CaptureCursor cursor;
        try
        {
            cursor = CaptureReader.open(inPath);
        }
        catch (final CaptureException ex)
        {
            err.println("file " + inFile + ": " + ex.getMessage());
            return EXIT_BAD_INPUT;
        }

        final Path absoluteOut = outPath.toAbsolutePath();
        final Path partial = absoluteOut.resolveSibling("." + absoluteOut.getFileName() + ".part");
        final PcapWriter writer;
        try
        {
            writer = PcapWriter.create(partial, LINKTYPE_ETHERNET, PcapWriter.DEFAULT_SNAPLEN,
                PcapWriter.Precision.NANOS);
        }
        catch (final IOException | RuntimeException ex)
        {
            cursor.close();
            err.println("file " + outFile + ": cannot create: " + ex.getMessage());
            return EXIT_BAD_INPUT;
        }

        final Run run = new Run(writer);
        boolean keep = false;
        try
        {
            final int status = run.feed(rules, cursor, err);
            writer.close();
            if (run.writeError != null)
            {
                err.println("file " + outFile + ": cannot write: " + run.writeError.getMessage());
                return EXIT_BAD_INPUT;
            }
            Files.move(partial, absoluteOut, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            keep = true;
            report(out, rules, run);
            return status;
        }
        catch (final IOException ex)
        {
            err.println("file " + outFile + ": cannot write: " + ex.getMessage());
            return EXIT_BAD_INPUT;
        }
        catch (final RuntimeException ex)
        {
            // Never a stack trace for the user: name the file and the failure.
            err.println("file " + inFile + ": cannot process: " + ex);
            return EXIT_BAD_INPUT;
        }
        finally
        {
            cursor.close();
            if (!keep)
            {
                try
                {
                    writer.close();
                }
                catch (final IOException | RuntimeException ignored)
                {
                    // the partial file is deleted next; its close error adds nothing for the user
                }
                deleteQuietly(partial);
            }
        }
    }

    /** One run's input side, sink and counts. */
    private final class Run
    {
        private final PcapWriter writer;
        private final Counters counters = Counters.inMemory(1024);
        private final long[] timestamps = new long[IN_FLIGHT_SLOTS];
        private final int[] cutBytes = new int[IN_FLIGHT_SLOTS];
        private final byte[] frame = new byte[MAX_FRAME];
        private long read;
        private long notEthernet;
        private long oversize;
        private long written;
        private CaptureError captureError;
        private IOException writeError;

        Run(final PcapWriter writer)
        {
            this.writer = writer;
        }

        int feed(final RuleSet rules, final CaptureCursor cursor, final PrintWriter err)
        {
            final RuleTables tables = new RuleTables(rules);
            final TunnelProcessor.Direction d = direction == Direction.egress ? TunnelProcessor.Direction.EGRESS :
                TunnelProcessor.Direction.INGRESS;
            final int sourceVf = direction == Direction.egress ? vf : -1;
            try (TunnelProcessor processor = new TunnelProcessor(tables, d, counters, this::write, MAX_FRAME))
            {
                while (cursor.next())
                {
                    read++;
                    if (cursor.linkType() != LINKTYPE_ETHERNET)
                    {
                        notEthernet++;
                        continue;
                    }
                    final int length = cursor.capturedLength();
                    if (length > frame.length)
                    {
                        oversize++;
                        continue;
                    }
                    cursor.buffer().getBytes(cursor.offset(), frame, 0, length);
                    final long sequence = cursor.recordNumber();
                    final int slot = (int)(sequence & (IN_FLIGHT_SLOTS - 1));
                    timestamps[slot] = cursor.timestampNanos();
                    cutBytes[slot] = Math.max(0, cursor.originalLength() - length);
                    if (!processor.offer(frame, length, sourceVf, sequence))
                    {
                        oversize++;
                    }
                }
            }
            captureError = cursor.error();
            if (captureError != null)
            {
                err.println("file " + inFile + ": " + captureError.message());
                return EXIT_BAD_INPUT;
            }
            return EXIT_OK;
        }

        /** On the pipeline's tx thread, in input order. */
        private void write(final DirectBuffer buffer, final int offset, final int length, final long sequence,
            final int toVf)
        {
            if (writeError != null)
            {
                return;
            }
            final int slot = (int)(sequence & (IN_FLIGHT_SLOTS - 1));
            try
            {
                writer.write(buffer, offset, length, length + cutBytes[slot], timestamps[slot]);
                written++;
            }
            catch (final IOException ex)
            {
                writeError = ex;
            }
        }
    }

    private void report(final PrintWriter out, final RuleSet rules, final Run run)
    {
        out.println(String.format("%s: %d frames read from %s, %d written to %s", direction, run.read, inFile,
            run.written, outFile));
        out.println(String.format("%12s  %-8s %s", "Count", "Stage", "Reason"));
        final String stagePrefix = "pipeline.process.stage.";
        final Map<String, Long> rows = new TreeMap<>();
        run.counters.reader().forEach((value, id, label) ->
        {
            if (value != 0 && label.startsWith(stagePrefix))
            {
                final String rest = label.substring(stagePrefix.length());
                final int dot = rest.indexOf('.');
                final String stage = rest.substring(0, dot);
                final String what = rest.substring(dot + 1);
                if (what.startsWith("drop.") || what.equals("encapsulated") || what.equals("decapsulated"))
                {
                    rows.putIfAbsent(String.format("%-8s %s", stage,
                        what.startsWith("drop.") ? what.substring(5) : what), value);
                }
            }
        });
        final List<String> lines = new ArrayList<>();
        if (run.notEthernet != 0)
        {
            lines.add(String.format("%12d  %-8s %s", run.notEthernet, "input", "not_ethernet"));
        }
        if (run.oversize != 0)
        {
            lines.add(String.format("%12d  %-8s %s", run.oversize, "input", "oversize"));
        }
        if (run.captureError != null)
        {
            lines.add(String.format("%12d  %-8s %s", 1, "input", "capture_" +
                run.captureError.kind().name().toLowerCase()));
        }
        rows.forEach((row, value) -> lines.add(String.format("%12d  %s", value, row)));
        lines.forEach(out::println);
        out.println(String.format("%12s  %s", "Hits", "Rule"));
        if (direction == Direction.egress)
        {
            final List<EgressRule> egress = rules.egressRules();
            for (int r = 0; r < egress.size(); r++)
            {
                out.println(String.format("%12d  egress[%d] %s", rules.egressHits(r), r, describe(egress.get(r))));
            }
        }
        else
        {
            final List<IngressRule> ingress = rules.ingressRules();
            for (int r = 0; r < ingress.size(); r++)
            {
                out.println(String.format("%12d  ingress[%d] %s", rules.ingressHits(r), r,
                    describe(ingress.get(r))));
            }
        }
    }

    private static String describe(final EgressRule rule)
    {
        return switch (rule.action())
        {
            case ENCAP -> "encap " + rule.tunnel().format().name() + " vni " + rule.tunnel().vni();
            case DELIVER -> "deliver vf " + rule.deliverVf();
            case DROP -> "drop";
        };
    }

    private static String describe(final IngressRule rule)
    {
        final String match = rule.format().name() + " vni " + rule.vni();
        return rule.action() == IngressRule.Action.DELIVER ? match + " -> deliver vf " + rule.vf() : match + " -> drop";
    }

    private static void deleteQuietly(final Path path)
    {
        try
        {
            Files.deleteIfExists(path);
        }
        catch (final IOException ignored)
        {
            // nothing more to do: the file name starts with a dot and ends in .part
        }
    }
}
