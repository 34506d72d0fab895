package io.vfplane.perf.harness;

import picocli.CommandLine.Command;

/** {@code vfplane perf run} (being written). */
@Command(name = "run", mixinStandardHelpOptions = true, description = "(being written)")
public final class RunCommand implements java.util.concurrent.Callable<Integer>
{
    @Override
    public Integer call()
    {
        System.err.println("vfplane perf run: not built yet");
        return 2;
    }
}
