package io.vfplane.vf;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses the arguments of {@code vfplane vf set N ...}, which follow {@code ip link set DEV vf N ...}:
 *
 * <pre>
 *  vf set N [ mac LLADDR ]
 *           [ vlan VLANID [ qos VLAN-QOS ] [ proto 802.1Q | 802.1ad ] ]
 *           [ rate TXRATE ] [ max_tx_rate TXRATE ] [ min_tx_rate TXRATE ]
 *           [ spoofchk { on | off } ] [ trust { on | off } ] [ state { auto | enable | disable } ]
 *           [ ip ADDR[,ADDR...] | ip none ]                (vfplane's addition: the IPv4 and IPv6 sources spoofchk allows)
 * </pre>
 *
 * {@code min_tx_rate} is kept and shown, as {@code ip link} shows it, but nothing enforces a minimum (there is no
 * rate scheduler between VFs, only each VF's {@code max_tx_rate} token bucket).
 * <p>
 * A pure function: the same arguments applied to the same config give the same config; nothing is published.
 * Every error is an {@link IllegalArgumentException} whose message starts with the field it is about.
 */
public final class VfSetCommand
{
    private VfSetCommand()
    {
    }

    /**
     * @param text the VF number.
     * @return it as an int.
     * @throws IllegalArgumentException naming {@code vf} when it is not a number >= 0.
     */
    public static int parseIndex(final String text)
    {
        try
        {
            final int index = Integer.parseInt(text);
            if (index >= 0)
            {
                return index;
            }
        }
        catch (final NumberFormatException e)
        {
            // reported below
        }
        throw new IllegalArgumentException("vf: not a VF number: " + text);
    }

    /**
     * Applies {@code field value} pairs to {@code current}.
     *
     * @param current the config now.
     * @param args    the words after {@code vf set N}.
     * @return the new config.
     * @throws IllegalArgumentException naming the field when a word or value is bad.
     */
    public static VfConfig apply(final VfConfig current, final List<String> args)
    {
        if (args.isEmpty())
        {
            throw new IllegalArgumentException("vf set: nothing to set (mac, vlan, spoofchk, trust, state, " +
                "max_tx_rate, min_tx_rate, ip)");
        }
        VfConfig config = current;
        int maxRate = current.maxTxRateMbps();
        int minRate = current.minTxRateMbps();
        boolean rateSet = false;
        int i = 0;
        while (i < args.size())
        {
            final String field = args.get(i);
            switch (field)
            {
                case "mac" ->
                {
                    final String value = value(args, i, field);
                    final long mac;
                    try
                    {
                        mac = Macs.parse(value);
                    }
                    catch (final IllegalArgumentException e)
                    {
                        throw new IllegalArgumentException("mac: " + e.getMessage(), e);
                    }
                    if (Macs.isMulticast(mac))
                    {
                        throw new IllegalArgumentException("mac: a VF MAC must be unicast: " + value);
                    }
                    config = config.mac(mac);
                    i += 2;
                }
                case "vlan" ->
                {
                    final int vlan = number(value(args, i, field), field, 0, VfConfig.MAX_VLAN);
                    i += 2;
                    int qos = 0;
                    int proto = VfConfig.PROTO_8021Q;
                    if (i < args.size() && "qos".equals(args.get(i)))
                    {
                        qos = number(value(args, i, "qos"), "qos", 0, VfConfig.MAX_QOS);
                        i += 2;
                    }
                    if (i < args.size() && "proto".equals(args.get(i)))
                    {
                        proto = protocol(value(args, i, "proto"));
                        i += 2;
                    }
                    config = config.vlan(vlan, qos, proto);
                }
                case "qos", "proto" -> throw new IllegalArgumentException(field + ": must follow vlan VLANID");
                case "rate", "max_tx_rate" ->
                {
                    maxRate = number(value(args, i, field), field, 0, VfConfig.MAX_RATE_MBPS);
                    rateSet = true;
                    i += 2;
                }
                case "min_tx_rate" ->
                {
                    minRate = number(value(args, i, field), field, 0, VfConfig.MAX_RATE_MBPS);
                    rateSet = true;
                    i += 2;
                }
                case "spoofchk" ->
                {
                    config = config.spoofCheck(onOff(value(args, i, field), field));
                    i += 2;
                }
                case "trust" ->
                {
                    config = config.trust(onOff(value(args, i, field), field));
                    i += 2;
                }
                case "state" ->
                {
                    final String value = value(args, i, field);
                    final LinkState state = LinkState.of(value);
                    if (state == null)
                    {
                        throw new IllegalArgumentException("state: must be auto, enable or disable: " + value);
                    }
                    config = config.linkState(state);
                    i += 2;
                }
                case "ip" ->
                {
                    final String value = value(args, i, field);
                    config = config.ipv4Addresses(addresses(value)).ipv6Addresses(ipv6Addresses(value));
                    i += 2;
                }
                default -> throw new IllegalArgumentException(field + ": unknown field (mac, vlan, qos, proto, " +
                    "rate, max_tx_rate, min_tx_rate, spoofchk, trust, state, ip)");
            }
        }
        if (rateSet)
        {
            config = config.txRate(minRate, maxRate);
        }
        return config;
    }

    private static String value(final List<String> args, final int i, final String field)
    {
        if (i + 1 >= args.size())
        {
            throw new IllegalArgumentException(field + ": missing value");
        }
        return args.get(i + 1);
    }

    private static int number(final String value, final String field, final int min, final int max)
    {
        try
        {
            final int n = Integer.parseInt(value);
            if (n >= min && n <= max)
            {
                return n;
            }
        }
        catch (final NumberFormatException e)
        {
            // reported below
        }
        throw new IllegalArgumentException(field + ": must be a number " + min + ".." + max + ": " + value);
    }

    private static boolean onOff(final String value, final String field)
    {
        return switch (value)
        {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException(field + ": must be on or off: " + value);
        };
    }

    private static int protocol(final String value)
    {
        return switch (value.toLowerCase(java.util.Locale.ROOT))
        {
            case "802.1q" -> VfConfig.PROTO_8021Q;
            case "802.1ad" -> VfConfig.PROTO_8021AD;
            default -> throw new IllegalArgumentException("proto: must be 802.1Q or 802.1ad: " + value);
        };
    }

    private static int[] addresses(final String value)
    {
        if ("none".equals(value))
        {
            return new int[0];
        }
        final List<Integer> list = new ArrayList<>();
        for (final String part : value.split(",", -1))
        {
            if (part.indexOf(':') >= 0)
            {
                continue; // an IPv6 address: ipv6Addresses takes it
            }
            try
            {
                list.add(Macs.parseIpv4(part));
            }
            catch (final IllegalArgumentException e)
            {
                throw new IllegalArgumentException("ip: " + e.getMessage(), e);
            }
        }
        final int[] result = new int[list.size()];
        for (int j = 0; j < result.length; j++)
        {
            result[j] = list.get(j);
        }
        return result;
    }

    /** The IPv6 addresses of an {@code ip} list (those with a colon), as pairs of longs. */
    private static long[] ipv6Addresses(final String value)
    {
        if ("none".equals(value))
        {
            return new long[0];
        }
        final List<long[]> list = new ArrayList<>();
        for (final String part : value.split(",", -1))
        {
            if (part.indexOf(':') >= 0)
            {
                try
                {
                    list.add(Macs.parseIpv6(part));
                }
                catch (final IllegalArgumentException e)
                {
                    throw new IllegalArgumentException("ip: " + e.getMessage(), e);
                }
            }
        }
        final long[] result = new long[list.size() * 2];
        for (int j = 0; j < list.size(); j++)
        {
            result[2 * j] = list.get(j)[0];
            result[2 * j + 1] = list.get(j)[1];
        }
        return result;
    }
}
