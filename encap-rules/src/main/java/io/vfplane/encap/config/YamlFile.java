package io.vfplane.encap.config;

import java.io.Reader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.yaml.snakeyaml.nodes.Node;

/**
 * One kind of vfplane YAML file (rule files, host configs): the steps every reader shares, around the part that is
 * its own. Read the file, compose the document, take its top level as a mapping of known fields, let the kind's
 * {@link Body} build its value from them, and refuse the whole file, with every error found, when there is any.
 *
 * <p>The body records its errors in the one {@link YamlFields} of the file, so every error reads
 * {@code FILE:LINE: path.to[3].field: message}, and one pass finds them all.
 *
 * @param <T> what a file of this kind reads into.
 * @param <E> how a file of this kind is refused.
 */
public final class YamlFile<T, E extends YamlFileException>
{
    /**
     * What one kind of file makes of its top level.
     *
     * @param <T> what a file of this kind reads into.
     * @param <E> how a file of this kind is refused.
     */
    @FunctionalInterface
    public interface Body<T, E extends YamlFileException>
    {
        /**
         * Builds the value from the top-level fields ({@code root} is their mapping, the place to name for a missing
         * one). Errors go to {@code fields}; once there is one, the file is refused and the value returned (which may
         * be null) is not used.
         */
        T read(YamlFields fields, Node root, Map<String, Node> top) throws E;
    }

    private final Set<String> topFields;
    private final Function<List<String>, E> refusal;
    private final Body<T, E> body;

    /**
     * @param topFields the fields the top level may have; any other is an error.
     * @param refusal   the exception that refuses a file with these errors.
     * @param body      what the kind makes of the top level.
     */
    public YamlFile(final Set<String> topFields, final Function<List<String>, E> refusal, final Body<T, E> body)
    {
        this.topFields = Set.copyOf(topFields);
        this.refusal = refusal;
        this.body = body;
    }

    /** Reads and validates a file; errors name it by its file name. */
    public T read(final Path file) throws E
    {
        final YamlFields fields = new YamlFields(YamlSource.displayName(file));
        return read(fields, fields.open(file));
    }

    /** Reads and validates text; {@code fileName} names it in errors. */
    public T parse(final String fileName, final Reader text) throws E
    {
        return read(new YamlFields(fileName), text);
    }

    /** {@code text} is null when the file could not be read (the error is already recorded). */
    private T read(final YamlFields fields, final Reader text) throws E
    {
        final Node root = fields.document(text);
        final Map<String, Node> top = root == null ? null : fields.mapping(root, "", topFields);
        if (top == null)
        {
            throw refusal.apply(fields.errors());
        }
        final T value = body.read(fields, root, top);
        if (fields.hasErrors())
        {
            throw refusal.apply(fields.errors());
        }
        return value;
    }
}
