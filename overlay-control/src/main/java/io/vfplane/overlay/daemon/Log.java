package io.vfplane.overlay.daemon;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/**
 * The daemon's log: one line per thing the daemon did (start, probe results, config loaded, peer changes), to
 * standard error. Never called per packet.
 */
public final class Log
{
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private final String instance;

    public Log(final String instance)
    {
        this.instance = instance;
    }

    public void info(final String message)
    {
        System.err.println(LocalTime.now().format(TIME) + " vfplane[" + instance + "] " + message);
    }
}
