package io.vfplane.encap.config;

import java.util.List;

/**
 * A rule file failed validation. Each error reads {@code FILE:LINE: path.to[3].field: message}; nothing from the file
 * was applied.
 */
public final class RuleFileException extends YamlFileException
{
    private static final long serialVersionUID = 1L;

    public RuleFileException(final List<String> errors)
    {
        super(errors);
    }
}
