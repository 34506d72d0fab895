package io.vfplane.vf.port.tap;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code TUNSETOFFLOAD} against the real kernel: USO is taken where the kernel has it (6.2 on) and dropped, not
 * fatal, where it refuses it.
 */
class TapDeviceOffloadTest
{
    private static final int TSO = TapDevice.TUN_F_CSUM | TapDevice.TUN_F_TSO4 | TapDevice.TUN_F_TSO6;
    private static final int USO = TapDevice.TUN_F_USO4 | TapDevice.TUN_F_USO6;

    private final String tapName = "vfo" + ProcessHandle.current().pid() % 100_000;

    @Test
    void shouldTakeUsoWhereTheKernelHasIt()
    {
        final boolean kernelHasUso = kernelAtLeast(6, 2);
        try (TapDevice device = TapDevice.open(new TapConfig(tapName, 1, VnetHeader.LENGTH, TSO | USO, 0, 1)))
        {
            assertEquals(kernelHasUso, device.takesUdpGso());
            assertEquals(kernelHasUso ? TSO | USO : TSO, device.offloads());
        }
    }

    @Test
    void shouldOpenWithoutUsoWhenTheKernelRefusesTheFlags()
    {
        // the kernel takes USO only together with TUN_F_CSUM: alone it answers EINVAL, as a kernel before 6.2 does
        try (TapDevice device = TapDevice.open(new TapConfig(tapName, 1, VnetHeader.LENGTH, USO, 0, 1)))
        {
            assertFalse(device.takesUdpGso());
            assertEquals(0, device.offloads());
        }
    }

    @Test
    void shouldStillFailOnOffloadFlagsTheKernelRefusesOtherThanUso()
    {
        final int unknown = 0x4000_0000;
        final IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> TapDevice.open(new TapConfig(tapName, 1, VnetHeader.LENGTH, TSO | USO | unknown, 0, 1)));
        assertTrue(e.getMessage().contains("TUNSETOFFLOAD"), e.getMessage());
    }

    private static boolean kernelAtLeast(final int major, final int minor)
    {
        final String[] parts = System.getProperty("os.version").split("[.-]");
        final int kernelMajor = Integer.parseInt(parts[0]);
        final int kernelMinor = Integer.parseInt(parts[1]);
        return kernelMajor > major || (kernelMajor == major && kernelMinor >= minor);
    }
}
