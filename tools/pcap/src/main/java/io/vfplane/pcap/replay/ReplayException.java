package io.vfplane.pcap.replay;

/**
 * A replay could not start: the capture is missing or not a capture, the interface or TAP cannot be opened, or the
 * namespace cannot be joined. The message names the file, interface or namespace and the reason, in one line.
 */
public final class ReplayException extends Exception
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message one line naming what failed and why.
     */
    public ReplayException(final String message)
    {
        super(message);
    }

    /**
     * @param message one line naming what failed and why.
     * @param cause   underlying failure.
     */
    public ReplayException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
