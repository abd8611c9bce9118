package io.portcullis.delivery;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import javax.inject.Inject;
import javax.sql.DataSource;

import io.portcullis.store.GatewayStore;
import io.portcullis.tracking.OutboxEntry;
import io.portcullis.tracking.TrackedEvent;
import io.portcullis.tracking.store.TrackingOutbox;

/** The Delivery log: every delivery attempt, in the gateway store (table of {@code V4__delivery.sql}). */
public class DeliveryLog {
    private static final String COLUMNS = "id, attempted_at, tracking_id, mail_name, sender, recipients, attempt_number, host, ip, tls, reply_code, enhanced_code, reply_text, outcome";

    /** Search criteria; empty = any. */
    public record Query(Optional<String> trackingId, Optional<DeliveryAttempt.Outcome> outcome, Optional<Instant> from,
                        Optional<Instant> to, Optional<String> recipient, int limit) {
        public static Query latest(int limit) {
            return new Query(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), limit);
        }
    }

    private final DataSource dataSource;

    @Inject
    public DeliveryLog(GatewayStore store) {
        this(store.dataSource());
    }

    public DeliveryLog(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Stores one attempt. Derby hands out the identity values of the table in preallocated ranges and, when several
     * threads insert as a range runs out, may refuse one of them with a lock time-out (SQLState 40XL1, seen with
     * RemoteDelivery's 8 workers under load): such an insert is tried again, up to 5 times.
     */
    public void record(DeliveryAttempt attempt) {
        store(attempt, List.of(), Instant.EPOCH);
    }

    /**
     * Stores an attempt and writes its tracking events as owed (the tracking outbox, V12) in one commit, and returns
     * their outbox entries: the caller hands them to {@link io.portcullis.tracking.MessageTracker#recordQueued} and
     * need not wait for the tracking writer. Retried like {@link #record}.
     */
    public List<OutboxEntry> recordOwing(DeliveryAttempt attempt, List<TrackedEvent> events, Instant now) {
        return store(attempt, events, now);
    }

    private List<OutboxEntry> store(DeliveryAttempt attempt, List<TrackedEvent> events, Instant now) {
        for (int tries = 1; ; tries++) {
            try {
                return insert(attempt, events, now);
            } catch (IllegalStateException e) {
                if (tries >= 5 || !(e.getCause() instanceof SQLException sql) || sql.getSQLState() == null || !sql.getSQLState().startsWith("40XL")) {
                    throw e;
                }
                try {
                    Thread.sleep(10L * tries);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private List<OutboxEntry> insert(DeliveryAttempt attempt, List<TrackedEvent> events, Instant now) {
        String sql = "INSERT INTO portcullis_delivery_attempt (attempted_at, tracking_id, mail_name, sender, recipients, attempt_number, host, ip, tls, reply_code, enhanced_code, reply_text, outcome) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)";
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(events.isEmpty());
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setTimestamp(1, Timestamp.from(attempt.at()));
                statement.setString(2, attempt.trackingId().orElse(null));
                statement.setString(3, truncate(attempt.mailName(), 512));
                statement.setString(4, truncate(attempt.sender(), 512));
                statement.setString(5, truncate(String.join(",", attempt.recipients()), 4000));
                statement.setInt(6, attempt.attemptNumber());
                statement.setString(7, attempt.host().map(h -> truncate(h, 255)).orElse(null));
                statement.setString(8, attempt.ip().orElse(null));
                statement.setString(9, attempt.tls().value());
                if (attempt.reply().code().isPresent()) {
                    statement.setInt(10, attempt.reply().code().get());
                } else {
                    statement.setNull(10, Types.INTEGER);
                }
                statement.setString(11, attempt.reply().enhancedCode().orElse(null));
                statement.setString(12, truncate(attempt.reply().text(), 2000));
                statement.setString(13, attempt.outcome().value());
                statement.executeUpdate();
                if (events.isEmpty()) {
                    return List.of();
                }
                List<OutboxEntry> entries = new ArrayList<>();
                for (TrackedEvent event : events) {
                    entries.add(TrackingOutbox.owe(connection, event, now));
                }
                connection.commit();
                return entries;
            } catch (SQLException | RuntimeException e) {
                if (!events.isEmpty()) {
                    connection.rollback();
                }
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot record the delivery attempt of " + attempt.mailName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The recipients (as recorded, lower-cased here) a delivered attempt of this James mail (tracking id and mail
     * name) already reached. RemoteDelivery can meet a mail again that it delivered: after a crash between the
     * receiving server's acceptance and the acknowledgement of its queue item, or when the spool processed the mail
     * again after a crash and queued it a second time.
     */
    public Set<String> deliveredRecipients(String trackingId, String mailName) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(
            "SELECT recipients FROM portcullis_delivery_attempt WHERE tracking_id = ? AND mail_name = ? AND outcome = ?")) {
            statement.setString(1, trackingId);
            statement.setString(2, truncate(mailName, 512));
            statement.setString(3, DeliveryAttempt.Outcome.DELIVERED.value());
            Set<String> recipients = new java.util.HashSet<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    for (String recipient : rows.getString(1).split(",")) {
                        if (!recipient.isBlank()) {
                            recipients.add(recipient.trim().toLowerCase(java.util.Locale.ROOT));
                        }
                    }
                }
            }
            return recipients;
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read the Delivery log: " + e.getMessage(), e);
        }
    }

    /** Attempts matching the query, newest first. */
    public List<DeliveryAttempt> search(Query query) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM portcullis_delivery_attempt WHERE 1=1");
        List<Object> parameters = new ArrayList<>();
        query.trackingId().ifPresent(id -> {
            sql.append(" AND tracking_id = ?");
            parameters.add(id);
        });
        query.outcome().ifPresent(outcome -> {
            sql.append(" AND outcome = ?");
            parameters.add(outcome.value());
        });
        query.from().ifPresent(from -> {
            sql.append(" AND attempted_at >= ?");
            parameters.add(Timestamp.from(from));
        });
        query.to().ifPresent(to -> {
            sql.append(" AND attempted_at < ?");
            parameters.add(Timestamp.from(to));
        });
        query.recipient().ifPresent(recipient -> {
            sql.append(" AND LOWER(recipients) LIKE ?");
            parameters.add("%" + recipient.toLowerCase(java.util.Locale.ROOT) + "%");
        });
        sql.append(" ORDER BY attempted_at DESC, id DESC");
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql.toString())) {
            statement.setMaxRows(query.limit());
            for (int i = 0; i < parameters.size(); i++) {
                statement.setObject(i + 1, parameters.get(i));
            }
            List<DeliveryAttempt> result = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    result.add(read(rows));
                }
            }
            return result;
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read the Delivery log: " + e.getMessage(), e);
        }
    }

    /** The attempts of one message, oldest first (for the message detail). */
    public List<DeliveryAttempt> attemptsOf(String trackingId) {
        List<DeliveryAttempt> attempts = new ArrayList<>(search(new Query(Optional.of(trackingId), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty(), 10_000)));
        java.util.Collections.reverse(attempts);
        return attempts;
    }

    private static DeliveryAttempt read(ResultSet rows) throws SQLException {
        int code = rows.getInt("reply_code");
        Optional<Integer> replyCode = rows.wasNull() ? Optional.empty() : Optional.of(code);
        String recipients = rows.getString("recipients");
        return new DeliveryAttempt(rows.getLong("id"), rows.getTimestamp("attempted_at").toInstant(),
            Optional.ofNullable(rows.getString("tracking_id")), rows.getString("mail_name"), rows.getString("sender"),
            recipients.isEmpty() ? List.of() : Arrays.asList(recipients.split(",")), rows.getInt("attempt_number"),
            Optional.ofNullable(rows.getString("host")), Optional.ofNullable(rows.getString("ip")),
            DeliveryAttempt.Tls.valueOf(rows.getString("tls").toUpperCase(java.util.Locale.ROOT)),
            new SmtpReply(replyCode, Optional.ofNullable(rows.getString("enhanced_code")), Optional.ofNullable(rows.getString("reply_text")).orElse("")),
            DeliveryAttempt.Outcome.parse(rows.getString("outcome")).orElseThrow());
    }

    private static String truncate(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }
}
