package io.vfplane.perf.compare;

import picocli.CommandLine.Command;

/** {@code vfplane perf compare} (being written). */
@Command(name = "compare", mixinStandardHelpOptions = true, description = "(being written)")
public final class CompareCommand implements java.util.concurrent.Callable<Integer>
{
    @Override
    public Integer call()
    {
        System.err.println("vfplane perf compare: not built yet");
        return 2;
    }
}
