package io.vfplane.encap.config;

import java.util.List;

/**
 * A YAML file failed validation. Each error reads {@code FILE:LINE: path.to[3].field: message}; nothing from the file
 * was applied. Each kind of file has its own subclass, so a caller catches the kind it reads.
 */
public abstract class YamlFileException extends Exception
{
    private static final long serialVersionUID = 1L;

    private final List<String> errors;

    protected YamlFileException(final List<String> errors)
    {
        super(String.join("\n", errors));
        this.errors = List.copyOf(errors);
    }

    /** Every error found, in the order found. */
    public List<String> errors()
    {
        return errors;
    }
}
