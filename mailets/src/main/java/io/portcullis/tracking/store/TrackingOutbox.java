package io.portcullis.tracking.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.portcullis.lifecycle.DaemonScheduler;
import io.portcullis.tracking.EventType;
import io.portcullis.tracking.MessageTracker;
import io.portcullis.tracking.OutboxEntry;
import io.portcullis.tracking.TrackedEvent;

/**
 * The tracking outbox (V12): events a capability has made durable in its own transaction on the gateway store,
 * and that the tracking writer still owes. How it is used:
 * <ol>
 *   <li>in its transaction, the capability writes its rows and {@link #owe} each event;</li>
 *   <li>after its commit, it hands each event and its entry to {@link MessageTracker#recordQueued} and goes on
 *       without waiting for the group commit;</li>
 *   <li>the tracking writer stores the event and deletes the entry in one transaction;</li>
 *   <li>{@link #replay} stores what a crash (or a failed write) left owed: at start-up, then periodically for
 *       entries older than a minute. An entry already taken is skipped, so no event is stored twice.</li>
 * </ol>
 */
public class TrackingOutbox {
    private static final Logger LOGGER = LoggerFactory.getLogger(TrackingOutbox.class);
    private static final int PAGE = 500;
    /** How long an event may stay owed before the periodic replay stores it (the live path normally takes milliseconds). */
    static final Duration INTERVAL = Duration.ofMinutes(1);

    private final DataSource dataSource;
    private final MessageTracker tracker;
    private final Clock clock;
    private ScheduledExecutorService scheduler;

    public TrackingOutbox(DataSource dataSource, MessageTracker tracker, Clock clock) {
        this.dataSource = dataSource;
        this.tracker = tracker;
        this.clock = clock;
    }

    /** Writes {@code event} as owed in the transaction of {@code connection}; returns its entry. */
    public static OutboxEntry owe(Connection connection, TrackedEvent event, Instant now) throws SQLException {
        String id = UUID.randomUUID().toString();
        try (PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO tracking_outbox (id, owed_at, tracking_id, event_time, event_type, info) VALUES (?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, id);
            insert.setLong(2, now.toEpochMilli());
            insert.setString(3, event.trackingId());
            insert.setLong(4, event.at().toEpochMilli());
            insert.setString(5, event.type().name());
            insert.setString(6, event.info().isEmpty() ? null : TrackingDao.toJson(event.info()));
            insert.executeUpdate();
        }
        return entry(id);
    }

    private static OutboxEntry entry(String id) {
        return connection -> {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM tracking_outbox WHERE id = ?")) {
                delete.setString(1, id);
                return delete.executeUpdate() == 1;
            }
        };
    }

    /** Hands events committed as owed to the tracking writer, without waiting; a failure leaves them to {@link #replay}. */
    public static void queue(MessageTracker tracker, List<TrackedEvent> events, List<OutboxEntry> entries) {
        for (int i = 0; i < events.size(); i++) {
            TrackedEvent event = events.get(i);
            tracker.recordQueued(event, entries.get(i)).whenComplete((stored, failure) -> {
                if (failure != null) {
                    LOGGER.warn(
                        "Tracking event {} of {} not stored yet ({}); it stays in the tracking outbox for the next replay",
                        event.type(), event.trackingId(), failure.getMessage());
                }
            });
        }
    }

    /**
     * Stores the events owed since before {@code before}, each once, and waits for them; returns how many were owed.
     * Throws when one of them could not be stored (it stays owed).
     */
    public int replay(Instant before) {
        int owed = 0;
        while (true) {
            List<CompletableFuture<Void>> stored = new ArrayList<>();
            int page = 0;
            try (Connection connection = dataSource.getConnection(); PreparedStatement select = connection.prepareStatement(
                "SELECT id, tracking_id, event_time, event_type, info FROM tracking_outbox WHERE owed_at < ? ORDER BY owed_at")) {
                select.setMaxRows(PAGE);
                select.setLong(1, before.toEpochMilli());
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        page++;
                        Optional<EventType> type = EventType.parse(rows.getString(4));
                        String id = rows.getString(1);
                        if (type.isEmpty()) {
                            // written by a newer version: left for it
                            continue;
                        }
                        TrackedEvent event = new TrackedEvent(rows.getString(2), type.get(), Instant.ofEpochMilli(rows.getLong(3)),
                            TrackingDao.fromJson(rows.getString(5)));
                        stored.add(tracker.recordQueued(event, entry(id)));
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException("Cannot read the tracking outbox: " + e.getMessage(), e);
            }
            owed += stored.size();
            try {
                CompletableFuture.allOf(stored.toArray(CompletableFuture[]::new)).join();
            } catch (CompletionException e) {
                throw new IllegalStateException("Owed tracking events could not be stored: " + e.getCause().getMessage(), e.getCause());
            }
            if (page < PAGE || stored.isEmpty()) {
                return owed;
            }
        }
    }

    /** Replays at once (what the last run left owed), then every {@link #INTERVAL} what is owed for longer than that. */
    public synchronized void start() {
        if (scheduler != null) {
            return;
        }
        scheduler = DaemonScheduler.single("portcullis-tracking-outbox");
        scheduler.execute(() -> replayLogged(Duration.ZERO));
        scheduler.scheduleWithFixedDelay(() -> replayLogged(INTERVAL), INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void replayLogged(Duration minimumAge) {
        try {
            int owed = replay(clock.instant().minus(minimumAge));
            if (owed > 0) {
                LOGGER.info("Stored {} tracking event(s) left in the tracking outbox", owed);
            }
        } catch (RuntimeException e) {
            LOGGER.error("Tracking outbox not replayed (tried again in {} s): {}", INTERVAL.toSeconds(), e.getMessage(), e);
        }
    }

    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }
}
