package io.vfplane.encap.rules;

/**
 * A rule set cannot be built: names the table ({@code egress} or {@code ingress}), the rule index and the field, so
 * the rule file reader can point at the line.
 */
public final class RuleSetException extends IllegalArgumentException
{
    private final String table;
    private final int index;
    private final String field;
    private final String detail;

    public RuleSetException(final String table, final int index, final String field, final String detail)
    {
        super(table + "[" + index + "]" + (field.isEmpty() ? "" : "." + field) + ": " + detail);
        this.table = table;
        this.index = index;
        this.field = field;
        this.detail = detail;
    }

    public String table()
    {
        return table;
    }

    public int index()
    {
        return index;
    }

    public String field()
    {
        return field;
    }

    public String detail()
    {
        return detail;
    }
}
