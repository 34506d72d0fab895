package io.vfplane.tsorsc;

import org.agrona.MutableDirectBuffer;

/**
 * Rewrites a declared opaque field of the outer headers for each segment of a segmented frame (for example to carry
 * virtualization metadata in full on some segments and a short hash of it on the others). The segmenter calls it
 * once per segment after copying the headers; the field holds the bytes of the original frame when it is called.
 */
@FunctionalInterface
public interface OpaqueFieldWriter
{
    /**
     * @param buffer       holding the segment.
     * @param fieldOffset  absolute offset of the opaque field in buffer.
     * @param fieldLength  its length.
     * @param segmentIndex 0 for the first segment.
     * @param segmentCount segments the frame is cut into.
     */
    void write(MutableDirectBuffer buffer, int fieldOffset, int fieldLength, int segmentIndex, int segmentCount);
}
