/**
 * {@code vfplane perf run}: in-process scenarios measured against their limit loops.
 *
 * <pre>
 *  Templates --copy--> pool slot --Generator (own thread)--> Pipeline ring (BLOCK)
 *      --> [ scenario stages ... -> tx ] --> (segmenting / coalescing output) --> Sink
 *  Sink: counts, latency from the generation stamp into a LatencyRecorder, releases the buffer
 *  Harness: warm-up, measured window (counts, stage runtime counters, ThreadMXBean CPU), hlog intervals,
 *           then the scenario's LimitLoop alone on its own thread
 *  Reports: table, JSON; PercentilePlot: SVG
 * </pre>
 *
 * Nothing on the packet path allocates: the generator reuses one descriptor and copies pre-built frames, the sink
 * records into preallocated histograms, and the generation time travels in the descriptor's timestamp field.
 */
package io.vfplane.perf.harness;
