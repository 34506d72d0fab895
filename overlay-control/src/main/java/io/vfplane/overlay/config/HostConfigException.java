package io.vfplane.overlay.config;

import java.util.List;

/**
 * A host config failed validation. Each error reads {@code FILE:LINE: path.to[3].field: message}, in the style of the
 * rule file's errors; the daemon starts nothing from a config that fails.
 */
public final class HostConfigException extends Exception
{
    private static final long serialVersionUID = 1L;

    private final List<String> errors;

    public HostConfigException(final List<String> errors)
    {
        super(String.join("\n", errors));
        this.errors = List.copyOf(errors);
    }

    public List<String> errors()
    {
        return errors;
    }
}
