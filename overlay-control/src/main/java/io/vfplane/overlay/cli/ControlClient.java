package io.vfplane.overlay.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.vfplane.dataplane.counters.Counters;
import io.vfplane.overlay.control.Json;
import picocli.CommandLine.Option;

/**
 * Finds a daemon's control API ({@code --control URL}, or the {@code control} file of {@code --instance NAME} in the
 * run directory) and calls it. A picocli mixin for every command that talks to a daemon.
 */
public final class ControlClient
{
    @Option(names = "--control", paramLabel = "URL", description = "control API URL, e.g. http://127.0.0.1:40123")
    String url;

    @Option(names = {"-i", "--instance"}, paramLabel = "NAME",
        description = "daemon instance (its pf name unless the config says otherwise); default: the only one")
    String instance;

    @Option(names = "--json", description = "print the API's JSON answer as it is")
    boolean json;

    /** The base URL. */
    public String baseUrl() throws IOException
    {
        if (url != null)
        {
            return url;
        }
        final Path run = Counters.runDir();
        Path dir = null;
        if (instance != null)
        {
            dir = run.resolve(instance);
        }
        else if (Files.isDirectory(run))
        {
            try (var list = Files.list(run))
            {
                final List<Path> live = list.filter(p -> Files.isRegularFile(p.resolve("control"))).toList();
                if (live.size() > 1)
                {
                    throw new IOException("several daemons run (" + live.stream().map(p -> p.getFileName().toString())
                        .toList() + "): pick one with --instance");
                }
                dir = live.isEmpty() ? null : live.get(0);
            }
        }
        if (dir == null || !Files.isRegularFile(dir.resolve("control")))
        {
            throw new IOException("no running daemon found in " + run + (instance == null ? "" : " for " + instance) +
                " (start one with: vfplane daemon --config host.yaml, or pass --control URL)");
        }
        return Files.readString(dir.resolve("control")).strip();
    }

    /**
     * Calls the API and prints its answer; returns the exit code (0 ok, 1 refused, 3 unreachable).
     */
    public int call(final String method, final String pathAndQuery, final String body)
    {
        final String base;
        try
        {
            base = baseUrl();
        }
        catch (final IOException ex)
        {
            System.err.println("vfplane: " + ex.getMessage());
            return 3;
        }
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + pathAndQuery))
            .timeout(Duration.ofSeconds(10));
        if (body == null)
        {
            request.GET();
        }
        else
        {
            request.method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        }
        final HttpResponse<String> response;
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build())
        {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (final IOException ex)
        {
            System.err.println("vfplane: cannot reach the daemon at " + base + ": " + ex +
                " (a daemon in another network namespace: run this inside it with ip netns exec)");
            return 3;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return 3;
        }
        if (json || pathAndQuery.startsWith("/metrics"))
        {
            System.out.print(response.body());
            return response.statusCode() == 200 ? 0 : 1;
        }
        if (response.statusCode() == 200)
        {
            final String text = Json.stringField(response.body(), "text");
            System.out.print(text == null ? response.body() : text);
            return 0;
        }
        final List<String> errors = Json.stringArray(response.body(), "errors");
        if (errors.isEmpty())
        {
            System.err.println("vfplane: HTTP " + response.statusCode() + ": " + response.body());
        }
        errors.forEach(System.err::println);
        return 1;
    }
}
