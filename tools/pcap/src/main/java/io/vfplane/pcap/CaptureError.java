package io.vfplane.pcap;

/**
 * Why reading a capture stopped before the end of the file. Created once per file, never per record.
 *
 * @param kind         what went wrong.
 * @param recordsRead  records delivered before the error.
 * @param filePosition byte offset in the file where the bad record or block starts.
 * @param message      a one-line explanation without the file name (the caller knows the name as the user gave it).
 */
public record CaptureError(Kind kind, long recordsRead, long filePosition, String message)
{
    /**
     * Kinds of capture errors.
     */
    public enum Kind
    {
        /** The file ends inside a record header or block header. */
        TRUNCATED_HEADER,
        /** The file ends inside a record's data or a block's body. */
        TRUNCATED_DATA,
        /** A length field or block structure is impossible. */
        MALFORMED,
        /** An interface uses a link type that is not supported. */
        UNSUPPORTED_LINK_TYPE,
        /** Reading the file failed at the operating system level. */
        IO
    }
}
