package io.vfplane.overlay.control;

import java.util.ArrayList;
import java.util.List;
import io.vfplane.dataplane.text.JsonText;

/**
 * The little JSON the control API speaks, by hand: quoting strings out, and reading back the flat objects the API
 * returns ({@code {"ok": true, "text": "...", "errors": ["..."]}}). Control path only.
 */
public final class Json
{
    private Json()
    {
    }

    /** A JSON string literal. */
    public static String quote(final String s)
    {
        return JsonText.quote(s);
    }

    /** A JSON array of strings. */
    public static String array(final List<String> items)
    {
        final StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < items.size(); i++)
        {
            sb.append(i == 0 ? "" : ", ").append(quote(items.get(i)));
        }
        return sb.append(']').toString();
    }

    /**
     * The string value of a top-level {@code "key": "..."} in an object this API wrote, or null.
     */
    public static String stringField(final String json, final String key)
    {
        final int at = json.indexOf(quote(key) + ":");
        if (at < 0)
        {
            return null;
        }
        int i = json.indexOf('"', at + key.length() + 3);
        if (i < 0)
        {
            return null;
        }
        return readString(json, i, new int[1]);
    }

    /** The strings of a top-level {@code "key": ["..", ..]}, or an empty list. */
    public static List<String> stringArray(final String json, final String key)
    {
        final List<String> out = new ArrayList<>();
        final int at = json.indexOf(quote(key) + ":");
        if (at < 0)
        {
            return out;
        }
        int i = json.indexOf('[', at);
        final int[] end = new int[1];
        while (i >= 0)
        {
            final int q = json.indexOf('"', i + 1);
            final int close = json.indexOf(']', i + 1);
            if (q < 0 || (close >= 0 && close < q))
            {
                break;
            }
            out.add(readString(json, q, end));
            i = end[0];
        }
        return out;
    }

    private static String readString(final String json, final int quoteAt, final int[] end)
    {
        final StringBuilder sb = new StringBuilder();
        int i = quoteAt + 1;
        while (i < json.length())
        {
            final char c = json.charAt(i);
            if (c == '"')
            {
                break;
            }
            if (c == '\\' && i + 1 < json.length())
            {
                final char e = json.charAt(++i);
                switch (e)
                {
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' ->
                    {
                        sb.append((char)Integer.parseInt(json.substring(i + 1, i + 5), 16));
                        i += 4;
                    }
                    default -> sb.append(e);
                }
            }
            else
            {
                sb.append(c);
            }
            i++;
        }
        end[0] = i;
        return sb.toString();
    }
}
