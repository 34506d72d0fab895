package io.vfplane.encap.config;

import java.util.List;

/**
 * A rule file failed validation. Each error reads {@code FILE:LINE: path.to[3].field: message}; nothing from the file
 * was applied.
 */
public final class RuleFileException extends Exception
{
    private final List<String> errors;

    public RuleFileException(final List<String> errors)
    {
        super(String.join("\n", errors));
        this.errors = List.copyOf(errors);
    }

    public List<String> errors()
    {
        return errors;
    }
}
