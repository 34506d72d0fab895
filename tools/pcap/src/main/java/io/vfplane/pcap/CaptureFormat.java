package io.vfplane.pcap;

/**
 * Capture file formats that {@link CaptureReader} recognises by their magic number.
 */
public enum CaptureFormat
{
    /** libpcap format with microsecond timestamps (magic 0xa1b2c3d4). */
    PCAP_MICROS,
    /** libpcap format with nanosecond timestamps (magic 0xa1b23c4d). */
    PCAP_NANOS,
    /** pcapng (block based, section header block type 0x0a0d0d0a). */
    PCAPNG
}
