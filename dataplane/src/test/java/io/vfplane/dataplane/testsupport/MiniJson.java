package io.vfplane.dataplane.testsupport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny strict JSON parser for checking what the commands print, in tests of every module (objects as LinkedHashMap
 * with duplicate keys refused, arrays as List, integers as Long, numbers with a fraction or exponent as Double,
 * strings, booleans, null). Rejects trailing garbage, so it also checks the output is valid JSON.
 */
public final class MiniJson
{
    private final String text;
    private int at;

    private MiniJson(final String text)
    {
        this.text = text;
    }

    /**
     * @param text one JSON value.
     * @return the value.
     */
    public static Object parse(final String text)
    {
        final MiniJson parser = new MiniJson(text);
        final Object value = parser.value();
        parser.skipSpace();
        if (parser.at != text.length())
        {
            throw new IllegalArgumentException("trailing characters at " + parser.at + ": " + text);
        }
        return value;
    }

    /**
     * @param text a JSON object.
     * @return it as a map.
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(final String text)
    {
        return (Map<String, Object>)parse(text);
    }

    private Object value()
    {
        skipSpace();
        final char c = peek();
        if (c == '{')
        {
            at++;
            final Map<String, Object> map = new LinkedHashMap<>();
            skipSpace();
            if (peek() == '}')
            {
                at++;
                return map;
            }
            while (true)
            {
                skipSpace();
                final String key = string();
                skipSpace();
                expect(':');
                if (map.put(key, value()) != null)
                {
                    throw new IllegalArgumentException("duplicate key " + key);
                }
                skipSpace();
                if (peek() == ',')
                {
                    at++;
                    continue;
                }
                expect('}');
                return map;
            }
        }
        if (c == '[')
        {
            at++;
            final List<Object> list = new ArrayList<>();
            skipSpace();
            if (peek() == ']')
            {
                at++;
                return list;
            }
            while (true)
            {
                list.add(value());
                skipSpace();
                if (peek() == ',')
                {
                    at++;
                    continue;
                }
                expect(']');
                return list;
            }
        }
        if (c == '"')
        {
            return string();
        }
        if (text.startsWith("null", at))
        {
            at += 4;
            return null;
        }
        if (text.startsWith("true", at))
        {
            at += 4;
            return Boolean.TRUE;
        }
        if (text.startsWith("false", at))
        {
            at += 5;
            return Boolean.FALSE;
        }
        final int start = at;
        if (peek() == '-')
        {
            at++;
        }
        while (at < text.length() && Character.isDigit(text.charAt(at)))
        {
            at++;
        }
        if (start == at || (text.charAt(start) == '-' && at == start + 1))
        {
            throw new IllegalArgumentException("unexpected '" + c + "' at " + at + ": " + text);
        }
        boolean real = false;
        while (at < text.length() && ".eE+-0123456789".indexOf(text.charAt(at)) >= 0)
        {
            real = true;
            at++;
        }
        return real ? (Object)Double.valueOf(text.substring(start, at)) : (Object)Long.valueOf(text.substring(start, at));
    }

    private String string()
    {
        expect('"');
        final StringBuilder sb = new StringBuilder();
        while (true)
        {
            final char c = text.charAt(at++);
            if (c == '"')
            {
                return sb.toString();
            }
            if (c == '\\')
            {
                final char e = text.charAt(at++);
                switch (e)
                {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'u' ->
                    {
                        sb.append((char)Integer.parseInt(text.substring(at, at + 4), 16));
                        at += 4;
                    }
                    default -> sb.append(e);
                }
            }
            else if (c < 0x20)
            {
                throw new IllegalArgumentException("control character in string at " + at);
            }
            else
            {
                sb.append(c);
            }
        }
    }

    private void expect(final char c)
    {
        if (peek() != c)
        {
            throw new IllegalArgumentException("expected '" + c + "' at " + at + ": " + text);
        }
        at++;
    }

    private char peek()
    {
        if (at >= text.length())
        {
            throw new IllegalArgumentException("unexpected end: " + text);
        }
        return text.charAt(at);
    }

    private void skipSpace()
    {
        while (at < text.length() && Character.isWhitespace(text.charAt(at)))
        {
            at++;
        }
    }
}
