package io.portcullis.tracking.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The message counters of migration {@code V8__tracking_count.sql}: how many messages of {@code tracking_message}
 * were first seen in each 15-minute bucket, per node and action. They give the exact total of a period search
 * without counting the period's index entries: the whole buckets inside the period are summed (the whole UTC days
 * among them from the day counters of {@code tracking_count_day}, migration V10, the same counts per day), the partial buckets at
 * its edges (at most 15 minutes each) are counted in {@code tracking_message} through the first_seen index.
 *
 * <p>Kept equal to {@code tracking_message} in the transactions that change it: {@link TrackingDao} adds a message
 * (+1), moves it between actions (-1 / +1) and the retention purge deletes it (-1); each transaction aggregates its
 * {@link Deltas} per key and applies them just before commit, to the bucket and to the day counters. A key's row is changed by
 * {@code UPDATE ... SET messages = messages + ?} (the row lock makes concurrent writers add up, never overwrite), and
 * inserted when the update found no row; an insert that meets a concurrent writer's insert (duplicate key, SQLState
 * 23505) is rolled back to a savepoint (PostgreSQL aborts the transaction otherwise) and becomes an update. Keys are
 * applied in sorted order, so two writers never wait for each other in a cycle.
 */
public final class TrackingCounts {
    /**
     * Bucket width: 15 minutes, so that local midnight falls on a bucket edge in every time zone (offsets are whole
     * quarter hours, e.g. +05:30 and +05:45) and the day presets of {@link Periods} have no partial bucket.
     */
    public static final long BUCKET_MS = 15 * 60 * 1000L;
    /**
     * Day counters ({@code tracking_count_day}, UTC days) repeat the bucket counters 96 to one, so that the whole
     * days inside a wide period are summed from a few rows (a 30-day period: ≈ 120 day rows and at most 2 × 96
     * bucket rows per node and action at its edges, instead of 2,880 bucket rows per node and action).
     */
    public static final long DAY_MS = 24 * 60 * 60 * 1000L;
    private static final String DUPLICATE_KEY = "23505";
    private static final int MAX_INSERT_ATTEMPTS = 5;

    private TrackingCounts() {
    }

    /** The bucket (its start, epoch milliseconds) of a first_seen time. Same as the migration's {@code (t / 900000) * 900000} for times after 1970. */
    public static long bucket(long firstSeen) {
        return Math.floorDiv(firstSeen, BUCKET_MS) * BUCKET_MS;
    }

    /** The UTC day (its start, epoch milliseconds) of a first_seen time. */
    public static long day(long firstSeen) {
        return Math.floorDiv(firstSeen, DAY_MS) * DAY_MS;
    }

    /** One counter: the messages first seen in {@code bucket} on {@code node} whose action is {@code action}. */
    public record Key(long bucket, String node, String action) {
        private static final Comparator<Key> ORDER = Comparator.comparingLong(Key::bucket).thenComparing(Key::node).thenComparing(Key::action);
    }

    /** The counter changes of one transaction, aggregated per key. Not thread-safe: one per transaction. */
    public static final class Deltas {
        private final TreeMap<Key, Long> deltas = new TreeMap<>(Key.ORDER);

        /** Counts {@code delta} messages first seen at {@code firstSeen} (epoch ms) on {@code node} with {@code action}. */
        public void add(long firstSeen, String node, String action, long delta) {
            deltas.merge(new Key(bucket(firstSeen), node, action), delta, Long::sum);
        }

        /** The non-zero deltas, in key order. */
        public Map<Key, Long> nonZero() {
            TreeMap<Key, Long> result = new TreeMap<>(Key.ORDER);
            deltas.forEach((key, delta) -> {
                if (delta != 0) {
                    result.put(key, delta);
                }
            });
            return result;
        }

        public void clear() {
            deltas.clear();
        }

        /**
         * Applies the deltas in the caller's transaction on {@code connection} (auto-commit off), in key order, then
         * forgets them.
         */
        public void apply(Connection connection) throws SQLException {
            Map<Key, Long> changes = nonZero();
            if (changes.isEmpty()) {
                return;
            }
            TreeMap<Key, Long> days = new TreeMap<>(Key.ORDER);
            changes.forEach((key, delta) -> days.merge(new Key(day(key.bucket()), key.node(), key.action()), delta, Long::sum));
            applyTo(connection, "tracking_count", "bucket", changes);
            applyTo(connection, "tracking_count_day", "day", days); // after the buckets: one lock order for every writer
            deltas.clear();
        }

        private static void applyTo(Connection connection, String table, String column, Map<Key, Long> changes) throws SQLException {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE " + table + " SET messages = messages + ? WHERE " + column + " = ? AND node = ? AND action = ?");
                 PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO " + table + " (" + column + ", node, action, messages) VALUES (?, ?, ?, ?)")) {
                for (Map.Entry<Key, Long> change : changes.entrySet()) {
                    if (change.getValue() != 0) {
                        applyOne(connection, update, insert, change.getKey(), change.getValue());
                    }
                }
            }
        }

        private static void applyOne(Connection connection, PreparedStatement update, PreparedStatement insert, Key key, long delta)
                throws SQLException {
            for (int attempt = 0; attempt < MAX_INSERT_ATTEMPTS; attempt++) {
                update.setLong(1, delta);
                update.setLong(2, key.bucket());
                update.setString(3, key.node());
                update.setString(4, key.action());
                if (update.executeUpdate() > 0) {
                    return;
                }
                Savepoint beforeInsert = connection.setSavepoint();
                try {
                    insert.setLong(1, key.bucket());
                    insert.setString(2, key.node());
                    insert.setString(3, key.action());
                    insert.setLong(4, delta);
                    insert.executeUpdate();
                    connection.releaseSavepoint(beforeInsert);
                    return;
                } catch (SQLException e) {
                    if (!DUPLICATE_KEY.equals(e.getSQLState())) {
                        throw e;
                    }
                    connection.rollback(beforeInsert); // another writer inserted the row meanwhile: update it
                }
            }
            throw new SQLException("Message counter " + key + " could be neither updated nor inserted after "
                + MAX_INSERT_ATTEMPTS + " attempts");
        }
    }

    /**
     * True when the total of {@code criteria} can be read from the counters: no criterion but the period
     * ({@code from}, {@code to}), the node and the action.
     */
    public static boolean countable(SearchCriteria criteria) {
        return criteria.sender().isEmpty() && criteria.recipient().isEmpty() && criteria.subjectContains().isEmpty()
            && criteria.sendingHost().isEmpty() && criteria.attachment().isEmpty() && criteria.rejectReason().isEmpty()
            && criteria.messageSecurity().isEmpty() && criteria.tls().isEmpty() && criteria.status().isEmpty();
    }

    /**
     * The exact number of messages first seen in [{@code from}, {@code to}) (either side open when empty), on
     * {@code node} and with {@code action} when given: the counters of the whole buckets inside the range, plus a
     * count of the messages of the partial buckets at its edges.
     */
    public static long total(Connection connection, Optional<Instant> from, Optional<Instant> to, Optional<String> node,
                             Optional<String> action) throws SQLException {
        Optional<Long> lo = from.map(Instant::toEpochMilli);
        Optional<Long> hi = to.map(Instant::toEpochMilli);
        if (lo.isPresent() && hi.isPresent() && lo.get() >= hi.get()) {
            return 0;
        }
        // whole buckets: [firstWhole, endWhole)
        Optional<Long> firstWhole = lo.map(l -> bucket(l) == l ? l : bucket(l) + BUCKET_MS);
        Optional<Long> endWhole = hi.map(TrackingCounts::bucket);
        if (firstWhole.isPresent() && endWhole.isPresent() && firstWhole.get() >= endWhole.get()) {
            return countMessages(connection, lo.get(), hi.get(), node, action); // inside one bucket (or two partial ones)
        }
        long total = sumWhole(connection, firstWhole, endWhole, node, action);
        if (lo.isPresent() && lo.get() < firstWhole.get()) {
            total += countMessages(connection, lo.get(), firstWhole.get(), node, action);
        }
        if (hi.isPresent() && endWhole.get() < hi.get()) {
            total += countMessages(connection, endWhole.get(), hi.get(), node, action);
        }
        return total;
    }

    /**
     * The messages of the whole buckets in [{@code from}, {@code to}) (bucket edges; either side open when empty): the
     * day counters of the whole UTC days inside, the bucket counters of the rest at each end.
     */
    private static long sumWhole(Connection connection, Optional<Long> from, Optional<Long> to, Optional<String> node,
                                 Optional<String> action) throws SQLException {
        Optional<Long> firstDay = from.map(f -> day(f) == f ? f : day(f) + DAY_MS);
        Optional<Long> endDay = to.map(TrackingCounts::day);
        if (firstDay.isPresent() && endDay.isPresent() && firstDay.get() >= endDay.get()) {
            return sum(connection, "tracking_count", "bucket", from, to, node, action); // no whole day inside
        }
        long total = sum(connection, "tracking_count_day", "day", firstDay, endDay, node, action);
        if (from.isPresent() && from.get() < firstDay.get()) {
            total += sum(connection, "tracking_count", "bucket", from, firstDay, node, action);
        }
        if (to.isPresent() && endDay.get() < to.get()) {
            total += sum(connection, "tracking_count", "bucket", endDay, to, node, action);
        }
        return total;
    }

    private static long sum(Connection connection, String table, String column, Optional<Long> from, Optional<Long> to, Optional<String> node,
                            Optional<String> action) throws SQLException {
        List<String> conditions = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        from.ifPresent(f -> {
            conditions.add(column + " >= ?");
            values.add(f);
        });
        to.ifPresent(t -> {
            conditions.add(column + " < ?");
            values.add(t);
        });
        return single(connection, "SELECT SUM(messages) FROM " + table, conditions, values, node, action, "node", "action");
    }

    private static long countMessages(Connection connection, long from, long to, Optional<String> node, Optional<String> action)
            throws SQLException {
        List<String> conditions = new ArrayList<>(List.of("m.first_seen >= ?", "m.first_seen < ?"));
        List<Object> values = new ArrayList<>(List.of(from, to));
        return single(connection, "SELECT COUNT(*) FROM tracking_message m", conditions, values, node, action, "m.node", "m.action");
    }

    private static long single(Connection connection, String select, List<String> conditions, List<Object> values, Optional<String> node,
                               Optional<String> action, String nodeColumn, String actionColumn) throws SQLException {
        node.ifPresent(n -> {
            conditions.add(nodeColumn + " = ?");
            values.add(n);
        });
        action.ifPresent(a -> {
            conditions.add(actionColumn + " = ?");
            values.add(a);
        });
        String sql = select + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions));
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            int index = 1;
            for (Object value : values) {
                if (value instanceof Long l) {
                    statement.setLong(index++, l);
                } else {
                    statement.setString(index++, (String) value);
                }
            }
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getLong(1); // SUM of no rows is NULL: 0
            }
        }
    }
}
