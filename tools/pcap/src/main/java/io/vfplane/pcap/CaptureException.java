package io.vfplane.pcap;

/**
 * Thrown when a capture file cannot be opened: missing, unreadable, not a capture, or a link type that is not
 * supported. The message names the problem but not the file; callers prefix the file name as the user gave it.
 */
public final class CaptureException extends Exception
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message one-line explanation.
     */
    public CaptureException(final String message)
    {
        super(message);
    }

    /**
     * @param message one-line explanation.
     * @param cause   underlying failure.
     */
    public CaptureException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
