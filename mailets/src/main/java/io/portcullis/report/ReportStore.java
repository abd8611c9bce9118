package io.portcullis.report;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import javax.inject.Inject;
import javax.sql.DataSource;

import io.portcullis.store.GatewayStore;

/**
 * Tables of V5: used tokens, last report per recipient, allowed senders, last scheduled run; of V15: the on-demand
 * requests answered in the last hour (rate limits).
 */
public class ReportStore {
    /**
     * How long the allowed senders of a recipient read from the store are reused. The filter asks for every
     * message and recipient; an allow added on this node forgets the recipient's entry at once, one added by
     * another node sharing the store is seen within this time.
     */
    static final long ALLOWED_CACHE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    /** Recipients whose allowed senders are kept; beyond, the cache starts again empty. */
    static final int ALLOWED_CACHE_RECIPIENTS = 10_000;

    private record Allowed(Set<String> senders, long readAt) {
    }

    /** The answer to {@link #admitRequest}. */
    public enum Admission { ADMITTED, ADDRESS_LIMIT, TOTAL_LIMIT }

    private final DataSource dataSource;
    private final ConcurrentHashMap<String, Allowed> allowed = new ConcurrentHashMap<>();

    @Inject
    public ReportStore(GatewayStore store) {
        this(store.dataSource());
    }

    public ReportStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Marks a token used; false when it already was (single use, atomic through the primary key). */
    public boolean markUsed(String tokenId, String entryId, String action, Instant at) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("INSERT INTO report_used_token (token_id, entry_id, action, used_at) VALUES (?, ?, ?, ?)")) {
            s.setString(1, tokenId);
            s.setString(2, entryId);
            s.setString(3, action);
            s.setLong(4, at.toEpochMilli());
            s.executeUpdate();
            return true;
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Takes a place for an on-demand request of {@code address} at {@code at} when fewer than {@code maxPerAddress}
     * requests of that address and fewer than {@code maxTotal} requests in all were admitted in the {@code window}
     * before; first deletes the rows older than the window. The place is taken first and given back when over a
     * limit, each statement committed on its own: requests racing on several nodes may all be refused at the
     * limit, never all admitted beyond it.
     */
    public Admission admitRequest(String address, Instant at, Duration window, int maxPerAddress, int maxTotal) throws SQLException {
        String key = address.toLowerCase(Locale.ROOT);
        long floor = at.minus(window).toEpochMilli();
        String id = UUID.randomUUID().toString();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM report_request WHERE requested_at <= ?")) {
                s.setLong(1, floor);
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO report_request (request_id, address, requested_at) VALUES (?, ?, ?)")) {
                s.setString(1, id);
                s.setString(2, key);
                s.setLong(3, at.toEpochMilli());
                s.executeUpdate();
            }
            Admission admission = Admission.ADMITTED;
            if (count(c, "SELECT COUNT(*) FROM report_request WHERE address = ? AND requested_at > ?", key, floor) > maxPerAddress) {
                admission = Admission.ADDRESS_LIMIT;
            } else if (count(c, "SELECT COUNT(*) FROM report_request WHERE requested_at > ?", null, floor) > maxTotal) {
                admission = Admission.TOTAL_LIMIT;
            }
            if (admission != Admission.ADMITTED) {
                try (PreparedStatement s = c.prepareStatement("DELETE FROM report_request WHERE request_id = ?")) {
                    s.setString(1, id);
                    s.executeUpdate();
                }
            }
            return admission;
        }
    }

    /** Requests admitted in all (rows not purged yet), for tests and diagnostics. */
    public int requestRows() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return (int) count(c, "SELECT COUNT(*) FROM report_request WHERE requested_at > ?", null, Long.MIN_VALUE);
        }
    }

    private static long count(Connection c, String sql, String address, long floor) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            int i = 1;
            if (address != null) {
                s.setString(i++, address);
            }
            s.setLong(i, floor);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    public boolean isUsed(String tokenId) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT 1 FROM report_used_token WHERE token_id = ?")) {
            s.setString(1, tokenId);
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        }
    }

    public Optional<Instant> lastReport(String recipient) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT last_report FROM report_recipient WHERE recipient = ?")) {
            s.setString(1, recipient.toLowerCase(Locale.ROOT));
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(Instant.ofEpochMilli(r.getLong(1))) : Optional.empty();
            }
        }
    }

    public void setLastReport(String recipient, Instant at) throws SQLException {
        upsert("UPDATE report_recipient SET last_report = ? WHERE recipient = ?",
            "INSERT INTO report_recipient (last_report, recipient) VALUES (?, ?)", at, recipient.toLowerCase(Locale.ROOT));
    }

    public Optional<Instant> lastRun(String name) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT last_run FROM report_schedule_state WHERE name = ?")) {
            s.setString(1, name);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(Instant.ofEpochMilli(r.getLong(1))) : Optional.empty();
            }
        }
    }

    public void setLastRun(String name, Instant at) throws SQLException {
        upsert("UPDATE report_schedule_state SET last_run = ? WHERE name = ?",
            "INSERT INTO report_schedule_state (last_run, name) VALUES (?, ?)", at, name);
    }

    public void allowSender(String recipient, String sender, Instant at) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("INSERT INTO report_allowed_sender (recipient, sender, created) VALUES (?, ?, ?)")) {
            s.setString(1, recipient.toLowerCase(Locale.ROOT));
            s.setString(2, sender.toLowerCase(Locale.ROOT));
            s.setLong(3, at.toEpochMilli());
            s.executeUpdate();
        } catch (SQLException e) {
            if (e.getSQLState() == null || !e.getSQLState().startsWith("23")) {
                throw e;
            }
        } finally {
            allowed.remove(recipient.toLowerCase(Locale.ROOT));
        }
    }

    public boolean isAllowed(String recipient, String sender) throws SQLException {
        String key = recipient.toLowerCase(Locale.ROOT);
        Allowed known = allowed.get(key);
        long now = System.nanoTime();
        if (known == null || now - known.readAt() > ALLOWED_CACHE_NANOS) {
            long readAt = System.nanoTime();
            known = new Allowed(readAllowed(key), readAt);
            if (allowed.size() >= ALLOWED_CACHE_RECIPIENTS) {
                allowed.clear();
            }
            allowed.put(key, known);
        }
        return known.senders().contains(sender.toLowerCase(Locale.ROOT));
    }

    private Set<String> readAllowed(String recipient) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT sender FROM report_allowed_sender WHERE recipient = ?")) {
            s.setString(1, recipient);
            try (ResultSet r = s.executeQuery()) {
                Set<String> senders = new java.util.HashSet<>();
                while (r.next()) {
                    senders.add(r.getString(1));
                }
                return Set.copyOf(senders);
            }
        }
    }

    /** Recipients with held entries that arrived after {@code since}, sorted. */
    public List<String> recipientsWithHeld(Instant since) throws SQLException {
        List<String> result = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT DISTINCT recipient FROM quarantine_entry WHERE state = 'HELD' AND arrival > ? ORDER BY recipient")) {
            s.setLong(1, since.toEpochMilli());
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    result.add(r.getString(1));
                }
            }
        }
        return result;
    }

    private void upsert(String update, String insert, Instant at, String key) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement s = c.prepareStatement(update)) {
                s.setLong(1, at.toEpochMilli());
                s.setString(2, key);
                if (s.executeUpdate() > 0) {
                    return;
                }
            }
            try (PreparedStatement s = c.prepareStatement(insert)) {
                s.setLong(1, at.toEpochMilli());
                s.setString(2, key);
                s.executeUpdate();
            }
        }
    }
}
