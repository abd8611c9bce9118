package io.portcullis.lifecycle;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** The single background thread of a periodic Portcullis job (purge, replay, timeouts, reports, expiry). */
public final class DaemonScheduler {
    private DaemonScheduler() {
    }

    /** A scheduler with one daemon thread named {@code threadName}: it never keeps the JVM from exiting. */
    public static ScheduledExecutorService single(String threadName) {
        return Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
        });
    }
}
