package io.vfplane.perf.harness;

import java.util.List;
import java.util.Map;

import org.HdrHistogram.Histogram;

/**
 * The figures of one run. Rates are over the measured window (after the warm-up), in the scenario's unit.
 *
 * @param scenario          the scenario's name.
 * @param description       what the pipeline does.
 * @param unit              what a packet is ("packets", or "segments" for TSO and RSC).
 * @param settings          the settings, one line for the report.
 * @param packets           packets that reached the sink in the window.
 * @param seconds           the window.
 * @param pps               packets / seconds.
 * @param bps               bits of the frames that left by the sink / seconds.
 * @param nsPerPacket       time the pipeline's stages spent in their batches (the engine's own runtime counters, as
 *                          {@code show pipeline} prints them), summed over the stages, per packet: the data path's
 *                          cost per packet, without the time its threads spent idle (1e9 / this = packets per second
 *                          per fully busy core).
 * @param stageCpuNs        CPU time of the stage threads in the window (with busy-spin, idle spinning included).
 * @param stages            per stage: packets handed to it and nanoseconds in its batches, in the window.
 * @param limitPps          the limit loop's rate, or null without one.
 * @param limitDescription  what the limit loop does, or null.
 * @param limitPackets      packets the limit loop did in its window.
 * @param limitSeconds      its window.
 * @param limitCpuNs        its thread's CPU time in its window.
 * @param latency           generation-to-sink latency, ns, of every packet after the warm-up.
 * @param coCorrected       latencies count from the intended send time (fixed rate).
 * @param threads           CPU time per thread in the window.
 * @param drops             non-zero drop and refusal counters of the pipeline, its stages and outputs.
 * @param poolInFlight      buffers still taken after the pipeline closed (0: none lost), all pools.
 * @param generated         packets the generator offered in the whole run.
 * @param generatorPoolWaits times the generator found the pool empty.
 * @param loadBefore        /proc/loadavg before the run.
 * @param loadAfter         /proc/loadavg after.
 */
record RunResult(
    String scenario,
    String description,
    String unit,
    String settings,
    long packets,
    double seconds,
    double pps,
    double bps,
    double nsPerPacket,
    long stageCpuNs,
    List<StageCost> stages,
    Double limitPps,
    String limitDescription,
    long limitPackets,
    double limitSeconds,
    long limitCpuNs,
    Histogram latency,
    boolean coCorrected,
    List<ThreadCpu> threads,
    Map<String, Long> drops,
    long poolInFlight,
    long generated,
    long generatorPoolWaits,
    String loadBefore,
    String loadAfter)
{
    /** One stage's share over the measured window. */
    record StageCost(String name, long packets, long nanos)
    {
    }

    /**
     * CPU time of one thread over the measured window, and the heap bytes it allocated there (-1 when the JVM does
     * not tell): the generator and the data path should allocate nothing per packet.
     */
    record ThreadCpu(String name, long cpuNs, long allocatedBytes)
    {
    }
}
