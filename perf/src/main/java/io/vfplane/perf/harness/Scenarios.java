package io.vfplane.perf.harness;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.packet.Offload;
import io.vfplane.dataplane.packet.PacketDescriptor;
import io.vfplane.dataplane.parse.PacketParser;
import io.vfplane.dataplane.parse.ParseResult;
import io.vfplane.encap.codec.Decapsulator;
import io.vfplane.encap.codec.Encapsulator;
import io.vfplane.encap.codec.TunnelDrop;
import io.vfplane.encap.format.TunnelFormat;
import io.vfplane.encap.rules.EgressRule;
import io.vfplane.encap.rules.GeneveOption;
import io.vfplane.encap.rules.IngressRule;
import io.vfplane.encap.rules.RuleSet;
import io.vfplane.encap.rules.RuleTables;
import io.vfplane.encap.rules.Tunnel;
import io.vfplane.encap.rules.Underlay;
import io.vfplane.encap.stage.DecapStage;
import io.vfplane.encap.stage.EncapStage;
import io.vfplane.pipeline.PacketBatch;
import io.vfplane.pipeline.Stage;
import io.vfplane.tsorsc.SegmentLayout;
import io.vfplane.tsorsc.gro.CoalescedFrame;
import io.vfplane.tsorsc.gro.Coalescer;
import io.vfplane.tsorsc.gro.CoalescingOutput;
import io.vfplane.tsorsc.gso.SegmentSink;
import io.vfplane.tsorsc.gso.Segmenter;
import io.vfplane.tsorsc.gso.SegmentingOutput;
import io.vfplane.vf.VfEgressStage;
import io.vfplane.vf.VfIngressStage;
import io.vfplane.vf.VfTable;
import io.vfplane.perf.pipeline.NoOpStage;

/**
 * The in-process scenarios of {@code vfplane perf run}. Each runs a generator into one pipeline shard and ends in the
 * sink; each with a header-work core also has a limit loop that does that work alone on the same frames.
 *
 * <pre>
 *  pipeline-noop   gen -> ring -> [ noop -> tx ] -> sink                                   no limit loop
 *  vxlan-encap     gen -> ring -> [ encap -> tx ] -> sink          limit: egress lookup + VXLAN encap
 *  geneve-encap    gen -> ring -> [ encap -> tx ] -> sink          limit: egress lookup + Geneve encap (2 options)
 *  vxlan-decap     gen -> ring -> [ decap -> tx ] -> sink          limit: two-pass decap + ingress lookup, batches
 *  host-path       gen -> ring -> [ vf_egress -> encap -> decap -> vf_ingress -> tx ] -> sink
 *                                                                  limit: encap then decap of each frame
 *  tso             gen -> ring -> [ tx -> segmenting output ] -> sink   64 KiB TCP frames cut into MSS segments
 *                                                                  limit: layout parse + segment (full checksums)
 *  rsc             gen -> ring -> [ tx -> coalescing output ] -> sink   TCP segments merged back per flow
 *                                                                  limit: coalesce + make each frame contiguous
 * </pre>
 *
 * The rule set: {@value Frames#VFS} VFs with {@value Frames#PREFIXES} /24 destination prefixes each, every prefix to
 * its own tunnel (VNI = tunnel + 1); flows are spread over all of them (see {@link Frames}). The underlay MTU is
 * 9000, so 1500-byte guest frames are encapsulated, not dropped as too big. Decap and host-path tunnels point at
 * this host's own underlay address, so the encapsulated frames are ones this host's ingress rules accept.
 */
final class Scenarios
{
    static final List<String> NAMES =
        List.of("pipeline-noop", "vxlan-encap", "vxlan-decap", "geneve-encap", "tso", "rsc", "host-path");

    /** Segments per TSO frame: 45 x 1448 = 65160 bytes of payload at MTU 1500, as a 64 KiB guest write. */
    static final int SEGMENTS = 45;
    private static final int UNDERLAY_MTU = 9000;
    private static final byte[] LOCAL = {(byte)192, 0, 2, 1};
    private static final int UDP_RING = 4096;
    private static final int MAX_BATCH = 256;
    /** Frames the limit loops keep resident (cycled), at most. */
    private static final int LIMIT_FRAMES = 4096;
    /** Flows the RSC limit loop cycles through, at most. */
    private static final int LIMIT_RSC_FLOWS = 16;

    private Scenarios()
    {
    }

    /**
     * @param name  one of {@link #NAMES}.
     * @param sizes {@code --size}.
     * @param flows {@code --flows}.
     * @throws IllegalArgumentException with a one-line message when the scenario cannot run with these settings.
     */
    static Scenario create(final String name, final FrameSizes sizes, final int flows)
    {
        if (flows < 1)
        {
            throw new IllegalArgumentException("--flows " + flows + ": need at least 1");
        }
        return switch (name.toLowerCase(Locale.ROOT))
        {
            case "pipeline-noop" -> noop(sizes, flows);
            case "vxlan-encap" -> encap("vxlan-encap", TunnelFormat.VXLAN, List.of(), sizes, flows);
            case "geneve-encap" -> encap("geneve-encap", TunnelFormat.GENEVE, geneveOptions(), sizes, flows);
            case "vxlan-decap" -> decap(sizes, flows);
            case "host-path" -> hostPath(sizes, flows);
            case "tso" -> tso(sizes, flows);
            case "rsc" -> rsc(sizes, flows);
            default -> throw new IllegalArgumentException("unknown scenario '" + name + "': one of " +
                String.join(", ", NAMES));
        };
    }

    /** Two options as a policy tag and a 8-byte telemetry id would be: 4 + 4 and 4 + 8 bytes. */
    static List<GeneveOption> geneveOptions()
    {
        return List.of(new GeneveOption(0x0102, 0x01, new byte[]{0, 0, 0, 42}),
            new GeneveOption(0x0102, 0x02, new byte[]{1, 2, 3, 4, 5, 6, 7, 8}));
    }

    // ------------------------------------------------------------------------------------------------------------

    private static Scenario noop(final FrameSizes sizes, final int flows)
    {
        final Counters counters = Counters.inMemory(16_384);
        final Templates t = udpTemplates(sizes, flows);
        return new Scenario("pipeline-noop", "one stage that reads each descriptor, then tx", "packets", counters, t,
            dataCapacity(t.maxLength()), UDP_RING, udpPoolSlots(), List.of(new NoOpStage("noop")), (sink, pool) -> sink,
            null, List.of(), List.of());
    }

    private static Scenario encap(
        final String name,
        final TunnelFormat format,
        final List<GeneveOption> options,
        final FrameSizes sizes,
        final int flows)
    {
        final Counters counters = Counters.inMemory(16_384);
        final RuleSet rules = rules(format, options, false);
        final Templates t = udpTemplates(sizes, flows);
        final PacketPool limitPool = new PacketPool("limit", Math.min(t.count(), LIMIT_FRAMES),
            PacketPool.MIN_HEADROOM, dataCapacity(t.maxLength()), counters);
        final LimitLoop limit = new EncapLimit(rules, t, limitPool, false);
        checkLimitDeliversEveryFrame(name, limit, Math.min(t.count(), LIMIT_FRAMES));
        return new Scenario(name, "egress lookup + " + format.name() + " encap (" + Frames.VFS * Frames.PREFIXES +
            " tunnels" + (options.isEmpty() ? "" : ", " + options.size() + " Geneve options") + "), then tx",
            "packets", counters, t, dataCapacity(t.maxLength()), UDP_RING, udpPoolSlots(),
            List.of(new EncapStage(new RuleTables(rules), 0, -1)), (sink, pool) -> sink, limit, List.of(),
            List.of());
    }

    private static Scenario decap(final FrameSizes sizes, final int flows)
    {
        final Counters counters = Counters.inMemory(16_384);
        final RuleSet rules = rules(TunnelFormat.VXLAN, List.of(), true);
        final Templates t = vxlanTemplates(rules, sizes, flows, counters);
        final PacketPool limitPool = new PacketPool("limit", Math.min(t.count(), LIMIT_FRAMES),
            PacketPool.MIN_HEADROOM, dataCapacity(t.maxLength()), counters);
        final LimitLoop limit = new DecapLimit(rules, t, limitPool);
        checkLimitDeliversEveryFrame("vxlan-decap", limit, Math.min(t.count(), LIMIT_FRAMES));
        return new Scenario("vxlan-decap", "VXLAN decap + ingress lookup (two passes per batch), then tx", "packets",
            counters, t, dataCapacity(t.maxLength()), UDP_RING, udpPoolSlots(),
            List.of(new DecapStage(new RuleTables(rules), -1)), (sink, pool) -> sink, limit, List.of(),
            List.of());
    }

    private static Scenario hostPath(final FrameSizes sizes, final int flows)
    {
        final Counters counters = Counters.inMemory(16_384);
        final RuleSet rules = rules(TunnelFormat.VXLAN, List.of(), true);
        final RuleTables tables = new RuleTables(rules);
        final Templates t = udpTemplates(sizes, flows);
        final VfTable vfs = new VfTable(Frames.VFS, counters);
        for (int vf = 0; vf < Frames.VFS; vf++)
        {
            vfs.guestPort(vf, 0);
        }
        final PacketPool limitPool = new PacketPool("limit", Math.min(t.count(), LIMIT_FRAMES),
            PacketPool.MIN_HEADROOM, dataCapacity(t.maxLength()), counters);
        final LimitLoop limit = new EncapLimit(rules, t, limitPool, true);
        checkLimitDeliversEveryFrame("host-path", limit, Math.min(t.count(), LIMIT_FRAMES));
        final List<Stage> stages = List.of(new VfEgressStage(vfs), new EncapStage(tables, 0, -1),
            new DecapStage(tables, -1), new VfIngressStage(vfs));
        return new Scenario("host-path", "VF egress filter -> egress lookup + VXLAN encap -> decap + ingress " +
            "lookup -> VF ingress filter, then tx", "packets", counters, t, dataCapacity(t.maxLength()), UDP_RING,
            udpPoolSlots(), stages, (sink, pool) -> sink, limit, List.of(), List.of(vfs));
    }

    private static Scenario tso(final FrameSizes sizes, final int flows)
    {
        final int mss = mss("tso", sizes);
        final Counters counters = Counters.inMemory(16_384);
        final int frameLength = Frames.TCP_HEADER_LENGTH + SEGMENTS * mss;
        final Templates t = new Templates(flows, frameLength);
        for (int f = 0; f < flows; f++)
        {
            final int length = Frames.writeTcp(t.bytes(), t.offset(f), SEGMENTS * mss, f);
            t.set(f, length, Frames.vf(f), f * 0x9E3779B9);
        }
        t.gso(Offload.GSO_TCPV4, mss);
        final int ring = 256;
        final LimitLoop limit = new TsoLimit(t, mss);
        return new Scenario("tso", "64 KiB TCP frames (" + SEGMENTS + " x " + mss + " bytes) cut into segments " +
            "with full checksums by the segmenting output in front of the sink; counted in segments out",
            "segments", counters, t, dataCapacity(frameLength), ring, ring + 2 * MAX_BATCH + 64, List.of(),
            (sink, pool) -> new SegmentingOutput(sink, new PacketParser(), false), limit, List.of(), List.of());
    }

    private static Scenario rsc(final FrameSizes sizes, final int flows)
    {
        final int mss = mss("rsc", sizes);
        final Counters counters = Counters.inMemory(16_384);
        final int frameLength = Frames.TCP_HEADER_LENGTH + SEGMENTS * mss;
        final int segmentLength = Frames.TCP_HEADER_LENGTH + mss;
        final Templates t = rscTemplates(flows, mss);
        final PacketPool framePool = new PacketPool("frames", 16, PacketPool.MIN_HEADROOM, frameLength, counters);
        final LimitLoop limit = new RscLimit(t, Math.min(flows, LIMIT_RSC_FLOWS), counters, frameLength);
        return new Scenario("rsc", "TCP segments (" + segmentLength + " bytes, " + SEGMENTS + " per flow in turn) " +
            "merged per flow by the coalescing output (trusted checksums), each merged frame made contiguous in a " +
            "frame pool; counted in segments in", "segments", counters, t, dataCapacity(segmentLength), UDP_RING,
            udpPoolSlots(), List.of(),
            (sink, pool) -> new CoalescingOutput(sink, pool, framePool, new PacketParser(), 64, 1_000_000, false),
            limit, List.of(framePool), List.of(framePool));
    }

    // ------------------------------------------------------------------------------------------------------------

    private static int udpPoolSlots()
    {
        return UDP_RING + 2 * MAX_BATCH + 256;
    }

    static int maxBatch()
    {
        return MAX_BATCH;
    }

    private static int dataCapacity(final int maxLength)
    {
        return Math.max(2048, (maxLength + 63) & ~63);
    }

    private static int mss(final String scenario, final FrameSizes sizes)
    {
        if (sizes.isMix())
        {
            throw new IllegalArgumentException(scenario + " takes one segment size (--size 1500: the MTU, the IP " +
                "length of a segment), not " + sizes.name());
        }
        // --size is the MTU here, as for a TSO guest: 1500 gives the usual MSS of 1448 and 1514-byte frames
        final int mss = sizes.lengths()[0] - Frames.TCP_IP_OVERHEAD;
        if (mss < 8)
        {
            throw new IllegalArgumentException(scenario + ": --size " + sizes.name() + " leaves no TCP payload");
        }
        return mss;
    }

    /**
     * The egress rules ({@code 10.VF.P.0/24} from VF to tunnel {@code VF * PREFIXES + P}) and, for decap, the ingress
     * rules (each VNI to its VF).
     *
     * @param self tunnels point at this host's own address (the frames come back to its ingress rules).
     */
    static RuleSet rules(final TunnelFormat format, final List<GeneveOption> options, final boolean self)
    {
        final List<EgressRule> egress = new ArrayList<>();
        final List<IngressRule> ingress = new ArrayList<>();
        for (int vf = 0; vf < Frames.VFS; vf++)
        {
            for (int p = 0; p < Frames.PREFIXES; p++)
            {
                final int vni = vf * Frames.PREFIXES + p + 1;
                final byte[] remote = self ? LOCAL : new byte[]{(byte)192, 0, 2, (byte)(2 + vf)};
                final Tunnel tunnel = new Tunnel(format, remote, vni, options, Tunnel.DEFAULT_TTL, 0,
                    Tunnel.DfPolicy.CLEAR, Tunnel.UdpChecksum.DEFAULT);
                egress.add(new EgressRule(vf, EgressRule.ANY, EgressRule.ANY, EgressRule.ANY,
                    new byte[]{10, (byte)vf, (byte)p, 0}, 24, null, EgressRule.Action.ENCAP, tunnel, -1));
                if (self)
                {
                    ingress.add(new IngressRule(LOCAL, format, vni, -1, null, IngressRule.Action.DELIVER, vf));
                }
            }
        }
        final Underlay underlay = new Underlay(LOCAL, null, 0x0200_C000_0201L, 0x0200_C000_02FEL,
            Underlay.Depth.FULL_FRAME, UNDERLAY_MTU);
        return RuleSet.build(underlay, List.of(format), List.of(), egress, ingress);
    }

    static Templates udpTemplates(final FrameSizes sizes, final int flows)
    {
        final Templates t = new Templates(flows, sizes.max());
        for (int f = 0; f < flows; f++)
        {
            final int length = sizes.lengthOf(f);
            Frames.writeUdp(t.bytes(), t.offset(f), length, f);
            t.set(f, length, Frames.vf(f), Encapsulator.flowHash(t.bytes(), t.offset(f), length));
        }
        return t;
    }

    /** The UDP frames, encapsulated by this host's own egress rules (tunnels to itself), as they arrive. */
    private static Templates vxlanTemplates(
        final RuleSet rules,
        final FrameSizes sizes,
        final int flows,
        final Counters counters)
    {
        final Templates inner = udpTemplates(sizes, flows);
        final Templates t = new Templates(flows, sizes.max() + 50);
        final Encapsulator encapsulator = new Encapsulator();
        final PacketDescriptor d = new PacketDescriptor();
        try (PacketPool scratch = new PacketPool("scratch", 1, PacketPool.MIN_HEADROOM,
            dataCapacity(sizes.max()), counters))
        {
            final int id = scratch.allocate();
            final UnsafeBuffer b = scratch.buffer();
            for (int f = 0; f < flows; f++)
            {
                final int at = scratch.dataOffset(id);
                b.putBytes(at, inner.bytes(), inner.offset(f), inner.length(f));
                d.resetMetadata().bind(id, at, inner.length(f)).flowHash(inner.flowHash(f));
                final int rule = rules.egressLookup(b, at, inner.length(f), inner.vf(f), -1);
                final TunnelDrop drop = rule == RuleSet.NO_RULE ? TunnelDrop.NO_RULE :
                    encapsulator.encapsulate(rules, rules.egressArgument(rule), b, d, scratch.slotOffset(id));
                if (drop != TunnelDrop.NONE)
                {
                    throw new IllegalStateException("flow " + f + " does not encapsulate: " + drop);
                }
                t.bytes().putBytes(t.offset(f), b, d.offset(), d.length());
                t.set(f, d.length(), -1, inner.flowHash(f));
            }
            scratch.release(id);
        }
        return t;
    }

    /** Each flow's TSO frame cut into its segments: flow after flow, segments in order. */
    private static Templates rscTemplates(final int flows, final int mss)
    {
        final Templates t = new Templates(flows * SEGMENTS, Frames.TCP_HEADER_LENGTH + mss);
        final UnsafeBuffer frame = new UnsafeBuffer(
            ByteBuffer.allocateDirect(Frames.TCP_HEADER_LENGTH + SEGMENTS * mss));
        final SegmentLayout layout = new SegmentLayout();
        final PacketParser parser = new PacketParser();
        final ParseResult scratch = new ParseResult();
        final Segmenter segmenter = new Segmenter();
        for (int f = 0; f < flows; f++)
        {
            final int length = Frames.writeTcp(frame, 0, SEGMENTS * mss, f);
            if (layout.parse(parser, scratch, frame, 0, length) != SegmentLayout.OK)
            {
                throw new IllegalStateException("TCP frame of flow " + f + " does not parse");
            }
            final int flow = f;
            final int written = segmenter.segment(frame, 0, layout, mss, false, new SegmentSink()
            {
                private int next = flow * SEGMENTS;

                @Override
                public MutableDirectBuffer buffer()
                {
                    return t.bytes();
                }

                @Override
                public int claim(final int segmentLength)
                {
                    return t.offset(next);
                }

                @Override
                public void commit(final int segmentLength, final PacketDescriptor segment)
                {
                    t.set(next, segmentLength, Frames.vf(flow), flow * 0x9E3779B9);
                    next++;
                }
            });
            if (written != SEGMENTS)
            {
                throw new IllegalStateException("flow " + f + " made " + written + " segments");
            }
        }
        return t;
    }

    /**
     * A limit loop whose frames miss their rule would be cheap and flatter every ratio: run it once over all its
     * frames and require one packet per frame.
     */
    private static void checkLimitDeliversEveryFrame(final String name, final LimitLoop limit, final int frames)
    {
        long done = 0;
        while (done < frames)
        {
            final long n = limit.round();
            if (n <= 0)
            {
                throw new IllegalStateException(name + ": limit loop delivered nothing");
            }
            done += n;
        }
        if (limit instanceof final Checked c && c.failures() != 0)
        {
            throw new IllegalStateException(name + ": limit loop: " + c.failures() + " of " + done +
                " frames not delivered");
        }
    }

    /** A limit loop that counts the frames its codec refused (there must be none). */
    interface Checked
    {
        long failures();
    }

    // ------------------------------------------------------------------------------------------------------------

    /**
     * Egress lookup, hit count and encap of each resident frame, as {@code EncapStage} does them; with
     * {@code thenDecap}, the decap of the result (one pass) too, which leaves the descriptor on the pristine inner
     * frame again. Encap writes only into the headroom, so the frames stay as the generator would have sent them.
     */
    static final class EncapLimit implements LimitLoop, Checked
    {
        private static final int ROUND = 1024;
        private final RuleSet rules;
        private final PacketPool pool;
        private final boolean thenDecap;
        private final Encapsulator encapsulator = new Encapsulator();
        private final Decapsulator decapsulator = new Decapsulator();
        private final PacketDescriptor d = new PacketDescriptor();
        private final int[] ids;
        private final int[] offsets;
        private final int[] lengths;
        private final int[] vfs;
        private final int[] hashes;
        private int next;
        private long failures;

        EncapLimit(final RuleSet rules, final Templates t, final PacketPool pool, final boolean thenDecap)
        {
            this.rules = rules;
            this.pool = pool;
            this.thenDecap = thenDecap;
            final int n = pool.slotCount();
            ids = new int[n];
            offsets = new int[n];
            lengths = new int[n];
            vfs = new int[n];
            hashes = new int[n];
            for (int i = 0; i < n; i++)
            {
                ids[i] = pool.allocate();
                offsets[i] = pool.dataOffset(ids[i]);
                lengths[i] = t.length(i);
                vfs[i] = t.vf(i);
                hashes[i] = t.flowHash(i);
                pool.buffer().putBytes(offsets[i], t.bytes(), t.offset(i), t.length(i));
            }
        }

        @Override
        public long round()
        {
            final UnsafeBuffer buffer = pool.buffer();
            final RuleSet r = rules;
            final PacketDescriptor p = d;
            int i = next;
            long failed = 0;
            for (int k = 0; k < ROUND; k++)
            {
                p.bind(ids[i], offsets[i], lengths[i]).flowHash(hashes[i]);
                final int rule = r.egressLookup(buffer, offsets[i], lengths[i], vfs[i], -1);
                if (rule == RuleSet.NO_RULE)
                {
                    failed++;
                }
                else
                {
                    r.hitEgress(rule);
                    if (encapsulator.encapsulate(r, r.egressArgument(rule), buffer, p, pool.slotOffset(ids[i])) !=
                        TunnelDrop.NONE || thenDecap && decapsulator.decapsulate(r, buffer, p) != TunnelDrop.NONE)
                    {
                        failed++;
                    }
                }
                i = i + 1 == ids.length ? 0 : i + 1;
            }
            next = i;
            failures += failed;
            return ROUND;
        }

        @Override
        public long failures()
        {
            return failures;
        }

        @Override
        public String description()
        {
            return thenDecap ? "egress lookup + VXLAN encap, then decap + ingress lookup, of " + ids.length +
                " resident frames" : "egress lookup + encap of " + ids.length + " resident frames";
        }

        @Override
        public void close()
        {
            for (final int id : ids)
            {
                pool.release(id);
            }
            pool.close();
        }
    }

    /**
     * Decap of each resident frame in batches of {@value #BATCH}, as {@code DecapStage} does it: parse all, touch all
     * ingress records, complete all. Decap moves the descriptor, never the bytes, so each round starts from the
     * frames as they arrived.
     */
    static final class DecapLimit implements LimitLoop, Checked
    {
        private static final int BATCH = 64;
        private static final int ROUND = 16;
        private final RuleSet rules;
        private final PacketPool pool;
        private final Decapsulator decapsulator = new Decapsulator();
        private final PacketDescriptor[] ds = new PacketDescriptor[BATCH];
        private final int[] ids;
        private final int[] offsets;
        private final int[] lengths;
        private int next;
        private long failures;

        DecapLimit(final RuleSet rules, final Templates t, final PacketPool pool)
        {
            this.rules = rules;
            this.pool = pool;
            final int n = pool.slotCount();
            ids = new int[n];
            offsets = new int[n];
            lengths = new int[n];
            for (int i = 0; i < n; i++)
            {
                ids[i] = pool.allocate();
                offsets[i] = pool.dataOffset(ids[i]);
                lengths[i] = t.length(i);
                pool.buffer().putBytes(offsets[i], t.bytes(), t.offset(i), t.length(i));
            }
            for (int i = 0; i < BATCH; i++)
            {
                ds[i] = new PacketDescriptor();
            }
            decapsulator.reserve(BATCH);
        }

        @Override
        public long round()
        {
            final UnsafeBuffer buffer = pool.buffer();
            final RuleSet r = rules;
            int f = next;
            long failed = 0;
            for (int k = 0; k < ROUND; k++)
            {
                for (int i = 0; i < BATCH; i++)
                {
                    decapsulator.parse(r, buffer, ds[i].bind(ids[f], offsets[f], lengths[f]), i);
                    f = f + 1 == ids.length ? 0 : f + 1;
                }
                decapsulator.prefetch(r, BATCH);
                for (int i = 0; i < BATCH; i++)
                {
                    if (decapsulator.complete(r, ds[i], i) != TunnelDrop.NONE)
                    {
                        failed++;
                    }
                }
            }
            next = f;
            failures += failed;
            return (long)ROUND * BATCH;
        }

        @Override
        public long failures()
        {
            return failures;
        }

        @Override
        public String description()
        {
            return "two-pass VXLAN decap + ingress lookup of " + ids.length + " resident frames in batches of " + BATCH;
        }

        @Override
        public void close()
        {
            for (final int id : ids)
            {
                pool.release(id);
            }
            pool.close();
        }
    }

    /**
     * Layout parse and segmentation of one resident 64 KiB frame per round (the frames cycle), full checksums, into
     * a strided scratch region: the calls {@code SegmentingOutput} makes, without its pool buffers.
     */
    static final class TsoLimit implements LimitLoop
    {
        private static final int STRIDE = 2048;
        private final Templates t;
        private final int mss;
        private final SegmentLayout layout = new SegmentLayout();
        private final PacketParser parser = new PacketParser();
        private final ParseResult scratch = new ParseResult();
        private final Segmenter segmenter = new Segmenter();
        private final UnsafeBuffer out;
        private final int stride;
        private int next;
        private int claimed;

        private final SegmentSink sink = new SegmentSink()
        {
            @Override
            public MutableDirectBuffer buffer()
            {
                return out;
            }

            @Override
            public int claim(final int length)
            {
                return claimed++ * stride;
            }

            @Override
            public void commit(final int length, final PacketDescriptor segment)
            {
            }
        };

        TsoLimit(final Templates t, final int mss)
        {
            this.t = t;
            this.mss = mss;
            this.stride = Math.max(STRIDE, (Frames.TCP_HEADER_LENGTH + mss + 63) & ~63);
            this.out = new UnsafeBuffer(ByteBuffer.allocateDirect(stride * (SEGMENTS + 1)));
        }

        @Override
        public long round()
        {
            final int i = next;
            next = i + 1 == t.count() ? 0 : i + 1;
            final int at = t.offset(i);
            if (layout.parse(parser, scratch, t.bytes(), at, t.length(i)) != SegmentLayout.OK)
            {
                throw new IllegalStateException("TSO frame " + i + " does not parse");
            }
            claimed = 0;
            return Math.max(0, segmenter.segment(t.bytes(), at, layout, mss, false, sink));
        }

        @Override
        public String description()
        {
            return "layout parse + segmentation (full checksums) of resident 64 KiB frames";
        }
    }

    /**
     * The segments of a few flows resident in pool slots: each round restores the flows' head headers (a merge
     * rewrites them in place), offers every segment in order to a {@link Coalescer} (trusted checksums) and flushes,
     * and each merged frame is copied out contiguous: the work of {@code CoalescingOutput} without the ring.
     */
    static final class RscLimit implements LimitLoop
    {
        private final PacketPool pool;
        private final Coalescer coalescer;
        private final PacketDescriptor[] segments;
        private final UnsafeBuffer heads;
        private final UnsafeBuffer linear;
        private final int flows;
        private long merged;

        RscLimit(final Templates t, final int flows, final Counters counters, final int frameLength)
        {
            this.flows = flows;
            final int n = flows * SEGMENTS;
            this.pool = new PacketPool("limit", n, PacketPool.MIN_HEADROOM, dataCapacity(t.maxLength()), counters);
            this.segments = new PacketDescriptor[n];
            this.heads = new UnsafeBuffer(new byte[flows * Frames.TCP_HEADER_LENGTH]);
            this.linear = new UnsafeBuffer(ByteBuffer.allocateDirect(frameLength + 64));
            for (int i = 0; i < n; i++)
            {
                final int id = pool.allocate();
                final int at = pool.dataOffset(id);
                pool.buffer().putBytes(at, t.bytes(), t.offset(i), t.length(i));
                segments[i] = new PacketDescriptor().resetMetadata().bind(id, at, t.length(i));
            }
            for (int f = 0; f < flows; f++)
            {
                heads.putBytes(f * Frames.TCP_HEADER_LENGTH, pool.buffer(), segments[f * SEGMENTS].offset(),
                    Frames.TCP_HEADER_LENGTH);
            }
            this.coalescer = new Coalescer(pool, new PacketParser(), 64, 1_000_000_000L, false, this::onFrame)
                .releaseBuffers(false);
        }

        private void onFrame(final CoalescedFrame frame)
        {
            frame.copyTo(linear, 0);
            merged += frame.segmentCount();
        }

        @Override
        public long round()
        {
            final long before = merged;
            for (int f = 0; f < flows; f++)
            {
                pool.buffer().putBytes(segments[f * SEGMENTS].offset(), heads, f * Frames.TCP_HEADER_LENGTH,
                    Frames.TCP_HEADER_LENGTH);
            }
            for (final PacketDescriptor segment : segments)
            {
                coalescer.offer(segment, 0);
            }
            coalescer.flushAll();
            return merged - before;
        }

        @Override
        public String description()
        {
            return "coalesce (trusted checksums) + contiguous copy of " + flows + " resident flows x " + SEGMENTS +
                " segments";
        }

        @Override
        public void close()
        {
            for (final PacketDescriptor segment : segments)
            {
                pool.release(segment.bufferId());
            }
            pool.close();
        }
    }
}
