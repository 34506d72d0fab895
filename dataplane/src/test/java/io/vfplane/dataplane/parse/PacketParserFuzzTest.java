package io.vfplane.dataplane.parse;

import io.vfplane.dataplane.testsupport.Corpus;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The parser must never throw and never read outside the captured bytes. The buffer handed to it ends exactly at the
 * captured end (Agrona's bounds checks are on in tests), so any read beyond capturedLength would throw here.
 */
class PacketParserFuzzTest
{
    private static final int[] LINK_TYPES =
        {LinkType.ETHERNET, LinkType.RAW, LinkType.LINUX_SLL, LinkType.IPV4, LinkType.IPV6, 0, 12};

    private final PacketParser parser = new PacketParser();
    private final ParseResult result = new ParseResult();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[0]);
    private long parses;

    private void parseChecked(final byte[] frame, final int offset, final int capturedLength, final int linkType)
    {
        // The view stops right at the captured end: reading past it throws IndexOutOfBoundsException.
        buffer.wrap(frame, 0, offset + capturedLength);
        final DropReason reason = parser.parse(buffer, offset, capturedLength, linkType, result);
        parses++;
        assertEquals(reason, result.dropReason());
        assertEquals(offset + capturedLength, result.capturedEnd());
        assertTrue(result.layerCount() <= ParseResult.MAX_LAYERS);
        int previousEnd = offset;
        for (int i = 0; i < result.layerCount(); i++)
        {
            final int start = result.layerOffset(i);
            final int end = start + result.layerHeaderLength(i);
            assertTrue(start >= previousEnd, "layers overlap");
            assertTrue(end <= result.layerLimit(i), "header beyond its limit");
            assertTrue(result.layerLimit(i) <= offset + capturedLength, "limit beyond captured end");
            previousEnd = end;
        }
        assertTrue(result.payloadOffset() >= offset && result.payloadOffset() <= offset + capturedLength);
    }

    private static List<CaptureFrames.Frame> corpusFrames() throws IOException
    {
        final List<CaptureFrames.Frame> frames = new ArrayList<>();
        for (final Path p : Corpus.allCaptures())
        {
            frames.addAll(CaptureFrames.read(p));
        }
        return frames;
    }

    @Test
    void shouldNeverThrowOnCorpusFramesCutAtEveryCapturedLength() throws IOException
    {
        for (final CaptureFrames.Frame f : corpusFrames())
        {
            final byte[] data = f.data();
            for (int length = 0; length <= data.length; length++)
            {
                parseChecked(data, 0, length, f.linkType());
            }
        }
        assertTrue(parses > 500_000, "parses: " + parses);
    }

    @Test
    void shouldNeverThrowOnMutatedCorpusFramesAtOddOffsets() throws IOException
    {
        final Random random = new Random(42);
        for (final CaptureFrames.Frame f : corpusFrames())
        {
            final int offset = 1 + random.nextInt(7);
            final int length = Math.min(f.data().length, 320);
            final byte[] mutated = new byte[offset + length];
            for (int round = 0; round < 40; round++)
            {
                System.arraycopy(f.data(), 0, mutated, offset, length);
                final int flips = 1 + random.nextInt(4);
                for (int i = 0; i < flips; i++)
                {
                    final int at = offset + random.nextInt(Math.max(1, Math.min(length, 128)));
                    if (at < mutated.length)
                    {
                        mutated[at] = (byte)(random.nextBoolean() ? random.nextInt(256) : mutated[at] ^ (1 << random.nextInt(8)));
                    }
                }
                for (int cut = 0; cut <= length; cut += 1 + (round & 3))
                {
                    parseChecked(mutated, offset, cut, f.linkType());
                }
            }
        }
        assertTrue(parses > 1_000_000, "parses: " + parses);
    }

    @Test
    void shouldNeverThrowOnRandomBytes()
    {
        final Random random = new Random(7);
        final byte[] frame = new byte[512];
        int dropped = 0;
        for (int i = 0; i < 200_000; i++)
        {
            random.nextBytes(frame);
            final int offset = random.nextInt(9);
            final int length = random.nextInt(frame.length - offset);
            parseChecked(frame, offset, length, LINK_TYPES[i % LINK_TYPES.length]);
            if (!result.ok())
            {
                dropped++;
            }
        }
        assertTrue(dropped > 0);
    }

    @Test
    void shouldNotReadBeyondBufferCapacityWhenCapturedLengthLies()
    {
        final byte[] frame = new byte[20];
        buffer.wrap(frame);
        // A captured length beyond the buffer is clamped to the buffer's capacity.
        assertEquals(DropReason.NONE, parser.parse(buffer, 0, 1000, LinkType.ETHERNET, result));
        assertEquals(20, result.capturedEnd());
        assertEquals(DropReason.TRUNCATED, parser.parse(buffer, 30, 10, LinkType.ETHERNET, result));
        assertEquals(DropReason.TRUNCATED, parser.parse(buffer, -1, 10, LinkType.ETHERNET, result));
        assertEquals(DropReason.TRUNCATED, parser.parse(buffer, 0, -5, LinkType.ETHERNET, result));
    }
}
