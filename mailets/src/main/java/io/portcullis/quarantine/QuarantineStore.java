package io.portcullis.quarantine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import javax.inject.Inject;
import javax.sql.DataSource;

import io.portcullis.store.GatewayStore;
import io.portcullis.store.StoredText;
import io.portcullis.tracking.OutboxEntry;
import io.portcullis.tracking.TrackedEvent;
import io.portcullis.tracking.store.TrackingOutbox;

/**
 * JDBC access to the quarantine tables of the gateway store (migration V3). Every state change is a single
 * conditional {@code UPDATE ... WHERE state = ...}, so concurrent or repeated actions (two administrators, a
 * double click, a node restarting) act once: the caller learns from the returned boolean whether it won.
 */
public class QuarantineStore {
    /** What {@link #passGate} decided for a re-injected copy. */
    public enum GateDecision {
        /** First copy through (or the same copy again after a restart): let it go on. */
        PASS,
        /** Another copy of the same entry already went through: drop this one. */
        DUPLICATE
    }

    public record NewEntry(String recipient, Optional<Instant> expiry) {
    }

    private static final String COLUMNS = "e.entry_id, e.recipient, e.state, e.expiry, e.state_changed, e.dispatch_action, "
        + "e.dispatch_processor, e.dispatched_copy, e.actioned_by, m.message_id, m.mail_name, m.tracking_id, m.sender, m.subject, "
        + "m.area, m.score, m.reasons, m.triggered_rules, m.direction, m.message_security, m.unscannable_reason, m.arrival, m.size_bytes";
    private static final String FROM = " FROM quarantine_entry e JOIN quarantine_message m ON e.message_id = m.message_id";

    private final DataSource dataSource;

    @Inject
    public QuarantineStore(GatewayStore store) {
        this(store.dataSource());
    }

    public QuarantineStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * The entry ids of the message this mail (same James mail name and tracking id) was already held as, if any: a
     * mail the spool processes again after a crash (held, but not yet acknowledged) is not held twice.
     */
    public Optional<List<String>> heldAs(String mailName, String trackingId) throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement ps = connection.prepareStatement(
            "SELECT e.entry_id FROM quarantine_message m JOIN quarantine_entry e ON e.message_id = m.message_id"
                + " WHERE m.mail_name = ? AND m.tracking_id = ? ORDER BY e.entry_id")) {
            ps.setString(1, truncate(mailName, 255));
            ps.setString(2, truncate(trackingId, 64));
            List<String> ids = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids.isEmpty() ? Optional.empty() : Optional.of(ids);
        }
    }

    public static String newId() {
        return UUID.randomUUID().toString();
    }

    /** Stores the raw message, its metadata and one entry per recipient in ONE transaction; returns the entry ids. */
    public List<String> insert(HeldMessage message, byte[] raw, List<NewEntry> entries, boolean notifyPending) throws SQLException {
        return insert(message, raw, entries, notifyPending, List.of(), Instant.EPOCH).ids();
    }

    /** The entry ids of a held message, and the outbox entries of its tracking events. */
    public record Inserted(List<String> ids, List<OutboxEntry> owed) {
    }

    /**
     * Stores the message as {@link #insert(HeldMessage, byte[], List, boolean)} does and, in the same transaction, its
     * tracking events as owed (the tracking outbox, V12), so the caller need not wait for the tracking writer.
     */
    public Inserted insert(HeldMessage message, byte[] raw, List<NewEntry> entries, boolean notifyPending, List<TrackedEvent> events,
                           Instant now) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                try (PreparedStatement ps = connection.prepareStatement("INSERT INTO quarantine_message (message_id, mail_name, "
                    + "tracking_id, sender, subject, area, score, reasons, triggered_rules, direction, message_security, "
                    + "unscannable_reason, arrival, size_bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, message.messageId());
                    ps.setString(2, truncate(message.mailName(), 255));
                    ps.setString(3, truncate(message.trackingId(), 64));
                    ps.setString(4, truncate(message.sender().toLowerCase(Locale.ROOT), 320));
                    ps.setString(5, message.subject().map(s -> truncate(s, 998)).orElse(null));
                    ps.setString(6, message.area());
                    if (message.score().isPresent()) {
                        ps.setInt(7, message.score().get());
                    } else {
                        ps.setNull(7, Types.INTEGER);
                    }
                    ps.setString(8, nullIfEmpty(truncate(String.join("\n", message.reasons()), 8000)));
                    ps.setString(9, nullIfEmpty(truncate(String.join("\n", message.triggeredRules()), 2000)));
                    ps.setString(10, message.direction().map(s -> truncate(s, 16)).orElse(null));
                    ps.setString(11, message.messageSecurity().map(s -> truncate(s, 16)).orElse(null));
                    ps.setString(12, message.unscannableReason().map(s -> truncate(s, 2000)).orElse(null));
                    ps.setLong(13, message.arrival().toEpochMilli());
                    ps.setLong(14, raw.length);
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = connection.prepareStatement("INSERT INTO quarantine_raw (message_id, raw_message) VALUES (?, ?)")) {
                    ps.setString(1, message.messageId());
                    ps.setBytes(2, raw);
                    ps.executeUpdate();
                }
                List<String> ids = new ArrayList<>();
                try (PreparedStatement ps = connection.prepareStatement("INSERT INTO quarantine_entry (entry_id, message_id, "
                    + "recipient, state, arrival, expiry, state_changed, notify_pending) VALUES (?, ?, ?, 'HELD', ?, ?, ?, ?)")) {
                    for (NewEntry entry : entries) {
                        String id = newId();
                        ps.setString(1, id);
                        ps.setString(2, message.messageId());
                        ps.setString(3, truncate(entry.recipient().toLowerCase(Locale.ROOT), 320));
                        ps.setLong(4, message.arrival().toEpochMilli());
                        setInstant(ps, 5, entry.expiry());
                        ps.setLong(6, message.arrival().toEpochMilli());
                        ps.setShort(7, (short) (notifyPending ? 1 : 0));
                        ps.addBatch();
                        ids.add(id);
                    }
                    ps.executeBatch();
                }
                List<OutboxEntry> owed = new ArrayList<>();
                for (TrackedEvent event : events) {
                    owed.add(TrackingOutbox.owe(connection, event, now));
                }
                connection.commit();
                return new Inserted(ids, owed);
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    public Optional<QuarantineEntry> entry(String entryId) throws SQLException {
        List<QuarantineEntry> found = query("SELECT " + COLUMNS + FROM + " WHERE e.entry_id = ?", List.of(entryId));
        return found.stream().findFirst();
    }

    /** The raw bytes of the message of this entry; empty when unknown or already purged. */
    public Optional<byte[]> raw(String entryId) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement("SELECT r.raw_message FROM quarantine_entry e "
                 + "JOIN quarantine_raw r ON e.message_id = r.message_id WHERE e.entry_id = ?")) {
            ps.setString(1, entryId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                try (InputStream in = rs.getBinaryStream(1)) {
                    return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    public EntryPage list(ListCriteria criteria) throws SQLException {
        StringBuilder where = new StringBuilder(" WHERE e.state = ?");
        List<Object> args = new ArrayList<>();
        args.add(criteria.state().orElse(EntryState.HELD).name());
        criteria.recipient().ifPresent(recipient -> addAddress(where, args, "e.recipient", recipient));
        criteria.sender().ifPresent(sender -> addAddress(where, args, "m.sender", sender));
        criteria.area().ifPresent(area -> {
            where.append(" AND m.area = ?");
            args.add(area.toLowerCase(Locale.ROOT));
        });
        criteria.from().ifPresent(from -> {
            where.append(" AND e.arrival >= ?");
            args.add(from.toEpochMilli());
        });
        criteria.to().ifPresent(to -> {
            where.append(" AND e.arrival < ?");
            args.add(to.toEpochMilli());
        });
        long total;
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement("SELECT COUNT(*)" + FROM + where)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                total = rs.getLong(1);
            }
        }
        List<Object> pageArgs = new ArrayList<>(args);
        pageArgs.add((long) (criteria.page() - 1) * criteria.pageSize());
        pageArgs.add((long) criteria.pageSize());
        List<QuarantineEntry> entries = query("SELECT " + COLUMNS + FROM + where
            + " ORDER BY e.arrival DESC, e.entry_id OFFSET ? ROWS FETCH NEXT ? ROWS ONLY", pageArgs);
        return new EntryPage(criteria.page(), criteria.pageSize(), total, entries);
    }

    private static void addAddress(StringBuilder where, List<Object> args, String column, String value) {
        String normalized = value.trim().toLowerCase(Locale.ROOT);
        if (normalized.equals("<>")) {
            where.append(" AND ").append(column).append(" = ''");
        } else if (normalized.startsWith("@")) {
            where.append(" AND ").append(column).append(" LIKE ? ESCAPE '\\'");
            args.add("%" + normalized.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"));
        } else {
            where.append(" AND ").append(column).append(" = ?");
            args.add(normalized);
        }
    }

    /** HELD → DISPATCHING for {@code action}; false when the entry is not (or no longer) held. */
    public boolean beginDispatch(String entryId, DispatchAction action, String processor, String actor, Instant now) throws SQLException {
        return update("UPDATE quarantine_entry SET state = 'DISPATCHING', dispatch_action = ?, dispatch_processor = ?, "
            + "actioned_by = ?, state_changed = ? WHERE entry_id = ? AND state = 'HELD'",
            List.of(action.value(), truncate(processor, 128), truncate(actor, 320), now.toEpochMilli(), entryId)) == 1;
    }

    /** DISPATCHING → done state of its action, naming the copy that went; false when a gate or a peer did it first. */
    public boolean finishDispatch(String entryId, String copyName, Instant now) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                boolean done = finish(connection, entryId, copyName, now);
                purgeRawIfDone(connection, entryId);
                connection.commit();
                return done;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    private static boolean finish(Connection connection, String entryId, String copyName, Instant now) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("UPDATE quarantine_entry SET state = CASE dispatch_action "
            + "WHEN 'release' THEN 'RELEASED' WHEN 'retry' THEN 'RETRIED' ELSE 'FORCED' END, dispatched_copy = ?, state_changed = ? "
            + "WHERE entry_id = ? AND state = 'DISPATCHING'")) {
            ps.setString(1, truncate(copyName, 128));
            ps.setLong(2, now.toEpochMilli());
            ps.setString(3, entryId);
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * Called by {@code ReleaseGate} when a re-injected copy enters the mail flow: the first copy of an entry
     * (or a redelivery of that same copy after a crash) passes, any other copy is a duplicate.
     */
    public GateDecision passGate(String entryId, String copyName, Instant now) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                if (finish(connection, entryId, copyName, now)) {
                    purgeRawIfDone(connection, entryId);
                    connection.commit();
                    return GateDecision.PASS;
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
        Optional<QuarantineEntry> entry = entry(entryId);
        if (entry.isEmpty() || entry.get().dispatchedCopy().map(copyName::equals).orElse(false)) {
            return GateDecision.PASS;
        }
        return GateDecision.DUPLICATE;
    }

    /** HELD → DELETED or DISCARDED; purges the raw bytes once no entry of the message is held. */
    public boolean remove(String entryId, EntryState to, String actor, Instant now) throws SQLException {
        if (to != EntryState.DELETED && to != EntryState.DISCARDED) {
            throw new IllegalArgumentException("remove to " + to);
        }
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                boolean removed;
                try (PreparedStatement ps = connection.prepareStatement("UPDATE quarantine_entry SET state = ?, actioned_by = ?, "
                    + "state_changed = ?, notify_pending = 0 WHERE entry_id = ? AND state = 'HELD'")) {
                    ps.setString(1, to.name());
                    ps.setString(2, truncate(actor, 320));
                    ps.setLong(3, now.toEpochMilli());
                    ps.setString(4, entryId);
                    removed = ps.executeUpdate() == 1;
                }
                purgeRawIfDone(connection, entryId);
                connection.commit();
                return removed;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    private static void purgeRawIfDone(Connection connection, String entryId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("DELETE FROM quarantine_raw "
            + "WHERE message_id = (SELECT message_id FROM quarantine_entry WHERE entry_id = ?) AND NOT EXISTS "
            + "(SELECT 1 FROM quarantine_entry x WHERE x.message_id = quarantine_raw.message_id AND x.state IN ('HELD', 'DISPATCHING'))")) {
            ps.setString(1, entryId);
            ps.executeUpdate();
        }
    }

    /** Sets (or with an empty value removes: never expire) the expiry of a held entry. */
    public boolean setExpiry(String entryId, Optional<Instant> expiry) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement("UPDATE quarantine_entry SET expiry = ? WHERE entry_id = ? AND state = 'HELD'")) {
            setInstant(ps, 1, expiry);
            ps.setString(2, entryId);
            return ps.executeUpdate() == 1;
        }
    }

    public List<QuarantineEntry> expired(Instant now, int limit) throws SQLException {
        return query("SELECT " + COLUMNS + FROM + " WHERE e.state = 'HELD' AND e.expiry IS NOT NULL AND e.expiry <= ? "
            + "ORDER BY e.expiry FETCH FIRST " + limit + " ROWS ONLY", List.of(now.toEpochMilli()));
    }

    /** Entries left DISPATCHING by a dispatch that started before {@code before} (a crash, a lost node). */
    public List<QuarantineEntry> dispatching(Instant before) throws SQLException {
        return query("SELECT " + COLUMNS + FROM + " WHERE e.state = 'DISPATCHING' AND e.state_changed < ? ORDER BY e.state_changed",
            List.of(before.toEpochMilli()));
    }

    public List<QuarantineEntry> pendingNotifications(int limit) throws SQLException {
        return query("SELECT " + COLUMNS + FROM + " WHERE e.notify_pending = 1 AND e.state = 'HELD' ORDER BY e.arrival "
            + "FETCH FIRST " + limit + " ROWS ONLY", List.of());
    }

    public void markNotified(List<String> entryIds) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement("UPDATE quarantine_entry SET notify_pending = 0 WHERE entry_id = ?")) {
            for (String id : entryIds) {
                ps.setString(1, id);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private int update(String sql, List<Object> args) throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement ps = connection.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        }
    }

    private List<QuarantineEntry> query(String sql, List<Object> args) throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement ps = connection.prepareStatement(sql)) {
            bind(ps, args);
            List<QuarantineEntry> result = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.add(read(rs));
                }
            }
            return result;
        }
    }

    private static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            Object arg = args.get(i);
            if (arg instanceof Long) {
                ps.setLong(i + 1, (Long) arg);
            } else {
                ps.setString(i + 1, (String) arg);
            }
        }
    }

    private static QuarantineEntry read(ResultSet rs) throws SQLException {
        int score = rs.getInt("score");
        Optional<Integer> scoreValue = rs.wasNull() ? Optional.empty() : Optional.of(score);
        HeldMessage message = new HeldMessage(rs.getString("message_id"), rs.getString("mail_name"), rs.getString("tracking_id"),
            rs.getString("sender"), Optional.ofNullable(rs.getString("subject")), rs.getString("area"), scoreValue,
            lines(rs.getString("reasons")), lines(rs.getString("triggered_rules")), Optional.ofNullable(rs.getString("direction")),
            Optional.ofNullable(rs.getString("message_security")), Optional.ofNullable(rs.getString("unscannable_reason")),
            Instant.ofEpochMilli(rs.getLong("arrival")), rs.getLong("size_bytes"));
        long expiry = rs.getLong("expiry");
        Optional<Instant> expiryValue = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(expiry));
        return new QuarantineEntry(rs.getString("entry_id"), message, rs.getString("recipient"),
            EntryState.valueOf(rs.getString("state")), expiryValue, Instant.ofEpochMilli(rs.getLong("state_changed")),
            Optional.ofNullable(rs.getString("dispatch_action")).flatMap(DispatchAction::parse),
            Optional.ofNullable(rs.getString("dispatch_processor")), Optional.ofNullable(rs.getString("dispatched_copy")),
            Optional.ofNullable(rs.getString("actioned_by")));
    }

    private static List<String> lines(String value) {
        return value == null || value.isEmpty() ? List.of() : Arrays.asList(value.split("\n"));
    }

    private static void setInstant(PreparedStatement ps, int index, Optional<Instant> value) throws SQLException {
        if (value.isPresent()) {
            ps.setLong(index, value.get().toEpochMilli());
        } else {
            ps.setNull(index, Types.BIGINT);
        }
    }

    private static String truncate(String value, int max) {
        return StoredText.fit(value, max);
    }

    private static String nullIfEmpty(String value) {
        return value.isEmpty() ? null : value;
    }
}
