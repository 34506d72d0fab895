package io.vfplane.pcap.cli;

import java.io.PrintWriter;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.agrona.collections.Int2ObjectHashMap;

import io.vfplane.dataplane.parse.DropReason;
import io.vfplane.dataplane.parse.LayerType;
import io.vfplane.dataplane.parse.PacketParser;
import io.vfplane.dataplane.parse.ParseResult;
import io.vfplane.dataplane.parse.ParserConfig;
import io.vfplane.pcap.BpfFilter;
import io.vfplane.pcap.CaptureCursor;
import io.vfplane.pcap.CaptureError;
import io.vfplane.pcap.CaptureException;
import io.vfplane.pcap.CaptureReader;
import io.vfplane.pcap.PcapWriter;
import io.vfplane.pcap.inspect.PacketSummary;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import io.vfplane.dataplane.text.JsonText;

/**
 * {@code vfplane pcap inspect}: one line per packet of each file, parsed by the dataplane's {@link PacketParser}.
 * Bad input (missing file, unsupported link type, truncated or malformed file) gives a one-line error naming the file
 * on stderr and exit code 1, after the other files are processed; usage errors exit with 2.
 */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = {
        "Print one line per packet: frame number, lengths, the parser's drop reason, layers and key fields.",
        "jsonl output: one JSON object per packet, schema in README.md (pcap inspect jsonl schema)."
    },
    exitCodeOnInvalidInput = 2,
    exitCodeOnExecutionException = 1)
public final class InspectCommand implements Callable<Integer>
{
    /** Output formats. */
    public enum Format
    {
        /** Aligned columns for people. */
        table,
        /** One JSON object per line. */
        jsonl
    }

    static final int EXIT_OK = 0;
    static final int EXIT_BAD_INPUT = 1;
    static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--filter", paramLabel = "BPF",
        description = "Only packets matching this BPF expression (tcpdump syntax, compiled by libpcap).")
    String filter;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
        description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--vxlan-port", paramLabel = "N",
        description = "Also decode UDP port N as VXLAN (4789 and 8472 always are, 6081 is Geneve). Repeatable.")
    List<Integer> vxlanPorts = new ArrayList<>();

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "pcap or pcapng files.")
    List<String> files;

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final ParserConfig config = new ParserConfig();
        for (final int port : vxlanPorts)
        {
            if (port < 1 || port > 65535)
            {
                err.println("--vxlan-port: " + port + " is not a UDP port (1-65535)");
                err.flush();
                return EXIT_USAGE;
            }
            config.addVxlanPort(port);
        }
        final PacketParser parser = new PacketParser(config);
        final ParseResult result = new ParseResult();
        final PacketSummary summary = new PacketSummary();
        final StringBuilder line = new StringBuilder(512);
        int status = EXIT_OK;
        for (final String file : files)
        {
            final int fileStatus = inspect(file, parser, result, summary, line, out, err);
            out.flush();
            err.flush();
            if (fileStatus == EXIT_USAGE)
            {
                return EXIT_USAGE;
            }
            status = Math.max(status, fileStatus);
        }
        return status;
    }

    private int inspect(final String file, final PacketParser parser, final ParseResult result,
        final PacketSummary summary, final StringBuilder line, final PrintWriter out, final PrintWriter err)
    {
        final Path path;
        try
        {
            path = Path.of(file);
        }
        catch (final InvalidPathException ex)
        {
            err.println("file " + file + ": invalid path");
            return EXIT_BAD_INPUT;
        }
        final Int2ObjectHashMap<BpfFilter> filters = new Int2ObjectHashMap<>();
        try (CaptureCursor cursor = CaptureReader.open(path))
        {
            if (format == Format.table)
            {
                out.println("== " + file + " (" + cursor.format().name().toLowerCase() + ")");
                out.println(String.format("%7s %6s %6s  %-18s %-40s %s", "frame", "caplen", "len", "drop",
                    "layers", "fields"));
            }
            while (cursor.next())
            {
                if (filter != null)
                {
                    BpfFilter bpf = filters.get(cursor.linkType());
                    if (bpf == null)
                    {
                        bpf = BpfFilter.compile(filter, cursor.linkType(), PcapWriter.DEFAULT_SNAPLEN);
                        filters.put(cursor.linkType(), bpf);
                    }
                    if (!bpf.matches(cursor.buffer(), cursor.offset(), cursor.capturedLength(),
                        cursor.originalLength()))
                    {
                        continue;
                    }
                }
                final DropReason drop = parser.parse(cursor.buffer(), cursor.offset(), cursor.capturedLength(),
                    cursor.linkType(), result);
                summary.fill(cursor.buffer(), cursor.offset(), cursor.originalLength(), cursor.capturedLength(),
                    result);
                line.setLength(0);
                if (format == Format.jsonl)
                {
                    line.append("{\"file\":");
                    JsonText.appendQuoted(line, file);
                    line.append(",\"frame\":").append(cursor.recordNumber())
                        .append(",\"caplen\":").append(cursor.capturedLength())
                        .append(",\"len\":").append(cursor.originalLength())
                        .append(",\"drop_reason\":");
                    if (drop == DropReason.NONE)
                    {
                        line.append("null");
                    }
                    else
                    {
                        JsonText.appendQuoted(line, drop.label());
                    }
                    line.append(",\"summary\":");
                    summary.appendJson(line);
                    line.append('}');
                }
                else
                {
                    final StringBuilder fields = new StringBuilder();
                    summary.appendKeyFields(fields);
                    line.append(String.format("%7d %6d %6d  %-18s %-40s %s", cursor.recordNumber(),
                        cursor.capturedLength(), cursor.originalLength(),
                        drop == DropReason.NONE ? "-" : drop.label(), chain(result), fields.toString().trim()));
                }
                out.println(line);
            }
            final CaptureError error = cursor.error();
            if (error != null)
            {
                err.println("file " + file + ": " + error.message());
                return EXIT_BAD_INPUT;
            }
            return EXIT_OK;
        }
        catch (final CaptureException ex)
        {
            err.println("file " + file + ": " + ex.getMessage());
            return EXIT_BAD_INPUT;
        }
        catch (final BpfFilter.BpfException ex)
        {
            err.println("--filter: " + ex.getMessage());
            return ex.getMessage().contains("libpcap") && !ex.getMessage().startsWith("invalid filter") ?
                EXIT_BAD_INPUT : EXIT_USAGE;
        }
        catch (final RuntimeException ex)
        {
            // Never a stack trace for the user: name the file and the failure.
            err.println("file " + file + ": cannot inspect: " + ex);
            return EXIT_BAD_INPUT;
        }
        finally
        {
            filters.values().forEach(BpfFilter::close);
        }
    }

    /**
     * @param result a parse result.
     * @return a short layer chain such as {@code eth:ip:udp:vxlan:eth:ip:tcp}.
     */
    static String chain(final ParseResult result)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < result.layerCount(); i++)
        {
            if (i > 0)
            {
                sb.append(':');
            }
            sb.append(shortName(result.layerType(i)));
        }
        return sb.isEmpty() ? "-" : sb.toString();
    }

    private static String shortName(final int layerType)
    {
        return switch (layerType)
        {
            case LayerType.ETHERNET -> "eth";
            case LayerType.VLAN -> "vlan";
            case LayerType.QINQ -> "qinq";
            case LayerType.MPLS -> "mpls";
            case LayerType.ARP -> "arp";
            case LayerType.SLL -> "sll";
            case LayerType.IPV4 -> "ip";
            case LayerType.IPV6 -> "ipv6";
            case LayerType.IPV6_HOPOPT -> "hopopt";
            case LayerType.IPV6_ROUTING -> "routing";
            case LayerType.IPV6_FRAGMENT -> "frag";
            case LayerType.IPV6_DSTOPTS -> "dstopts";
            case LayerType.UDP -> "udp";
            case LayerType.TCP -> "tcp";
            case LayerType.ICMP -> "icmp";
            case LayerType.ICMPV6 -> "icmpv6";
            case LayerType.VXLAN -> "vxlan";
            case LayerType.GENEVE -> "geneve";
            case LayerType.GRE -> "gre";
            case LayerType.PAYLOAD -> "data";
            default -> "?";
        };
    }
}
