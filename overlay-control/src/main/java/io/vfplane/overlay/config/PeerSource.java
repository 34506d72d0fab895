package io.vfplane.overlay.config;

import java.util.List;
import java.util.function.Consumer;

/**
 * Where a daemon learns its remote hosts: their tunnel endpoints, virtual networks and the guests behind them. This is
 * the seam the control plane plugs into: {@link StaticPeers} serves the config file's peers now; a mapping-store
 * watcher will implement the same interface and call the listener whenever a lease or mapping changes. The daemon
 * recompiles its rule set from the VFs and the peers on each call and applies it atomically.
 */
public interface PeerSource extends AutoCloseable
{
    /** @return a short name for logs ("static", "etcd", ...). */
    String name();

    /** @return the peers known now. */
    List<HostConfig.Peer> peers();

    /**
     * Starts delivering changes: {@code listener} gets the whole new peer list, from any thread, after each change.
     * A source that never changes may never call it.
     */
    void start(Consumer<List<HostConfig.Peer>> listener);

    @Override
    default void close()
    {
    }
}
