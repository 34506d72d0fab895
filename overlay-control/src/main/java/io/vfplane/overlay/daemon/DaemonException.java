package io.vfplane.overlay.daemon;

/**
 * The daemon could not start; the message says why in words an operator can act on. Nothing it had made is left.
 */
public final class DaemonException extends Exception
{
    private static final long serialVersionUID = 1L;

    public DaemonException(final String message)
    {
        super(message);
    }

    public DaemonException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
