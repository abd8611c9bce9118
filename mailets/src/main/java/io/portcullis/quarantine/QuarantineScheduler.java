package io.portcullis.quarantine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.annotation.PreDestroy;
import javax.inject.Inject;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.portcullis.lifecycle.DaemonScheduler;

/**
 * Background work of the quarantine, on one daemon thread: at start, re-injects entries a crash left
 * DISPATCHING (recovery); then every {@code quarantine.expiry.interval} discards expired entries and retries
 * dispatches stuck for more than {@link #STUCK_AFTER}; every {@code quarantine.notify.digest.interval} sends
 * the administrator digest. Started by the Guice module's initialisation operation, stopped with the server.
 */
public class QuarantineScheduler implements org.apache.james.lifecycle.api.Startable {
    private static final Logger LOGGER = LoggerFactory.getLogger(QuarantineScheduler.class);
    /** A dispatch older than this is considered interrupted (the enqueue itself takes milliseconds). */
    static final Duration STUCK_AFTER = Duration.ofMinutes(5);

    private final QuarantineService service;
    private final Clock clock;
    private ScheduledExecutorService executor;

    @Inject
    public QuarantineScheduler(QuarantineService service) {
        this(service, Clock.systemUTC());
    }

    QuarantineScheduler(QuarantineService service, Clock clock) {
        this.service = service;
        this.clock = clock;
    }

    public synchronized void start() {
        if (executor != null) {
            return;
        }
        Instant startedAt = clock.instant();
        executor = DaemonScheduler.single("portcullis-quarantine");
        executor.execute(() -> safely("recovery", () -> service.recover(startedAt)));
        long expiry = service.configuration().expiryInterval().toMillis();
        executor.scheduleWithFixedDelay(this::runPeriodic, expiry, expiry, TimeUnit.MILLISECONDS);
        long digest = service.configuration().digestInterval().toMillis();
        executor.scheduleWithFixedDelay(() -> safely("digest", service::sendDigest), digest, digest, TimeUnit.MILLISECONDS);
        LOGGER.info("Quarantine scheduler started: expiry every {}, digest every {}", service.configuration().expiryInterval(),
            service.configuration().digestInterval());
    }

    /** One round of expiry and stuck-dispatch recovery (also what tests call). */
    public void runPeriodic() {
        safely("expiry", service::expire);
        safely("recovery", () -> service.recover(clock.instant().minus(STUCK_AFTER)));
    }

    private static void safely(String what, java.util.function.IntSupplier task) {
        try {
            int count = task.getAsInt();
            if (count > 0) {
                LOGGER.info("Quarantine {}: {} entries", what, count);
            }
        } catch (RuntimeException e) {
            LOGGER.error("Quarantine {} failed; will try again", what, e);
        }
    }

    @PreDestroy
    public synchronized void stop() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }

    public synchronized boolean isRunning() {
        return executor != null;
    }
}
