package io.vfplane.overlay.config;

import java.util.List;
import java.util.function.Consumer;

/**
 * The peers written in the host config: fixed for the daemon's life.
 */
public final class StaticPeers implements PeerSource
{
    private final List<HostConfig.Peer> peers;

    public StaticPeers(final List<HostConfig.Peer> peers)
    {
        this.peers = List.copyOf(peers);
    }

    @Override
    public String name()
    {
        return "static";
    }

    @Override
    public List<HostConfig.Peer> peers()
    {
        return peers;
    }

    @Override
    public void start(final Consumer<List<HostConfig.Peer>> listener)
    {
        // static: nothing ever changes
    }
}
