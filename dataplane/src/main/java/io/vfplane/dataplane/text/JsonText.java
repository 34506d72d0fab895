package io.vfplane.dataplane.text;

/**
 * JSON string literals for the hand-written JSON the tools emit (reports, comparisons, the control API): quotes,
 * backslashes and control characters escaped (RFC 8259 section 7). Not for the data path (inspect's JSON lines use
 * it once per field of a packet: it allocates nothing beyond the builder's growth).
 */
public final class JsonText
{
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private JsonText()
    {
    }

    /** {@code s} as a JSON string literal, quotes included. */
    public static String quote(final String s)
    {
        return appendQuoted(new StringBuilder(s.length() + 2), s).toString();
    }

    /** Appends {@code s} as a JSON string literal, quotes included; returns {@code json}. */
    public static StringBuilder appendQuoted(final StringBuilder json, final String s)
    {
        json.append('"');
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            switch (c)
            {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default ->
                {
                    if (c < 0x20)
                    {
                        json.append("\\u00").append(HEX[c >>> 4]).append(HEX[c & 0xF]);
                    }
                    else
                    {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"');
    }
}
