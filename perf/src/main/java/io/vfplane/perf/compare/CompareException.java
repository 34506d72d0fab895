package io.vfplane.perf.compare;

/**
 * A comparison that cannot run or whose peer gave no usable figure; its message says why, in one line, for the user.
 */
public final class CompareException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public CompareException(final String message)
    {
        super(message);
    }
}
