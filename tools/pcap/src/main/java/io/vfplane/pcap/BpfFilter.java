package io.vfplane.pcap;

import org.agrona.DirectBuffer;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

/**
 * A BPF filter expression compiled by libpcap (through Pcap4J, on a "dead" handle for the capture's link type) and
 * applied to records in memory. libpcap is loaded only when a filter is compiled, so reading captures never needs it.
 * <p>
 * Applying copies the record into a reusable array, because Pcap4J's {@code bpf_filter} binding takes a byte array.
 */
public final class BpfFilter implements AutoCloseable
{
    private final String expression;
    private final int linkType;
    private final BpfProgram program;
    private byte[] scratch = new byte[2048];

    private BpfFilter(final String expression, final int linkType, final BpfProgram program)
    {
        this.expression = expression;
        this.linkType = linkType;
        this.program = program;
    }

    /**
     * Compile a filter expression for a link type.
     *
     * @param expression tcpdump filter syntax, e.g. {@code "udp port 4789"}.
     * @param linkType   LINKTYPE_* of the records it will see.
     * @param snaplen    snapshot length given to libpcap.
     * @return the compiled filter.
     * @throws BpfException if libpcap is missing or the expression does not compile; the message says which.
     */
    public static BpfFilter compile(final String expression, final int linkType, final int snaplen)
        throws BpfException
    {
        final PcapHandle handle;
        try
        {
            handle = Pcaps.openDead(DataLinkType.getInstance(dlt(linkType)), snaplen);
        }
        catch (final LinkageError ex)
        {
            throw new BpfException("--filter needs libpcap, which could not be loaded (" + ex.getMessage() +
                "); install libpcap (Debian: libpcap0.8)", ex);
        }
        catch (final Exception ex)
        {
            throw new BpfException("libpcap cannot open a handle for link type " + linkType + ": " +
                ex.getMessage(), ex);
        }
        try
        {
            final BpfProgram program = handle.compileFilter(
                expression, BpfProgram.BpfCompileMode.OPTIMIZE, PcapHandle.PCAP_NETMASK_UNKNOWN);
            return new BpfFilter(expression, linkType, program);
        }
        catch (final Exception ex)
        {
            throw new BpfException("invalid filter '" + expression + "': " + ex.getMessage(), ex);
        }
        finally
        {
            handle.close();
        }
    }

    /**
     * libpcap's pcap_open_dead takes a DLT_ value, not the LINKTYPE_ value a file holds; they differ for raw IP:
     * LINKTYPE_RAW (101) is DLT_RAW, which is 12 on Linux (14 on OpenBSD, whose files libpcap maps the same way).
     */
    static int dlt(final int linkType)
    {
        return switch (linkType)
        {
            case 101, 14 -> 12;
            default -> linkType;
        };
    }

    /**
     * @param buffer         record bytes.
     * @param offset         first byte.
     * @param capturedLength bytes captured.
     * @param originalLength length on the wire.
     * @return true if the filter accepts the record.
     */
    public boolean matches(final DirectBuffer buffer, final int offset, final int capturedLength,
        final int originalLength)
    {
        if (scratch.length < capturedLength)
        {
            scratch = new byte[Math.max(capturedLength, scratch.length * 2)];
        }
        buffer.getBytes(offset, scratch, 0, capturedLength);
        return program.applyFilter(scratch, Math.max(originalLength, capturedLength), capturedLength);
    }

    /**
     * @return the expression as given.
     */
    public String expression()
    {
        return expression;
    }

    /**
     * @return the link type it was compiled for.
     */
    public int linkType()
    {
        return linkType;
    }

    @Override
    public void close()
    {
        program.free();
    }

    /**
     * A filter could not be compiled, or libpcap is not available.
     */
    public static final class BpfException extends Exception
    {
        private static final long serialVersionUID = 1L;

        BpfException(final String message, final Throwable cause)
        {
            super(message, cause);
        }
    }
}
