package io.vfplane.overlay.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code vfplane vf set N [mac ..] [vlan ..] [spoofchk on|off] [trust on|off] [state ..] [max_tx_rate ..] [ip ..]}
 * and {@code vfplane vf show}, as {@code ip link set DEV vf N ...}.
 */
@Command(name = "vf", mixinStandardHelpOptions = true, description = "Show or change a running daemon's VFs.",
    subcommands = {VfCommand.Set.class, VfCommand.Show.class})
public final class VfCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
        description = {"Change VF N: vlan ID [qos Q] [proto 802.1Q|802.1ad], max_tx_rate MBPS, spoofchk on|off, " +
            "trust on|off, state auto|enable|disable, ip ADDR[,ADDR..]|none (IPv4 or IPv6).",
            "A running daemon refuses a new mac (host.yaml and a restart change it); min_tx_rate is kept and " +
            "shown but not enforced; state auto follows the PF link, which the daemon keeps up."})
    public static final class Set implements Callable<Integer>
    {
        @Mixin
        ControlClient client;

        @Parameters(index = "0", paramLabel = "N", description = "VF number")
        String vf;

        @Parameters(index = "1..*", paramLabel = "ARG", description = "settings, as ip link set DEV vf N ...")
        List<String> args;

        @Override
        public Integer call()
        {
            return client.call("POST", "/vf/set?vf=" + URLEncoder.encode(vf, StandardCharsets.UTF_8),
                String.join("\n", args == null ? List.of() : args));
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "The VFs (same as show vfs).")
    public static final class Show implements Callable<Integer>
    {
        @Mixin
        ControlClient client;

        @Override
        public Integer call()
        {
            return client.call("GET", "/vfs", null);
        }
    }
}
