package io.vfplane.vf.port.udp;

import java.nio.ByteBuffer;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;

import io.vfplane.dataplane.buffer.PacketPool;

/**
 * A Netty buffer over a pool slot's bytes, without a copy: when Netty releases it after the write (or a failure),
 * the slot goes back to the pool. The JDK's own direct-buffer view is used (no {@code Unsafe}, no
 * {@code PlatformDependent}): Netty's native transports take the address of a direct NIO buffer for their iovecs.
 */
final class PoolSlotByteBuf extends UnpooledDirectByteBuf
{
    private final PacketPool pool;
    private final int bufferId;

    PoolSlotByteBuf(final ByteBuffer view, final PacketPool pool, final int bufferId)
    {
        super(UnpooledByteBufAllocator.DEFAULT, view, view.remaining());
        this.pool = pool;
        this.bufferId = bufferId;
    }

    @Override
    protected void deallocate()
    {
        // the memory is the pool's: give the slot back rather than freeing anything
        pool.release(bufferId);
    }
}
