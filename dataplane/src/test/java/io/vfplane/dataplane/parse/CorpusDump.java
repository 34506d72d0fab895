package io.vfplane.dataplane.parse;

import io.vfplane.dataplane.testsupport.Corpus;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;

/** Prints the parse of every corpus frame: a developer aid for comparing with tshark, not a test. */
final class CorpusDump
{
    public static void main(final String[] args) throws Exception
    {
        final PacketParser parser = new PacketParser();
        final ParseResult r = new ParseResult();
        for (final Path p : Corpus.allCaptures())
        {
            for (final CaptureFrames.Frame f : CaptureFrames.read(p))
            {
                parser.parse(new UnsafeBuffer(f.data()), 0, f.data().length, f.linkType(), r);
                System.out.println(Corpus.dir().relativize(p) + "\t" + f.index() + "\t" + r.describe());
            }
        }
    }
}
