package io.portcullis.tracking.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.portcullis.lifecycle.DaemonScheduler;

/**
 * Retention of the tracking store: messages (with their recipients, attachments and events) whose last event is
 * older than the configured age are deleted by a scheduled job. Each run is logged with what it deleted.
 */
public class TrackingPurge implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(TrackingPurge.class);
    private static final int BATCH = 1000;

    private final TrackingDao dao;
    private final Clock clock;
    private final Duration retention;
    private final Duration interval;
    private ScheduledExecutorService scheduler;

    public TrackingPurge(TrackingDao dao, Clock clock, Duration retention, Duration interval) {
        this.dao = dao;
        this.clock = clock;
        this.retention = retention;
        this.interval = interval;
    }

    /** Deletes what is older than the retention now; returns the number of messages deleted. */
    public long runOnce() {
        Instant cutoff = clock.instant().minus(retention);
        long started = System.nanoTime();
        try {
            long deleted = dao.purgeOlderThan(cutoff, BATCH);
            LOGGER.info("Tracking purge: deleted {} message(s) and their events with no activity since {} (retention {} days) in {} ms",
                deleted, cutoff, retention.toDays(), (System.nanoTime() - started) / 1_000_000);
            return deleted;
        } catch (Exception e) {
            LOGGER.error("Tracking purge failed (cutoff {}); it will be retried at the next run", cutoff, e);
            return -1;
        }
    }

    /** First run one minute after start, then every {@code interval}. */
    public synchronized void start() {
        if (scheduler != null) {
            return;
        }
        scheduler = DaemonScheduler.single("portcullis-tracking-purge");
        scheduler.scheduleWithFixedDelay(this::runOnce, Math.min(60, interval.toSeconds()), interval.toSeconds(), TimeUnit.SECONDS);
        LOGGER.info("Tracking purge scheduled every {} (retention {} days)", interval, retention.toDays());
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            scheduler = null;
        }
    }
}
