package io.vfplane.perf.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatencyRecorderTest
{
    @Test
    void shouldCloseAnIntervalOnlyAtTheWritersBatchBoundary()
    {
        final LatencyRecorder recorder = new LatencyRecorder();
        recorder.record(100);
        recorder.record(200);

        assertNull(recorder.interval(1_000_000), "no batch boundary yet");

        recorder.record(300); // still before the boundary: part of the pending interval
        recorder.endOfBatch();
        recorder.record(5_000); // the next interval
        final Histogram first = recorder.interval(1_000_000);

        assertEquals(3, first.getTotalCount());
        assertEquals(300, first.getMaxValue(), 1);
        assertNull(recorder.interval(1_000), "the writer has not seen the request yet");
        recorder.endOfBatch();
        final Histogram second = recorder.interval(1_000_000);
        assertEquals(1, second.getTotalCount());
        assertEquals(5_000, second.getMaxValue(), 5);
    }

    @Test
    void shouldHandEverythingUnreadToTheReaderOnceTheWriterStopped()
    {
        final LatencyRecorder recorder = new LatencyRecorder();
        recorder.record(10);
        assertNull(recorder.interval(1_000)); // request left pending
        recorder.endOfBatch(); // the writer serves it after the reader gave up
        recorder.record(20);
        final Histogram rest = new Histogram(LatencyRecorder.HIGHEST, LatencyRecorder.DIGITS);

        recorder.drainStopped(rest);

        assertEquals(2, rest.getTotalCount());
    }

    @Test
    void shouldClampNegativeAndHugeLatencies()
    {
        final LatencyRecorder recorder = new LatencyRecorder();
        recorder.record(-5);
        recorder.record(Long.MAX_VALUE);
        final Histogram all = new Histogram(LatencyRecorder.HIGHEST, LatencyRecorder.DIGITS);
        recorder.drainStopped(all);
        assertEquals(2, all.getTotalCount());
        assertEquals(0, all.getMinValue());
    }
}
