package io.vfplane.overlay.config;

import java.util.List;

import io.vfplane.encap.config.YamlFileException;

/**
 * A host config failed validation. Each error reads {@code FILE:LINE: path.to[3].field: message}, in the style of the
 * rule file's errors; the daemon starts nothing from a config that fails.
 */
public final class HostConfigException extends YamlFileException
{
    private static final long serialVersionUID = 1L;

    public HostConfigException(final List<String> errors)
    {
        super(errors);
    }
}
