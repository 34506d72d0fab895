package io.vfplane.pcap.inspect;

/**
 * The little JSON writing the inspect output needs: quoted strings with escapes (RFC 8259 section 7).
 */
public final class Json
{
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Json()
    {
    }

    /**
     * @param sb    where to append.
     * @param value string to quote and escape.
     */
    public static void appendString(final StringBuilder sb, final String value)
    {
        sb.append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default ->
                {
                    if (c < 0x20)
                    {
                        sb.append("\\u00").append(HEX[c >>> 4]).append(HEX[c & 0xF]);
                    }
                    else
                    {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
