package io.vfplane.pcap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;

import io.vfplane.dataplane.testsupport.Corpus;

/**
 * The corpus INDEX.md table: relative file name to frame count.
 */
public final class CorpusIndex
{
    private CorpusIndex()
    {
    }

    /**
     * @return file (relative to the corpus) to the frame count INDEX.md lists, in the order listed.
     */
    public static Map<String, Integer> frameCounts()
    {
        try
        {
            final Map<String, Integer> counts = new LinkedHashMap<>();
            for (final String line : Files.readAllLines(Corpus.dir().resolve("INDEX.md")))
            {
                final String[] cells = line.split("\\|");
                if (cells.length > 5 && cells[1].trim().matches("[a-z]+/.+\\.pcap(ng)?"))
                {
                    counts.put(cells[1].trim(), Integer.parseInt(cells[4].trim()));
                }
            }
            return counts;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
