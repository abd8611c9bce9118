package io.portcullis.bench;

import java.time.Duration;
import java.time.Instant;

/** A mail server under the load of {@link GatewayLoadBenchmark}: one of the gateway's set-ups or the peer. */
public interface LoadTarget extends AutoCloseable {
    /** The set-up's name as printed (PEER, BASELINE, FULL). */
    String name();

    int smtpPort();

    /** Messages the sink received so far. */
    long delivered() throws Exception;

    /** Messages held so far (quarantine, hold queue). */
    long held() throws Exception;

    /** Waits until every one of {@code expected} messages is processed (delivered, held, or refused); returns when. */
    Instant awaitAccounted(long expected, Duration timeout) throws Exception;

    /** CPU seconds the server used so far (all its processes). */
    double cpuSeconds() throws Exception;

    /** Peak resident memory so far, MiB (summed over its processes). */
    long peakRssMib() throws Exception;

    /** What the server itself says after a run (error log lines, accounting detail), for the output. */
    String report() throws Exception;
}
