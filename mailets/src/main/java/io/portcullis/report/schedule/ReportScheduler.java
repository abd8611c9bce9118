package io.portcullis.report.schedule;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import javax.annotation.PreDestroy;

import org.apache.james.task.TaskId;
import org.apache.james.task.TaskManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.portcullis.lifecycle.DaemonScheduler;
import io.portcullis.report.ReportConfiguration;
import io.portcullis.report.ReportService;
import io.portcullis.report.ReportStore;

/**
 * Submits a {@link ReportRunTask} to James's task manager at each time of {@code report.schedule}. The last run
 * time is kept in the store: when a scheduled time passed while the server was down, one run is submitted at
 * start. Started with the server (Guice initialisation operation), stopped with it.
 */
public class ReportScheduler implements org.apache.james.lifecycle.api.Startable {
    private static final Logger LOGGER = LoggerFactory.getLogger(ReportScheduler.class);
    static final String STATE = "scheduled";

    private final ReportService service;
    private final ReportStore store;
    private final TaskManager taskManager;
    private final ReportConfiguration configuration;
    private final Clock clock;
    private ScheduledExecutorService executor;
    private ScheduledFuture<?> next;

    public ReportScheduler(ReportService service, ReportStore store, TaskManager taskManager, ReportConfiguration configuration, Clock clock) {
        this.service = service;
        this.store = store;
        this.taskManager = taskManager;
        this.configuration = configuration;
        this.clock = clock;
    }

    public synchronized void start() {
        if (executor != null || configuration.schedules().isEmpty()) {
            LOGGER.info("Quarantine report scheduler: {}", configuration.schedules().isEmpty() ? "no schedule" : "already running");
            return;
        }
        executor = DaemonScheduler.single("portcullis-reports");
        try {
            Optional<Instant> last = store.lastRun(STATE);
            if (last.isPresent() && nextAfter(last.get()).map(n -> !n.isAfter(clock.instant())).orElse(false)) {
                LOGGER.info("Quarantine report run missed since {}: running once now", last.get());
                submit(Optional.empty());
            } else if (last.isEmpty()) {
                store.setLastRun(STATE, clock.instant());
            }
        } catch (SQLException e) {
            LOGGER.error("Quarantine report scheduler could not read its last run", e);
        }
        scheduleNext();
        LOGGER.info("Quarantine report scheduler started: {}", configuration.schedules());
    }

    /** Submits a run now; the task id is what {@code POST /portcullis/reports} returns. */
    public TaskId submit(Optional<String> recipient) {
        if (recipient.isEmpty()) {
            try {
                store.setLastRun(STATE, clock.instant());
            } catch (SQLException e) {
                LOGGER.warn("Could not record the report run time: {}", e.getMessage());
            }
        }
        return taskManager.submit(new ReportRunTask(service, recipient, clock));
    }

    /** The next scheduled time strictly after {@code after}, over all expressions. */
    public Optional<Instant> nextAfter(Instant after) {
        ZonedDateTime from = after.atZone(configuration.zone());
        return configuration.schedules().stream()
            .map(cron -> cron.next(from))
            .flatMap(Optional::stream)
            .min(Comparator.naturalOrder())
            .map(ZonedDateTime::toInstant);
    }

    private synchronized void scheduleNext() {
        if (executor == null) {
            return;
        }
        Optional<Instant> at = nextAfter(clock.instant());
        if (at.isEmpty()) {
            return;
        }
        long delay = Math.max(0, at.get().toEpochMilli() - clock.millis());
        next = executor.schedule(() -> {
            try {
                submit(Optional.empty());
            } catch (RuntimeException e) {
                LOGGER.error("Scheduled quarantine report run could not be submitted", e);
            }
            scheduleNext();
        }, delay, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    public synchronized void stop() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
            next = null;
        }
    }

    public synchronized boolean isRunning() {
        return executor != null;
    }
}
