package io.vfplane.overlay.control;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.agrona.concurrent.UnsafeBuffer;

import io.vfplane.dataplane.text.AddressText;
import io.vfplane.encap.config.RuleFileException;
import io.vfplane.encap.rules.EgressRule;
import io.vfplane.encap.rules.IngressRule;
import io.vfplane.encap.rules.RuleSet;
import io.vfplane.overlay.config.HostConfig;
import io.vfplane.overlay.config.HostConfigFile;
import io.vfplane.overlay.daemon.Daemon;
import io.vfplane.pipeline.Pipeline;
import io.vfplane.pipeline.ShowPipeline;
import io.vfplane.vf.VfConfig;
import io.vfplane.vf.port.tap.TapPort;

/**
 * The daemon's local control API: HTTP on 127.0.0.1 with small JSON answers, served by the JDK's HTTP server on one
 * thread (commands are rare; the data path never waits for it).
 *
 * <pre>
 *  GET  /vfs              {"ok": true, "text": "..."}                  vfplane show vfs
 *  GET  /rules            {"ok": true, "text": "..."}                  vfplane show rules
 *  GET  /counters         {"ok": true, "text": "..."}                  vfplane show counters
 *  GET  /pipeline         {"ok": true, "text": "..."}                  vfplane show pipeline
 *  GET  /ports            {"ok": true, "text": "..."}                  vfplane show ports
 *  POST /vf/set?vf=N      body: the arguments, one per line            vfplane vf set N ...
 *  POST /rules/load?name=F  body: the rule file                        vfplane rules load F
 *  GET  /metrics          Prometheus text format 0.0.4 (404 when host.yaml has control.metrics off)
 *  errors: HTTP 400 {"ok": false, "errors": ["rules.yaml:14: egress[3].vni: ..."]}
 * </pre>
 */
public final class ControlServer implements AutoCloseable
{
    private final Daemon daemon;
    private final HttpServer server;
    private final ExecutorService executor;
    private final boolean metrics;

    private ControlServer(final Daemon daemon, final HttpServer server, final ExecutorService executor,
        final boolean metrics)
    {
        this.daemon = daemon;
        this.server = server;
        this.executor = executor;
        this.metrics = metrics;
    }

    /**
     * @param port    loopback port, 0 for any free one.
     * @param metrics serve {@code GET /metrics} (host.yaml {@code control.metrics}); off, it answers 404 saying so.
     */
    public static ControlServer start(final Daemon daemon, final int port, final boolean metrics) throws IOException
    {
        final HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        final ExecutorService executor = Executors.newSingleThreadExecutor(r ->
        {
            final Thread t = new Thread(r, "vfplane-control");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        final ControlServer control = new ControlServer(daemon, server, executor, metrics);
        server.createContext("/", control::handle);
        server.start();
        return control;
    }

    /** @return the base URL, e.g. {@code http://127.0.0.1:40123}. */
    public String url()
    {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(final HttpExchange exchange) throws IOException
    {
        try (exchange)
        {
            final String path = exchange.getRequestURI().getPath();
            final String method = exchange.getRequestMethod();
            try
            {
                switch (method + " " + path)
                {
                    case "GET /vfs" -> ok(exchange, vfs());
                    case "GET /rules" -> ok(exchange, rules());
                    case "GET /counters" -> ok(exchange, counters());
                    case "GET /pipeline" -> ok(exchange, ShowPipeline.format(daemon.counters().reader()));
                    case "GET /ports" -> ok(exchange, ports());
                    case "GET /metrics" ->
                    {
                        if (metrics)
                        {
                            send(exchange, 200, "text/plain; version=0.0.4",
                                Metrics.format(daemon.counters().reader()));
                        }
                        else
                        {
                            error(exchange, 404,
                                List.of("GET /metrics: off in this daemon's config (control.metrics)"));
                        }
                    }
                    case "POST /vf/set" -> vfSet(exchange);
                    case "POST /rules/load" -> rulesLoad(exchange);
                    default -> error(exchange, 404, List.of(method + " " + path + ": no such endpoint"));
                }
            }
            catch (final RuntimeException ex)
            {
                error(exchange, 500, List.of(String.valueOf(ex.getMessage())));
            }
        }
    }

    private void vfSet(final HttpExchange exchange) throws IOException
    {
        final String vfText = query(exchange.getRequestURI(), "vf");
        final List<String> args = new ArrayList<>();
        for (final String line : body(exchange).split("\n"))
        {
            if (!line.isBlank())
            {
                args.add(line.strip());
            }
        }
        try
        {
            final int vf = Integer.parseInt(vfText == null ? "" : vfText);
            final VfConfig next = daemon.setVf(vf, args);
            ok(exchange, next + "\n");
        }
        catch (final NumberFormatException ex)
        {
            error(exchange, 400, List.of("vf: \"" + vfText + "\" is not a VF number"));
        }
        catch (final IllegalArgumentException | IllegalStateException | IndexOutOfBoundsException ex)
        {
            error(exchange, 400, List.of(String.valueOf(ex.getMessage())));
        }
    }

    private void rulesLoad(final HttpExchange exchange) throws IOException
    {
        final String name = query(exchange.getRequestURI(), "name");
        try
        {
            final RuleSet next = daemon.loadRules(name == null ? "rules.yaml" : name, body(exchange));
            ok(exchange, "applied " + next.egressRules().size() + " egress and " + next.ingressRules().size() +
                " ingress rules\n");
        }
        catch (final RuleFileException ex)
        {
            error(exchange, 400, ex.errors());
        }
    }

    private String vfs()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(daemon.config().pf()).append(": ").append(daemon.config().vfs().size()).append(" VF(s)\n");
        for (final HostConfig.Vf vf : daemon.config().vfs())
        {
            sb.append("  vf ").append(vf.index()).append(": tap ").append(vf.tap()).append(", vni ").append(vf.vni());
            if (vf.guest() != null)
            {
                sb.append(", guest netns ").append(vf.guest().netns());
            }
            sb.append('\n');
        }
        sb.append(daemon.vfTable().show());
        return sb.toString();
    }

    private String rules()
    {
        final RuleSet rules = daemon.rules().current();
        final StringBuilder sb = new StringBuilder();
        sb.append("rules from ").append(daemon.rulesOrigin()).append(", generation ")
            .append(daemon.rules().generation()).append('\n');
        sb.append("egress:\n");
        final List<EgressRule> egress = rules.egressRules();
        for (int i = 0; i < egress.size(); i++)
        {
            final EgressRule r = egress.get(i);
            sb.append(String.format("  %3d  hits %-10d vf %s", i, rules.egressHits(i),
                r.sourceVf() < 0 ? "any" : Integer.toString(r.sourceVf())));
            if (r.dstMac() >= 0)
            {
                sb.append(" dst-mac ").append(HostConfigFile.formatMac(r.dstMac()));
            }
            if (r.dstPrefix() != null)
            {
                sb.append(" dst-ip ").append(address(r.dstPrefix())).append('/').append(r.prefixLength());
            }
            sb.append(" -> ").append(r.action().name().toLowerCase());
            if (r.tunnel() != null)
            {
                sb.append(' ').append(r.tunnel().format().name()).append(" remote ")
                    .append(address(r.tunnel().remote())).append(" vni ").append(r.tunnel().vni());
            }
            if (r.action() == EgressRule.Action.DELIVER)
            {
                sb.append(" vf ").append(r.deliverVf());
            }
            sb.append('\n');
        }
        sb.append("ingress:\n");
        final List<IngressRule> ingress = rules.ingressRules();
        for (int i = 0; i < ingress.size(); i++)
        {
            final IngressRule r = ingress.get(i);
            sb.append(String.format("  %3d  hits %-10d %s vni %d", i, rules.ingressHits(i), r.format().name(),
                r.vni()));
            if (r.srcIp() != null)
            {
                sb.append(" from ").append(address(r.srcIp()));
            }
            if (r.innerDstMac() >= 0)
            {
                sb.append(" inner-dst-mac ").append(HostConfigFile.formatMac(r.innerDstMac()));
            }
            sb.append(" -> ").append(r.action().name().toLowerCase());
            if (r.action() == IngressRule.Action.DELIVER)
            {
                sb.append(" vf ").append(r.vf());
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private String counters()
    {
        final StringBuilder sb = new StringBuilder();
        daemon.counters().reader().forEach((value, id, label) ->
            sb.append(String.format("%20d  %s%n", value, label)));
        return sb.toString();
    }

    private String ports()
    {
        final StringBuilder sb = new StringBuilder();
        final var u = daemon.underlay();
        sb.append(String.format("  %d  %-12s udp %s:%d (%s, gso %s, gro %s)%n", Daemon.UNDERLAY_PORT, u.name(),
            u.localAddress().getAddress().getHostAddress(), u.localAddress().getPort(),
            daemon.config().underlay().transport().name().toLowerCase(java.util.Locale.ROOT),
            u.gsoInUse() ? "on" : "off", u.groInUse() ? "on" : "off"));
        appendPortCounters(sb, u.name());
        for (final TapPort tap : daemon.taps())
        {
            sb.append(String.format("  %d  %-12s tap%n", tapPortId(tap), tap.name()));
            appendPortCounters(sb, tap.name());
        }
        sb.append("  pipelines:");
        for (final Pipeline p : daemon.pipelines())
        {
            sb.append(' ').append(p.name()).append(" (entered ").append(p.entered()).append(", entry full ")
                .append(p.entryFull()).append(')');
        }
        sb.append('\n');
        return sb.toString();
    }

    private int tapPortId(final TapPort tap)
    {
        for (final HostConfig.Vf vf : daemon.config().vfs())
        {
            if (vf.tap().equals(tap.name()))
            {
                return Daemon.VF_PORT_BASE + vf.index();
            }
        }
        return -1;
    }

    private void appendPortCounters(final StringBuilder sb, final String port)
    {
        final String prefix = "port." + port + ".";
        final StringBuilder line = new StringBuilder("       ");
        daemon.counters().reader().forEach((value, id, label) ->
        {
            if (label.startsWith(prefix))
            {
                line.append(' ').append(label.substring(prefix.length())).append(' ').append(value);
            }
        });
        sb.append(line).append('\n');
    }

    /** A rule's IPv4 or IPv6 address as text (IPv6 in RFC 5952's form, as {@code ip} prints it). */
    private static String address(final byte[] a)
    {
        final UnsafeBuffer b = new UnsafeBuffer(a);
        return a.length == 4 ? AddressText.ipv4(b, 0) : a.length == 16 ? AddressText.ipv6(b, 0) : Arrays.toString(a);
    }

    private static String query(final URI uri, final String key)
    {
        final String q = uri.getRawQuery();
        if (q == null)
        {
            return null;
        }
        for (final String part : q.split("&"))
        {
            final int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).equals(key))
            {
                return URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static String body(final HttpExchange exchange) throws IOException
    {
        try (InputStream in = exchange.getRequestBody())
        {
            return new String(in.readNBytes(1 << 20), StandardCharsets.UTF_8);
        }
    }

    private static void ok(final HttpExchange exchange, final String text) throws IOException
    {
        send(exchange, 200, "application/json", "{\"ok\": true, \"text\": " + Json.quote(text) + "}\n");
    }

    private static void error(final HttpExchange exchange, final int status, final List<String> errors)
        throws IOException
    {
        send(exchange, status, "application/json", "{\"ok\": false, \"errors\": " + Json.array(errors) + "}\n");
    }

    private static void send(final HttpExchange exchange, final int status, final String type, final String body)
        throws IOException
    {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody())
        {
            out.write(bytes);
        }
    }

    @Override
    public void close()
    {
        server.stop(0);
        executor.shutdownNow();
    }
}
