package io.vfplane.encap.config;

import java.io.Reader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The field helpers every vfplane YAML file reader shares (rule files, host configs), over the node tree
 * {@link YamlSource#compose} gives. One instance reads one file: it holds the file's name and the errors found so far.
 *
 * <p>Every error reads {@code FILE:LINE: path.to[3].field: message}. Each helper reports its own error and returns a
 * sentinel (null, or the caller's "absent" value), so the caller carries on and one pass finds every error in the
 * file, not just the first; the caller refuses the whole file when {@link #hasErrors()}.
 *
 * <p>Values the user wrote are quoted in messages ({@code "02:00:zz" is not a MAC address}) so an empty or odd value
 * still reads clearly; numbers that parsed but are out of range are not.
 */
public final class YamlFields
{
    private static final long MULTICAST_BIT = 0x0100_0000_0000L;

    private final String fileName;
    private final List<String> errors = new ArrayList<>();
    /** The line of every mapping, list, item and field seen: an error about a missing field still names a line. */
    private final Map<String, Integer> lines = new HashMap<>();

    /** Helpers for one file; {@code fileName} names it in every error. */
    public YamlFields(final String fileName)
    {
        this.fileName = fileName;
    }

    public String fileName()
    {
        return fileName;
    }

    /** The errors so far, in the order found. */
    public List<String> errors()
    {
        return Collections.unmodifiableList(errors);
    }

    public int errorCount()
    {
        return errors.size();
    }

    public boolean hasErrors()
    {
        return !errors.isEmpty();
    }

    /** {@code key} under {@code path}; the top level has the empty path. */
    public static String child(final String path, final String key)
    {
        return path.isEmpty() ? key : path + "." + key;
    }

    /**
     * Records an error at {@code node}'s line; without a node (a missing field), at the line of the nearest enclosing
     * field or item seen.
     */
    public void error(final Node node, final String path, final String message)
    {
        final int line = node == null ? lineOf(path) : lineOf(node);
        errors.add(fileName + ":" + line + ": " + (path.isEmpty() ? "" : path + ": ") + message);
    }

    /** The line of {@code path}, or of the nearest enclosing field or item seen; 1 when none was. */
    public int lineOf(final String path)
    {
        String p = path;
        while (true)
        {
            final Integer line = lines.get(p);
            if (line != null)
            {
                return line;
            }
            final int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            if (cut <= 0)
            {
                return lines.getOrDefault(p, 1);
            }
            p = p.substring(0, cut);
        }
    }

    private static int lineOf(final Node node)
    {
        return node.getStartMark().getLine() + 1;
    }

    // ------------------------------------------------------------------------------------------------------------
    // the document
    // ------------------------------------------------------------------------------------------------------------

    /** The text of {@code file}; null, with the error recorded, when it cannot be read. */
    public Reader open(final Path file)
    {
        try
        {
            return YamlSource.open(file);
        }
        catch (final YamlSource.Refused ex)
        {
            errors.add(ex.line());
            return null;
        }
    }

    /**
     * The root node of the document in {@code text}; null, with the error recorded, when it is not YAML or is empty.
     * Null without a new error when {@code text} is (the file could not be {@link #open opened}).
     */
    public Node document(final Reader text)
    {
        if (text == null)
        {
            return null;
        }
        try
        {
            return YamlSource.compose(fileName, text);
        }
        catch (final YamlSource.Refused ex)
        {
            errors.add(ex.line());
            return null;
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // structure
    // ------------------------------------------------------------------------------------------------------------

    /**
     * The fields of a mapping by name, in file order; null (with an error) when {@code node} is not a mapping. A key
     * outside {@code allowed} is an error and is left out; the others are still read.
     */
    public Map<String, Node> mapping(final Node node, final String path, final Set<String> allowed)
    {
        final String where = path.isEmpty() ? "(top level)" : path;
        if (node != null)
        {
            lines.put(path, lineOf(node));
        }
        if (!(node instanceof MappingNode mappingNode))
        {
            error(node, where, "expected a mapping");
            return null;
        }
        final Map<String, Node> m = new LinkedHashMap<>();
        for (final NodeTuple tuple : mappingNode.getValue())
        {
            if (!(tuple.getKeyNode() instanceof ScalarNode key))
            {
                error(tuple.getKeyNode(), where, "keys must be plain names");
                continue;
            }
            final String childPath = child(path, key.getValue());
            if (!allowed.contains(key.getValue()))
            {
                error(key, childPath, "unknown field (allowed: " + String.join(", ", new TreeSet<>(allowed)) + ")");
                continue;
            }
            lines.put(childPath, lineOf(tuple.getValueNode()));
            m.put(key.getValue(), tuple.getValueNode());
        }
        return m;
    }

    /** The items of a list; null (with an error) when {@code node} is not a list. */
    public List<Node> sequence(final Node node, final String path)
    {
        if (node != null)
        {
            lines.put(path, lineOf(node));
        }
        if (!(node instanceof SequenceNode seq))
        {
            error(node, path, "expected a list");
            return null;
        }
        final List<Node> items = seq.getValue();
        for (int i = 0; i < items.size(); i++)
        {
            lines.put(path + "[" + i + "]", lineOf(items.get(i)));
        }
        return items;
    }

    /** What a reader makes of one item of a list of mappings. */
    @FunctionalInterface
    public interface Item
    {
        /**
         * @param index the item's place in the list.
         * @param path  the item's path, {@code list[index]}.
         * @param node  the item: the place to name for a field it is missing.
         * @param m     its fields by name, in file order, as {@link #mapping} gives them.
         */
        void read(int index, String path, Node node, Map<String, Node> m);
    }

    /**
     * Reads a list of mappings one item at a time, in file order, so the errors come in file order too: each item that
     * is a mapping of {@code allowed} fields goes to {@code item}; one that is not is an error and is skipped. No items
     * when {@code node} is null (the list is absent); an error when it is not a list.
     */
    public void mappings(final Node node, final String path, final Set<String> allowed, final Item item)
    {
        if (node == null)
        {
            return;
        }
        final List<Node> items = sequence(node, path);
        for (int i = 0; items != null && i < items.size(); i++)
        {
            final String itemPath = path + "[" + i + "]";
            final Map<String, Node> m = mapping(items.get(i), itemPath, allowed);
            if (m != null)
            {
                item.read(i, itemPath, items.get(i), m);
            }
        }
    }

    /** An error for each of {@code keys} missing from {@code m}, at the line of {@code node} (the mapping). */
    public void require(final Map<String, Node> m, final Node node, final String path, final String... keys)
    {
        for (final String k : keys)
        {
            if (!m.containsKey(k))
            {
                error(node, child(path, k), "is required");
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // scalars
    // ------------------------------------------------------------------------------------------------------------

    /** The trimmed text of a single value; null (with an error) when {@code node} is a list or a mapping. */
    public String scalar(final Node node, final String path)
    {
        if (!(node instanceof ScalarNode s))
        {
            error(node, path, "expected a single value");
            return null;
        }
        return s.getValue().trim();
    }

    /** Whether {@code node} is the single value {@code word}; never an error. */
    public static boolean isWord(final Node node, final String word)
    {
        return node instanceof ScalarNode s && word.equals(s.getValue().trim());
    }

    /** The text of field {@code key}; null when it is absent or not a single value. */
    public String string(final Map<String, Node> m, final String key, final String path)
    {
        final Node node = m.get(key);
        return node == null ? null : scalar(node, child(path, key));
    }

    /** Field {@code key}, which must be one of {@code allowed}; {@code absent} when it is missing or on error. */
    public String word(
        final Map<String, Node> m, final String key, final String path, final String absent, final String... allowed)
    {
        final String text = string(m, key, path);
        if (text == null)
        {
            return absent;
        }
        for (final String a : allowed)
        {
            if (a.equals(text))
            {
                return a;
            }
        }
        error(m.get(key), child(path, key), quote(text) + " is not one of " + String.join(", ", allowed));
        return absent;
    }

    /** Field {@code key} as on/off (also true/false, yes/no); {@code absent} when it is missing or on error. */
    public boolean bool(final Map<String, Node> m, final String key, final String path, final boolean absent)
    {
        final String text = string(m, key, path);
        if (text == null)
        {
            return absent;
        }
        return switch (text.toLowerCase(Locale.ROOT))
        {
            case "on", "true", "yes" -> true;
            case "off", "false", "no" -> false;
            default ->
            {
                error(m.get(key), child(path, key), quote(text) + " is not on/off");
                yield absent;
            }
        };
    }

    /**
     * A decimal or 0x-hex integer in [min, max] ({@code _} may group digits); {@code onError} (with an error) when it
     * is not one.
     */
    public long number(final Node node, final String path, final long min, final long max, final long onError)
    {
        final String text = scalar(node, path);
        if (text == null)
        {
            return onError;
        }
        final long value;
        try
        {
            if (text.startsWith("0x") || text.startsWith("0X"))
            {
                value = Long.parseLong(text.substring(2).replace("_", ""), 16);
            }
            else
            {
                value = Long.parseLong(text.replace("_", ""));
            }
        }
        catch (final NumberFormatException ex)
        {
            error(node, path, quote(text) + " is not a number");
            return onError;
        }
        if (value < min || value > max)
        {
            error(node, path, value + " is out of range " + min + ".." + max);
            return onError;
        }
        return value;
    }

    /** Field {@code key} as {@link #number}; {@code absent} when it is missing or on error. */
    public long integer(final Map<String, Node> m, final String key, final String path, final long min,
        final long max, final long absent)
    {
        final Node node = m.get(key);
        return node == null ? absent : number(node, child(path, key), min, max, absent);
    }

    /**
     * A MAC address, six pairs of hex digits split by {@code :} or {@code -}, as 48 bits; -1 (with an error) when it
     * is not one.
     */
    public long mac(final Node node, final String path)
    {
        final String text = scalar(node, path);
        if (text == null)
        {
            return -1;
        }
        final long mac = parseMac(text);
        if (mac < 0)
        {
            error(node, path, quote(text) + " is not a MAC address");
        }
        return mac;
    }

    /** As {@link #mac}, refusing a multicast (or broadcast) address: for a station's own address. */
    public long unicastMac(final Node node, final String path)
    {
        final long mac = mac(node, path);
        if (mac >= 0 && (mac & MULTICAST_BIT) != 0)
        {
            error(node, path, quote(((ScalarNode)node).getValue().trim()) + " is a multicast address");
            return -1;
        }
        return mac;
    }

    /**
     * An IP address literal (never a host name) in network order; {@code family} 4 or 16 demands that many bytes, 0
     * takes either. Null (with an error) when it is not one.
     */
    public byte[] address(final Node node, final String path, final int family)
    {
        final String text = scalar(node, path);
        if (text == null)
        {
            return null;
        }
        final byte[] a = parseAddress(text);
        if (a == null || (family != 0 && a.length != family))
        {
            final String kind = family == 4 ? "an IPv4" : family == 16 ? "an IPv6" : "an IP";
            error(node, path, quote(text) + " is not " + kind + " address");
            return null;
        }
        return a;
    }

    /** Field {@code key} as {@link #address(Node, String, int)}; null when it is missing or on error. */
    public byte[] address(final Map<String, Node> m, final String key, final String path, final int family)
    {
        final Node node = m.get(key);
        return node == null ? null : address(node, child(path, key), family);
    }

    // ------------------------------------------------------------------------------------------------------------
    // parsers (no errors recorded)
    // ------------------------------------------------------------------------------------------------------------

    /** Parses a literal IPv4 or IPv6 address without name resolution; null if it is not one. */
    public static byte[] parseAddress(final String text)
    {
        if (text.isEmpty())
        {
            return null;
        }
        if (text.indexOf(':') < 0)
        {
            final String[] parts = text.split("\\.", -1);
            if (parts.length != 4)
            {
                return null;
            }
            final byte[] a = new byte[4];
            for (int i = 0; i < 4; i++)
            {
                if (parts[i].isEmpty() || parts[i].length() > 3 || !parts[i].chars().allMatch(Character::isDigit))
                {
                    return null;
                }
                final int v = Integer.parseInt(parts[i]);
                if (v > 255)
                {
                    return null;
                }
                a[i] = (byte)v;
            }
            return a;
        }
        if (!text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.'))
        {
            return null;
        }
        try
        {
            // a literal with only hex digits, colons and dots is never looked up in DNS
            final byte[] a = InetAddress.getByName(text).getAddress();
            if (a.length == 4)
            {
                // ::ffff:a.b.c.d comes back as IPv4: keep it an IPv6 address as written
                final byte[] mapped = new byte[16];
                mapped[10] = (byte)0xFF;
                mapped[11] = (byte)0xFF;
                System.arraycopy(a, 0, mapped, 12, 4);
                return mapped;
            }
            return a;
        }
        catch (final UnknownHostException ex)
        {
            return null;
        }
    }

    /** Parses six pairs of hex digits split by {@code :} or {@code -} into 48 bits; -1 if it is not a MAC address. */
    public static long parseMac(final String text)
    {
        final String[] parts = text.split("[:-]", -1);
        if (parts.length != 6)
        {
            return -1;
        }
        long v = 0;
        for (final String p : parts)
        {
            if (p.length() != 2 || Character.digit(p.charAt(0), 16) < 0 || Character.digit(p.charAt(1), 16) < 0)
            {
                return -1;
            }
            v = v << 8 | Integer.parseInt(p, 16);
        }
        return v;
    }

    private static String quote(final String text)
    {
        return "\"" + text + "\"";
    }
}
