package io.vfplane.overlay.daemon;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

import io.vfplane.dataplane.buffer.PacketPool;
import io.vfplane.dataplane.counters.Counters;
import io.vfplane.dataplane.parse.PacketParser;
import io.vfplane.dataplane.parse.ParserConfig;
import io.vfplane.encap.config.RuleFile;
import io.vfplane.encap.config.RuleFileException;
import io.vfplane.encap.format.TunnelFormat;
import io.vfplane.encap.rules.RuleSet;
import io.vfplane.encap.rules.RuleTables;
import io.vfplane.encap.stage.DecapStage;
import io.vfplane.encap.stage.EncapStage;
import io.vfplane.overlay.config.HostConfig;
import io.vfplane.overlay.config.HostConfigFile;
import io.vfplane.overlay.config.PeerSource;
import io.vfplane.overlay.config.RuleCompiler;
import io.vfplane.overlay.control.ControlServer;
import io.vfplane.overlay.offload.ChecksumCompletionStage;
import io.vfplane.overlay.offload.CoalescingTapOutput;
import io.vfplane.overlay.offload.TunnelGsoOutput;
import io.vfplane.pipeline.BackpressurePolicy;
import io.vfplane.pipeline.Output;
import io.vfplane.pipeline.Pipeline;
import io.vfplane.pipeline.Placement;
import io.vfplane.pipeline.idle.IdleStrategyConfig;
import io.vfplane.vf.LinkState;
import io.vfplane.vf.Macs;
import io.vfplane.vf.VfConfig;
import io.vfplane.vf.VfEgressStage;
import io.vfplane.vf.VfIngressStage;
import io.vfplane.vf.VfSetCommand;
import io.vfplane.vf.VfTable;
import io.vfplane.vf.port.PacketSink;
import io.vfplane.vf.port.PortOutput;
import io.vfplane.vf.port.tap.NetNs;
import io.vfplane.vf.port.tap.TapConfig;
import io.vfplane.vf.port.tap.TapDevice;
import io.vfplane.vf.port.tap.TapPort;
import io.vfplane.vf.port.tap.VnetHeader;
import io.vfplane.vf.port.udp.UdpUnderlayPort;
import io.vfplane.vf.port.udp.UnderlayConfig;
import io.vfplane.vf.port.udp.UnderlayTransport;

/**
 * One host's daemon: the physical function with its virtual functions and the two pipelines between them and the
 * underlay.
 *
 * <pre>
 *  guest netns           this host (daemon)                                                      underlay
 *  [eth = TAP vf k] -> TapPort rx -> g2u: [ vf_egress -> csum -> encap -> vf_ingress* -> tx ] -> TSO -> UdpUnderlayPort
 *  [eth = TAP vf k] <- TapPort tx <- u2g: [ decap -> vf_ingress -> tx ] <- RSC                    <- UdpUnderlayPort
 *                                    (g2u tx also delivers to local VFs: egress rule deliver; vf_ingress* checks
 *                                     those frames as the receiving VF's, and only those)
 *  ports: 0 = underlay, 1 + k = VF k's TAP
 * </pre>
 *
 * <h2>The offload path ({@code underlay.offloads: on}, the default)</h2>
 * The TAPs are opened with {@code TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6} (and {@code TUN_F_USO4 | TUN_F_USO6} where the
 * kernel takes them): a guest hands over TCP frames of up to
 * 64 KiB with their gso metadata in the vnet header (into slots of the guest pool, large enough for them). The
 * {@code csum} stage finishes the partial checksums of small frames; encap keeps the gso metadata; at tx,
 * {@link TunnelGsoOutput} writes every segment's VXLAN and inner headers behind the frame and the underlay sends the
 * train with UDP GSO, each datagram gathered from its headers and its payload where the guest put it (the
 * {@code native} transport, the default; on Netty's transports the datagrams are copied end to end into one slot).
 * Receiving, the underlay socket has UDP GRO on ({@code native}: several trains per recvmmsg), the datagrams are
 * decapsulated one by one, and {@link CoalescingTapOutput} merges the inner TCP segments back into 64 KiB frames
 * written to the TAP with {@code GSO_TCPV4} in the vnet header, and runs of same-flow UDP datagrams into one
 * {@code GSO_UDP_L4} write where the kernel's TAPs take USO (6.2 on).
 * <p>
 * {@code pipelines.cpus} pins the data-path threads (set on the starting thread, which they inherit from): on a
 * small host, one CPU per daemon keeps a frame's hand-offs between its threads in one core's cache.
 * {@code pipelines.placement: inline} (the default) gives the pipelines no threads: each TAP's receive thread runs
 * g2u over the frames of one read burst and the underlay's receive thread runs u2g over one {@code recvmmsg}, so a
 * packet is never handed from one thread to another (on two cores every hand-off cost a wake-up and a context
 * switch).
 *
 * <h2>Start and stop</h2>
 * {@link #start} validates and compiles everything first, then takes the lock files (instance, every TAP name, the
 * UDP port), and only then creates: counters, pool, sockets, TAPs (moved into their guest namespaces), pipelines,
 * the control API. Anything that fails undoes what was made, in reverse. {@link #close} stops receiving, drains
 * the pipelines, closes the TAPs (their devices vanish with the fd) and the sockets, and releases the locks.
 */
public final class Daemon implements AutoCloseable
{
    /** Port number of the underlay. */
    public static final int UNDERLAY_PORT = 0;
    /** Port number of VF k's TAP is {@code VF_PORT_BASE + k}. */
    public static final int VF_PORT_BASE = 1;

    private static final int POOL_SLOTS = 8192;
    private static final int POOL_DATA = 2048;
    /** Slots of the guest-side pool with offloads on: a 64 KiB TSO frame each, or its VXLAN datagram train. */
    private static final int GUEST_POOL_SLOTS = 1024;
    /** 64 KiB of inner frame grows by a VXLAN, Ethernet, IP and TCP header per segment (45 of them at MSS 1448). */
    private static final int GUEST_POOL_DATA = 80 * 1024;
    /** Datagrams per recvmmsg when GRO is off. */
    private static final int RECV_BATCH = 32;
    private static final int MAX_COUNTERS = 4096;

    private final HostConfig config;
    private final PeerSource peerSource;
    private final Log log;
    private final Path instanceDir;
    private final Deque<AutoCloseable> made = new ArrayDeque<>();
    private Locks locks;
    private Counters counters;
    private PacketPool pool;
    private VfTable vfTable;
    private RuleTables rules;
    private PacketPool guestPool;
    private UdpUnderlayPort underlay;
    private final List<TapPort> taps = new ArrayList<>();
    private Pipeline g2u;
    private Pipeline u2g;
    private ControlServer control;
    private volatile String rulesOrigin = "peers";
    private volatile boolean closed;

    private Daemon(final HostConfig config, final PeerSource peerSource, final Path runDir)
    {
        this.config = config;
        this.peerSource = peerSource;
        this.log = new Log(config.instance());
        this.instanceDir = runDir.resolve(config.instance());
    }

    /**
     * Brings up the host. On failure nothing it made is left and the exception says why.
     */
    public static Daemon start(final HostConfig config, final PeerSource peers, final Path runDir)
        throws DaemonException
    {
        final Daemon daemon = new Daemon(config, peers, runDir);
        try
        {
            daemon.bringUp();
            return daemon;
        }
        catch (final DaemonException ex)
        {
            daemon.undo();
            throw ex;
        }
        catch (final RuntimeException | IOException ex)
        {
            daemon.undo();
            throw new DaemonException(ex.getMessage() == null ? ex.toString() : ex.getMessage(), ex);
        }
    }

    private void bringUp() throws DaemonException, IOException
    {
        final List<Integer> cpus = config.pipelines().cpus();
        if (cpus.isEmpty())
        {
            bringUpThreads();
            return;
        }
        // the threads made from here on inherit this thread's affinity; this thread gets its own back afterwards
        final List<Integer> before = Affinity.currentThread();
        final String refused = Affinity.pinCurrentThread(cpus);
        if (refused != null)
        {
            throw new DaemonException("pipelines.cpus: " + refused);
        }
        log.info("cpus: the data-path threads run on CPU(s) " + cpus);
        try
        {
            bringUpThreads();
        }
        finally
        {
            if (!before.isEmpty())
            {
                Affinity.pinCurrentThread(before);
            }
        }
    }

    private void bringUpThreads() throws DaemonException, IOException
    {
        log.info("starting: pf " + config.pf() + ", " + config.vfs().size() + " VF(s), underlay " +
            config.underlay().bind().getHostAddress() + ":" + config.underlay().port() + ", peers from " +
            peerSource.name() + " (" + peerSource.peers().size() + ")");
        logPeers(peerSource.peers());
        // 1. everything that can be checked without touching the system
        final RuleSet initial;
        try
        {
            initial = RuleCompiler.compile(config, peerSource.peers());
        }
        catch (final RuntimeException ex)
        {
            throw new DaemonException("the VFs and peers do not compile into rules: " + ex.getMessage(), ex);
        }
        for (final HostConfig.Vf vf : config.vfs())
        {
            if (vf.guest() != null && !Files.exists(Path.of("/var/run/netns", vf.guest().netns())))
            {
                throw new DaemonException("vf " + vf.index() + ": guest netns " + vf.guest().netns() +
                    " does not exist (ip netns add " + vf.guest().netns() + ")");
            }
        }
        // 2. locks, before anything is made
        locks = new Locks(runDir(instanceDir).resolve("locks"));
        made.push(locks);
        locks.acquire("instance " + config.instance(), "instance-" + config.instance(), false);
        locks.acquire("UDP port " + config.underlay().port(), "udp-" + config.underlay().port());
        for (final HostConfig.Vf vf : config.vfs())
        {
            locks.acquire("TAP " + vf.tap(), "tap-" + vf.tap());
        }
        // 3. make things
        Files.createDirectories(instanceDir);
        counters = Counters.mapped(instanceDir.resolve("counters.dat"), MAX_COUNTERS);
        made.push(counters);
        pool = new PacketPool("main", POOL_SLOTS, PacketPool.MIN_HEADROOM, POOL_DATA, counters);
        made.push(pool);
        rules = new RuleTables(initial);
        int vfCount = 0;
        for (final HostConfig.Vf vf : config.vfs())
        {
            vfCount = Math.max(vfCount, vf.index() + 1);
        }
        vfTable = new VfTable(vfCount, counters);
        made.push(vfTable);
        for (final HostConfig.Vf vf : config.vfs())
        {
            vfTable.set(vfConfig(vf));
            vfTable.guestPort(vf.index(), VF_PORT_BASE + vf.index());
        }
        final boolean offloads = config.underlay().offloads();
        if (offloads)
        {
            // guests hand over TSO frames of up to 64 KiB; a slot also holds the VXLAN datagram train made of one
            guestPool = new PacketPool("guest", GUEST_POOL_SLOTS, PacketPool.MIN_HEADROOM, GUEST_POOL_DATA, counters);
            made.push(guestPool);
        }
        else
        {
            guestPool = pool;
        }
        final UnderlayTransport transport = switch (config.underlay().transport())
        {
            case IO_URING -> UnderlayTransport.IO_URING;
            case NATIVE -> UnderlayTransport.NATIVE;
            default -> UnderlayTransport.EPOLL;
        };
        final UnderlayConfig underlayConfig = new UnderlayConfig(transport,
            new InetSocketAddress(config.underlay().bind(), config.underlay().port()), RECV_BATCH, POOL_DATA,
            config.underlay().gro() && transport != UnderlayTransport.IO_URING, config.underlay().offloads(),
            UNDERLAY_PORT);
        try
        {
            underlay = new UdpUnderlayPort(underlayConfig, pool, counters);
        }
        catch (final IllegalStateException ex)
        {
            throw new DaemonException("cannot open the underlay on " + config.underlay().bind().getHostAddress() +
                ":" + config.underlay().port() + ": " + ex.getMessage(), ex);
        }
        made.push(underlay);
        for (final String line : underlay.describe())
        {
            log.info("underlay " + line);
        }
        // USO where the kernel has it (6.2 on; TapDevice drops the flags where it refuses them): the guests then take
        // runs of small UDP datagrams as one GSO_UDP_L4 write (CoalescingTapOutput) and may hand us UDP GSO frames,
        // which TunnelGsoOutput splits like TSO frames
        final int tapOffloads = offloads ? TapDevice.TUN_F_CSUM | TapDevice.TUN_F_TSO4 | TapDevice.TUN_F_TSO6 |
            TapDevice.TUN_F_USO4 | TapDevice.TUN_F_USO6 : 0;
        final Output[] toGuests = new Output[VF_PORT_BASE + vfCount];
        final Output[] fromGuests = new Output[VF_PORT_BASE + vfCount];
        for (final HostConfig.Vf vf : config.vfs())
        {
            final TapPort tap;
            try
            {
                tap = new TapPort(new TapConfig(vf.tap(), vf.queues(), VnetHeader.LENGTH, tapOffloads, vf.index(),
                    VF_PORT_BASE + vf.index()), guestPool, counters);
            }
            catch (final RuntimeException ex)
            {
                throw new DaemonException("vf " + vf.index() + ": cannot create TAP " + vf.tap() + ": " +
                    ex.getMessage(), ex);
            }
            made.push(tap);
            taps.add(tap);
            // each pipeline writes to the TAP through its own sender: u2g (from the underlay) and g2u (local
            // VF-to-VF delivery) run on different threads
            toGuests[VF_PORT_BASE + vf.index()] = offloads ?
                new CoalescingTapOutput(tap.newSender(), pool, parser()).counters(counters, "vf" + vf.index()) :
                tap.newSender();
            fromGuests[VF_PORT_BASE + vf.index()] = tap.newSender();
            plugGuest(vf);
        }
        final boolean uso = !taps.isEmpty() && taps.getFirst().device().takesUdpGso();
        log.info("offloads " + (offloads ? "on: TAPs with TSO4/TSO6" + (uso ? "/USO" : "") + " and checksum offload " +
            "(64 KiB frames), tunnel TSO into one UDP GSO train" +
            (underlay.gsoInUse() ? "" : " (split: no UDP GSO here)") + ", RSC to the guests" +
            (uso ? ", runs of UDP datagrams to a guest as one GSO_UDP_L4 write" :
            " (no USO on this kernel's TAPs: UDP to the guests one datagram per write)") :
            "off (configured): MTU-sized frames"));
        // BLOCK: a full ring holds the receive thread back (the socket or TAP queue absorbs the burst) rather than
        // dropping what was already read, which TCP would pay for with retransmits
        final IdleStrategyConfig idle = IdleStrategyConfig.of(IdleStrategyConfig.Kind.parse(config.pipelines().idle()));
        final Placement placement = Placement.parse(config.pipelines().placement());
        u2g = Pipeline.builder("u2g").pool(pool).counters(counters).backpressure(BackpressurePolicy.BLOCK)
            .idle(idle).placement(placement)
            .stage(new DecapStage(rules, -1))
            .stage(new VfIngressStage(vfTable))
            .tx(toGuests)
            .build().start();
        made.push(u2g);
        final Output underlayOut = new PortOutput(underlay);
        fromGuests[UNDERLAY_PORT] = offloads ?
            new TunnelGsoOutput(underlayOut, underlay, parser()).counters(counters, "underlay") : underlayOut;
        final Pipeline.Builder g2uBuilder = Pipeline.builder("g2u").pool(guestPool).counters(counters)
            .backpressure(BackpressurePolicy.BLOCK)
            .idle(idle).placement(placement)
            // every TAP queue has a receive thread of its own, and each offers to this pipeline
            .multiProducer(taps.stream().mapToInt(t -> t.device().queues()).sum() > 1)
            .stage(new VfEgressStage(vfTable));
        if (offloads)
        {
            g2uBuilder.stage(new ChecksumCompletionStage());
        }
        g2u = g2uBuilder
            .stage(new EncapStage(rules, UNDERLAY_PORT, VF_PORT_BASE))
            // a frame for another VF of this host is received by that VF: its link state, VLAN and MAC filter
            .stage(VfIngressStage.forLocalDelivery(vfTable))
            .tx(fromGuests)
            .build().start();
        made.push(g2u);
        underlay.start(PacketSink.of(u2g));
        for (final TapPort tap : taps)
        {
            tap.start(PacketSink.of(g2u));
        }
        peerSource.start(this::onPeersChanged);
        made.push(peerSource);
        control = ControlServer.start(this, config.control().port(), config.control().metricsEnabled());
        made.push(control);
        Files.writeString(instanceDir.resolve("control"), control.url() + "\n");
        Files.writeString(instanceDir.resolve("pid"), ProcessHandle.current().pid() + "\n");
        log.info("up: " + rules.current().egressRules().size() + " egress and " +
            rules.current().ingressRules().size() + " ingress rules; control " + control.url() +
            "; counters " + instanceDir.resolve("counters.dat"));
    }

    private static Path runDir(final Path instanceDir)
    {
        return instanceDir.getParent();
    }

    /** A parser for one pipeline thread's output that knows this host's VXLAN port. */
    private PacketParser parser()
    {
        return new PacketParser(new ParserConfig().addVxlanPort(config.underlay().port()));
    }

    private void plugGuest(final HostConfig.Vf vf)
    {
        final String mac = HostConfigFile.formatMac(vf.mac());
        if (vf.guest() == null)
        {
            NetNs.run("ip", "link", "set", vf.tap(), "up");
            log.info("vf " + vf.index() + ": TAP " + vf.tap() + queues(vf) + " up in the daemon's namespace");
            return;
        }
        final String ns = vf.guest().netns();
        NetNs.moveInto(vf.tap(), ns, mac, vf.guest().address());
        if (vf.guest().address6() != null)
        {
            // nodad: duplicate address detection multicasts into the overlay, where no one answers for anyone
            NetNs.run("ip", "-n", ns, "addr", "add", vf.guest().address6(), "dev", vf.tap(), "nodad");
        }
        NetNs.run("ip", "-n", ns, "link", "set", vf.tap(), "mtu", Integer.toString(vf.guest().mtu()));
        int neighbours = 0;
        for (final HostConfig.Peer peer : peerSource.peers())
        {
            for (final HostConfig.Mapping h : peer.hosts())
            {
                if (h.vni() != vf.vni())
                {
                    continue;
                }
                // ARP and neighbour discovery suppression: the daemon knows every guest's MAC, so the guest never
                // needs to ask (the overlay carries no broadcast or multicast to ask with)
                for (final InetAddress ip : new InetAddress[] {h.ip(), h.ip6()})
                {
                    if (ip != null)
                    {
                        NetNs.run("ip", "-n", ns, "neigh", "replace", ip.getHostAddress(), "lladdr",
                            HostConfigFile.formatMac(h.mac()), "dev", vf.tap(), "nud", "permanent");
                        neighbours++;
                    }
                }
            }
        }
        log.info("vf " + vf.index() + ": TAP " + vf.tap() + queues(vf) + " -> netns " + ns + " as " + mac +
            (vf.guest().address() == null ? "" : " " + vf.guest().address()) +
            (vf.guest().address6() == null ? "" : " " + vf.guest().address6()) + ", mtu " + vf.guest().mtu() +
            ", " + neighbours + " static neighbour(s)");
    }

    private static String queues(final HostConfig.Vf vf)
    {
        return vf.queues() == 1 ? "" : " (" + vf.queues() + " queues, a receive thread each)";
    }

    private static VfConfig vfConfig(final HostConfig.Vf vf)
    {
        final List<Integer> v4 = new ArrayList<>();
        final List<Long> v6 = new ArrayList<>();
        for (final InetAddress ip : vf.ips())
        {
            final java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(ip.getAddress()); // big-endian
            if (ip instanceof Inet4Address)
            {
                v4.add(b.getInt());
            }
            else
            {
                v6.add(b.getLong());
                v6.add(b.getLong());
            }
        }
        return VfConfig.defaults(vf.index())
            .mac(vf.mac())
            .vlan(vf.vlan(), 0, VfConfig.PROTO_8021Q)
            .spoofCheck(vf.spoofCheck())
            .trust(vf.trust())
            .linkState(LinkState.valueOf(vf.state().toUpperCase(Locale.ROOT)))
            .txRate(0, vf.maxTxRate())
            .ipv4Addresses(v4.stream().mapToInt(Integer::intValue).toArray())
            .ipv6Addresses(v6.stream().mapToLong(Long::longValue).toArray());
    }

    private void logPeers(final List<HostConfig.Peer> peers)
    {
        for (final HostConfig.Peer peer : peers)
        {
            log.info("peer " + peer.name() + ": " + peer.endpoint().getHostAddress() + ", vnis " + peer.vnis() +
                ", " + peer.hosts().size() + " host(s)");
        }
    }

    private void onPeersChanged(final List<HostConfig.Peer> peers)
    {
        try
        {
            final RuleSet next = RuleCompiler.compile(config, peers);
            rules.apply(next);
            rulesOrigin = "peers";
            log.info("peers changed (" + peers.size() + "): " + next.egressRules().size() + " egress, " +
                next.ingressRules().size() + " ingress rules applied");
            logPeers(peers);
        }
        catch (final RuntimeException ex)
        {
            log.info("peers changed but do not compile, rules kept: " + ex.getMessage());
        }
    }

    /**
     * {@code vfplane rules load}: validates a rule file and swaps it in atomically; nothing changes on an error.
     *
     * @return the applied rule set.
     */
    public RuleSet loadRules(final String fileName, final String text) throws RuleFileException
    {
        // what the UDP socket cannot send (outer TTL, DSCP, DF, UDP checksum, MACs, other formats, IPv6) is refused
        // at its line rather than accepted and silently not done
        final RuleSet next = RuleFile.parse(fileName, new java.io.StringReader(text), new RuleFile.SocketUnderlay(
            TunnelFormat.VXLAN.withUdpPort("vxlan", config.underlay().port())));
        final byte[] local = next.underlay().localIpv4();
        final Inet4Address bind = config.underlay().bind();
        if (next.underlay().depth() != io.vfplane.encap.rules.Underlay.Depth.FULL_FRAME || local == null ||
            !java.util.Arrays.equals(local, bind.getAddress()))
        {
            throw new RuleFileException(List.of(fileName + ":1: underlay: this daemon's underlay needs " +
                "local-ipv4: " + bind.getHostAddress() + " and depth: full-frame"));
        }
        rules.apply(next);
        rulesOrigin = fileName;
        log.info("rules loaded from " + fileName + ": " + next.egressRules().size() + " egress, " +
            next.ingressRules().size() + " ingress rules applied (generation " + rules.generation() + ")");
        return next;
    }

    /**
     * {@code vfplane vf set}: applies the arguments to VF {@code vf} at once.
     *
     * @throws IllegalArgumentException naming the problem: no such VF in host.yaml, a bad argument, or a new MAC
     *                                  (the compiled rules, the guest's TAP and the peers all know the VF by its MAC:
     *                                  that change goes through host.yaml and a restart).
     */
    public VfConfig setVf(final int vf, final List<String> args)
    {
        if (config.vf(vf) == null)
        {
            throw new IllegalArgumentException("vf " + vf + ": no such VF in the daemon's config (its VFs: " +
                config.vfs().stream().map(v -> Integer.toString(v.index())).toList() + ")");
        }
        final VfConfig current = vfTable.get(vf);
        if (VfSetCommand.apply(current, args).mac() != current.mac())
        {
            throw new IllegalArgumentException("vf " + vf + ": mac cannot change while the daemon runs: its rules, " +
                "its guest's TAP and the peers know it as " + Macs.format(current.mac()) + "; change it in the " +
                "daemon's config and restart");
        }
        final VfConfig next = vfTable.apply(vf, args);
        log.info("vf " + vf + " set: " + String.join(" ", args) + " -> " + next);
        return next;
    }

    public HostConfig config()
    {
        return config;
    }

    public Log log()
    {
        return log;
    }

    public Counters counters()
    {
        return counters;
    }

    public PacketPool pool()
    {
        return pool;
    }

    public VfTable vfTable()
    {
        return vfTable;
    }

    public RuleTables rules()
    {
        return rules;
    }

    public String rulesOrigin()
    {
        return rulesOrigin;
    }

    public UdpUnderlayPort underlay()
    {
        return underlay;
    }

    public List<TapPort> taps()
    {
        return taps;
    }

    public List<Pipeline> pipelines()
    {
        return List.of(g2u, u2g);
    }

    public PeerSource peerSource()
    {
        return peerSource;
    }

    public Path instanceDir()
    {
        return instanceDir;
    }

    public ControlServer control()
    {
        return control;
    }

    /**
     * Stops receiving, drains both pipelines, closes the TAPs and the sockets, releases the locks. Idempotent.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        log.info("stopping: receive off, draining pipelines");
        if (control != null)
        {
            control.close();
            made.remove(control);
        }
        if (underlay != null)
        {
            underlay.stopReceiving();
        }
        closeQuietly(u2g);
        made.remove(u2g);
        for (final TapPort tap : taps)
        {
            closeQuietly(tap);
            made.remove(tap);
        }
        closeQuietly(g2u);
        made.remove(g2u);
        final long inFlight = (pool == null ? 0 : pool.inFlight()) +
            (guestPool == null || guestPool == pool ? 0 : guestPool.inFlight());
        undo();
        log.info("stopped (" + inFlight + " buffers in flight at the end)");
    }

    private void undo()
    {
        try
        {
            Files.deleteIfExists(instanceDir.resolve("control"));
            Files.deleteIfExists(instanceDir.resolve("pid"));
        }
        catch (final IOException ignored)
        {
            // a stale endpoint file is detected by the client (connection refused)
        }
        while (!made.isEmpty())
        {
            closeQuietly(made.pop());
        }
    }

    private void closeQuietly(final AutoCloseable c)
    {
        if (c == null)
        {
            return;
        }
        try
        {
            c.close();
        }
        catch (final Exception ex)
        {
            log.info("close " + c.getClass().getSimpleName() + ": " + ex.getMessage());
        }
    }
}
