package io.vfplane.encap.config;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reading a YAML configuration file up to its node tree, with errors in the one form every vfplane file uses:
 * {@code FILE:LINE: message}. The node tree keeps line numbers, so the file readers built on it (rule files, host
 * configs) can name the line and field of each later error themselves.
 */
public final class YamlSource
{
    /** The file could not be read or is not YAML; {@link #line()} is the whole error line. */
    public static final class Refused extends Exception
    {
        private static final long serialVersionUID = 1L;

        Refused(final String line)
        {
            super(line, null, false, false);
        }

        public String line()
        {
            return getMessage();
        }
    }

    private YamlSource()
    {
    }

    /** How errors name a file: its file name, or the path as given when it has none. */
    public static String displayName(final Path file)
    {
        return file.getFileName() == null ? file.toString() : file.getFileName().toString();
    }

    /** The file's text as a reader. */
    public static Reader open(final Path file) throws Refused
    {
        try
        {
            return new StringReader(Files.readString(file, StandardCharsets.UTF_8));
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new Refused(displayName(file) + ":0: cannot read: " + ex.getMessage());
        }
    }

    /** The node tree of {@code text}; duplicate keys are errors; an empty document is refused. */
    public static Node compose(final String fileName, final Reader text) throws Refused
    {
        final Node root;
        try
        {
            final LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            root = new Yaml(options).compose(text);
        }
        catch (final MarkedYAMLException ex)
        {
            final int line = ex.getProblemMark() != null ? ex.getProblemMark().getLine() + 1 : 0;
            throw new Refused(fileName + ":" + line + ": " + oneLine(ex.getProblem()));
        }
        catch (final YAMLException ex)
        {
            throw new Refused(fileName + ":0: " + oneLine(ex.getMessage()));
        }
        if (root == null)
        {
            throw new Refused(fileName + ":1: the file is empty");
        }
        return root;
    }

    private static String oneLine(final String s)
    {
        return s == null ? "invalid YAML" : s.replace('\n', ' ').trim();
    }
}
