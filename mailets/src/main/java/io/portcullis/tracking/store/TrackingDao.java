package io.portcullis.tracking.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.portcullis.store.StoredText;
import io.portcullis.tracking.EventType;
import io.portcullis.tracking.MessageInfo;
import io.portcullis.tracking.MessageStatus;
import io.portcullis.tracking.OutboxEntry;
import io.portcullis.tracking.RejectReason;
import io.portcullis.tracking.StatusRules;
import io.portcullis.tracking.TrackedEvent;
import io.portcullis.tracking.TrackingInfo;

/**
 * Plain JDBC access to the tracking tables of the gateway store (migration {@code V2__tracking.sql}). Every
 * value reaches the database as a bind parameter: search criteria never become SQL text.
 */
public class TrackingDao {
    public static final String ACCEPTED = "accepted";
    public static final String REJECTED = "rejected";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, String>> INFO_TYPE = new TypeReference<>() {
    };
    private static final String MESSAGE_COLUMNS = "m.tracking_id, m.first_seen, m.last_update, m.node, m.sender, m.recipients, "
        + "m.subject, m.message_id, m.sending_host, m.sending_ip, m.helo, m.size_bytes, m.attachments, m.message_security, m.tls, "
        + "m.auth_user, m.status, m.action, m.outcome, m.reject_reason, m.last_event";

    private final DataSource dataSource;
    private final String node;
    private final SubjectVocabulary vocabulary = new SubjectVocabulary();

    /** {@code node}: the name of this gateway node, stored on the messages it creates. */
    public TrackingDao(DataSource dataSource, String node) {
        this.dataSource = dataSource;
        this.node = node;
    }

    public String node() {
        return node;
    }

    /**
     * An event and what is known of its message; with an outbox entry (else null), the event is stored only if the
     * entry can be taken in the same transaction.
     */
    public record Write(TrackedEvent event, MessageInfo message, OutboxEntry entry) {
        public Write(TrackedEvent event, MessageInfo message) {
            this(event, message, null);
        }
    }

    // ------------------------------------------------------------------ writes

    /**
     * Writes {@code writes} in one transaction (committed here); on failure nothing of them is kept. The message
     * counters (V8, {@link TrackingCounts}) change in the same transaction: +1 for each message inserted, -1/+1 for
     * each message whose action an event changes.
     */
    public void writeAll(List<Write> writes) throws SQLException {
        Set<String> words = new TreeSet<>(); // subject words of the new messages, for the vocabulary (V7)
        TrackingCounts.Deltas counts = new TrackingCounts.Deltas();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                try (Statements statements = new Statements(connection)) {
                    for (Write write : writes) {
                        if (write.entry() == null || write.entry().take(connection)) {
                            write(connection, statements, write, words, counts);
                        }
                    }
                    statements.event.executeBatch();
                }
                vocabulary.add(connection, words);
                counts.apply(connection);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
        vocabulary.confirm(words);
    }

    /** Size of the {@code info} columns of tracking_event and tracking_outbox (V2, V12). */
    static final int INFO_MAX = 8000;
    private static final String UPDATE_SET = "UPDATE tracking_message SET last_update = ?, last_event = ?, status = COALESCE(?, status), "
        + "action = COALESCE(?, action), outcome = COALESCE(?, outcome), reject_reason = COALESCE(?, reject_reason) WHERE tracking_id = ?";

    /** The statements of a write transaction. */
    private static final class Statements implements AutoCloseable {
        /** An event that sets no status: the action stays. */
        final PreparedStatement update;
        /** An event that sets a status: updates only when the message's action is the 8th parameter (compare and set). */
        final PreparedStatement updateIfAction;
        final PreparedStatement current;
        final PreparedStatement event;

        Statements(Connection connection) throws SQLException {
            update = connection.prepareStatement(UPDATE_SET);
            updateIfAction = connection.prepareStatement(UPDATE_SET + " AND action = ?");
            current = connection.prepareStatement("SELECT first_seen, node, action FROM tracking_message WHERE tracking_id = ?");
            event = connection.prepareStatement("INSERT INTO tracking_event (tracking_id, event_time, event_type, info) VALUES (?, ?, ?, ?)");
        }

        @Override
        public void close() throws SQLException {
            try (update; updateIfAction; current; event) {
                // closes all four
            }
        }
    }

    /** At most this many compare-and-set attempts to change the action of a message that concurrent writers keep changing. */
    private static final int ACTION_ATTEMPTS = 10;

    private void write(Connection connection, Statements statements, Write write, Set<String> words, TrackingCounts.Deltas counts) throws SQLException {
        TrackedEvent e = write.event();
        Optional<MessageStatus> status = StatusRules.statusAfter(e.type(), e.info());
        Optional<String> reason = Optional.ofNullable(e.info().get(TrackingInfo.REJECT_REASON))
            .map(r -> RejectReason.parse(r).map(RejectReason::systemName).orElse(r));
        long at = e.at().toEpochMilli();
        Optional<String> action = status.map(TrackingDao::actionOf);
        boolean exists = action.isEmpty()
            ? update(statements.update, e, status, reason, Optional.empty()) > 0
            : updateMovingCount(statements, e, status, reason, action.get(), counts);
        if (!exists) {
            MessageStatus initial = status.orElse(MessageStatus.PROCESSING);
            insertMessage(connection, e, write.message(), initial, reason, words);
            counts.add(at, truncate(node, 128), actionOf(initial), 1);
        }
        PreparedStatement event = statements.event;
        event.setString(1, e.trackingId());
        event.setLong(2, at);
        event.setString(3, e.type().name());
        event.setString(4, e.info().isEmpty() ? null : toJson(e.info()));
        event.addBatch();
    }

    /**
     * Updates the message of an event that sets a status (and so the action {@code action}); when that changes the
     * message's action, moves its count from the old action's counter to the new one. Usually the action stays: one
     * update that finds the message with that action. Else its current action is read and the update is made only
     * if the action is still that one (compare and set: a concurrent writer that changed it meanwhile makes it read
     * again). Returns false when there is no such message yet.
     */
    private static boolean updateMovingCount(Statements statements, TrackedEvent e, Optional<MessageStatus> status, Optional<String> reason,
                                             String action, TrackingCounts.Deltas counts) throws SQLException {
        if (update(statements.updateIfAction, e, status, reason, Optional.of(action)) > 0) {
            return true;
        }
        for (int attempt = 0; attempt < ACTION_ATTEMPTS; attempt++) {
            long firstSeen;
            String messageNode;
            String oldAction;
            statements.current.setString(1, e.trackingId());
            try (ResultSet rs = statements.current.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
                firstSeen = rs.getLong(1);
                messageNode = rs.getString(2);
                oldAction = rs.getString(3);
            }
            if (update(statements.updateIfAction, e, status, reason, Optional.of(oldAction)) > 0) {
                if (!oldAction.equals(action)) {
                    counts.add(firstSeen, messageNode, oldAction, -1);
                    counts.add(firstSeen, messageNode, action, 1);
                }
                return true;
            }
        }
        throw new SQLException("The action of tracked message " + e.trackingId() + " kept changing under concurrent writers: "
            + ACTION_ATTEMPTS + " attempts to record " + e.type());
    }

    /** Binds and runs {@code statement} (the update, or with {@code ifAction} the compare-and-set update). */
    private static int update(PreparedStatement statement, TrackedEvent e, Optional<MessageStatus> status, Optional<String> reason,
                              Optional<String> ifAction) throws SQLException {
        statement.setLong(1, e.at().toEpochMilli());
        statement.setString(2, e.type().name());
        setNullable(statement, 3, status.map(Enum::name));
        setNullable(statement, 4, status.map(TrackingDao::actionOf));
        setNullable(statement, 5, status.map(s -> truncate(e.type().label(), 255)));
        setNullable(statement, 6, reason.map(r -> truncate(r, 64)));
        statement.setString(7, e.trackingId());
        if (ifAction.isPresent()) {
            statement.setString(8, ifAction.get());
        }
        return statement.executeUpdate();
    }

    private void insertMessage(Connection connection, TrackedEvent e, MessageInfo info, MessageStatus status, Optional<String> reason,
                               Set<String> words) throws SQLException {
        // What the event carries fills in what the message information lacks (e.g. an SMTP-stage refusal).
        List<String> recipients = info.recipients().isEmpty()
            ? split(e.info().get(TrackingInfo.RECIPIENTS)) : info.recipients();
        recipients = recipients.stream().map(r -> r.trim().toLowerCase(Locale.ROOT)).filter(r -> !r.isEmpty())
            .map(r -> truncate(r, 320)).distinct().collect(Collectors.toList()); // distinct once cut: the key of tracking_recipient
        List<String> attachments = info.attachments().isEmpty() ? split(e.info().get(TrackingInfo.ATTACHMENTS)) : info.attachments();
        Optional<String> sendingHost = info.sendingHost().or(() -> Optional.ofNullable(e.info().get(TrackingInfo.SENDING_HOST)));
        String sender = info.sender().map(s -> s.trim().toLowerCase(Locale.ROOT)).orElse("");
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO tracking_message (tracking_id, first_seen, last_update, node, "
                + "sender, sender_domain, recipients, subject, subject_lc, message_id, sending_host, sending_ip, helo, size_bytes, attachments, "
                + "message_security, tls, auth_user, status, action, outcome, reject_reason, last_event) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            long at = e.at().toEpochMilli();
            insert.setString(1, e.trackingId());
            insert.setLong(2, at);
            insert.setLong(3, at);
            insert.setString(4, truncate(node, 128));
            insert.setString(5, truncate(sender, 320));
            insert.setString(6, truncate(domainOf(sender), 255));
            insert.setString(7, truncate(String.join(", ", recipients), 4000));
            setNullable(insert, 8, info.subject().map(s -> truncate(s, 998)));
            setNullable(insert, 9, info.subject().map(s -> truncate(s.toLowerCase(Locale.ROOT), 998)));
            setNullable(insert, 10, info.messageId().map(s -> truncate(s.trim(), 998)));
            setNullable(insert, 11, sendingHost.map(s -> truncate(s.trim().toLowerCase(Locale.ROOT), 255)));
            setNullable(insert, 12, info.sendingIp().map(s -> truncate(s.trim(), 64)));
            setNullable(insert, 13, info.helo().map(s -> truncate(s.trim(), 255)));
            if (info.size().isPresent()) {
                insert.setLong(14, info.size().get());
            } else {
                insert.setNull(14, Types.BIGINT);
            }
            insert.setString(15, attachments.isEmpty() ? null : truncate(String.join(", ", attachments), 4000));
            insert.setString(16, info.messageSecurity());
            insert.setShort(17, (short) (info.tls() ? 1 : 0));
            setNullable(insert, 18, info.authUser().map(s -> truncate(s, 320)));
            insert.setString(19, status.name());
            insert.setString(20, actionOf(status));
            insert.setString(21, truncate(e.type().label(), 255));
            setNullable(insert, 22, reason.map(r -> truncate(r, 64)));
            insert.setString(23, e.type().name());
            insert.executeUpdate();
        }
        if (!recipients.isEmpty()) {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO tracking_recipient (tracking_id, recipient, recipient_domain) VALUES (?, ?, ?)")) {
                for (String recipient : recipients) {
                    insert.setString(1, e.trackingId());
                    insert.setString(2, recipient);
                    insert.setString(3, truncate(domainOf(recipient), 255));
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        }
        List<String> domains = recipients.stream().map(r -> truncate(domainOf(r), 255)).distinct().collect(Collectors.toList());
        insertIndexRows(connection, "INSERT INTO tracking_recipient_domain (tracking_id, domain, first_seen) VALUES (?, ?, ?)",
            e.trackingId(), domains, e.at().toEpochMilli());
        List<String> subjectWords = info.subject() // the words of subject_lc, which the LIKE reads
            .map(s -> SubjectTokens.words(truncate(s.toLowerCase(Locale.ROOT), 998))).orElse(List.of());
        insertIndexRows(connection, "INSERT INTO tracking_subject_token (tracking_id, token, first_seen) VALUES (?, ?, ?)",
            e.trackingId(), subjectWords.stream().map(SubjectTokens::token).distinct().collect(Collectors.toList()), e.at().toEpochMilli());
        words.addAll(subjectWords);
        if (!attachments.isEmpty()) {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO tracking_attachment (tracking_id, position, name_lc) VALUES (?, ?, ?)")) {
                int position = 0;
                for (String attachment : attachments) {
                    insert.setString(1, e.trackingId());
                    insert.setInt(2, position++);
                    insert.setString(3, truncate(attachment.trim().toLowerCase(Locale.ROOT), 255));
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        }
    }

    /** Rows (tracking id, key, first seen) of a search index table of V6 (recipient domains, subject words). */
    private static void insertIndexRows(Connection connection, String sql, String trackingId, List<String> keys, long firstSeen) throws SQLException {
        if (keys.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement(sql)) {
            for (String key : keys) {
                insert.setString(1, trackingId);
                insert.setString(2, key);
                insert.setLong(3, firstSeen);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    static String actionOf(MessageStatus status) {
        return status == MessageStatus.REJECTED ? REJECTED : ACCEPTED;
    }

    static String domainOf(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 ? "" : address.substring(at + 1);
    }

    private static List<String> split(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toList());
    }

    /** {@code value} made to fit a {@code VARCHAR(max)} column ({@link StoredText#fit}). */
    static String truncate(String value, int max) {
        return StoredText.fit(value, max);
    }

    private static void setNullable(PreparedStatement statement, int index, Optional<String> value) throws SQLException {
        if (value.isPresent()) {
            statement.setString(index, value.get());
        } else {
            statement.setNull(index, Types.VARCHAR);
        }
    }

    /** The additional information as JSON for the {@code info VARCHAR(8000)} columns, cut after escaping so it always fits. */
    static String toJson(Map<String, String> info) {
        return StoredText.fitJson(info, INFO_MAX);
    }

    static Map<String, String> fromJson(String json) {
        if (json == null) {
            return Map.of();
        }
        try {
            return JSON.readValue(json, INFO_TYPE);
        } catch (JsonProcessingException e) {
            return Map.of("raw", json);
        }
    }

    // ------------------------------------------------------------------ reads

    /**
     * The FROM clause (joins included) and WHERE condition of a search, and its bind values in order.
     * Recipient and attachment criteria join a DISTINCT derived table of the child table's index range: Derby
     * then reads the matching ids from the index and looks the messages up by primary key, instead of probing
     * a subquery for every message.
     */
    record Where(String sql, List<Object> values, String orderBy, boolean cappedCount, String countSql) {
    }

    /** Subject "contains" searches count their matches exactly up to this many; beyond, the total is a lower bound. */
    public static final long SUBJECT_COUNT_CAP = 1_000;

    /**
     * A subject term that determines no word ({@code "nvoic"}) is looked up in the subject vocabulary (V7): at
     * most this many candidate index tokens are used, beyond (a very common fragment such as {@code "e"}) the
     * newest-first scan is kept, which fills a page of such a fragment quickly.
     */
    static final int VOCABULARY_TOKENS = 1_000;
    /** Up to this many candidate tokens, each token's index range is read newest first and the ranges merged. */
    static final int MERGE_TOKENS = 16;
    /** More candidate tokens: one index read of all their rows, when there are at most this many (else the scan). */
    static final int TOKEN_ROWS = 10_000;

    /**
     * How a subject "contains" search is driven ({@link #subjectDriver}). {@code tokens} (when not null): the
     * subject word index tokens found in the vocabulary that drive it, none meaning no match; {@code common}: so
     * many words contain the term that the newest-first scan is used, read in the order of the first_seen index
     * so that a page and the capped count stop early.
     */
    record SubjectDriver(List<String> tokens, boolean common) {
        /** The word the term determines drives (V6), else the scan. */
        static final SubjectDriver DEFAULT = new SubjectDriver(null, false);
        static final SubjectDriver COMMON = new SubjectDriver(null, true);

        boolean matchesNothing() {
            return tokens != null && tokens.isEmpty();
        }

        boolean merged() {
            return tokens != null && tokens.size() > 1 && tokens.size() <= MERGE_TOKENS;
        }
    }

    static Where where(SearchCriteria criteria) {
        return where(criteria, SubjectDriver.DEFAULT);
    }

    static Where where(SearchCriteria criteria, List<String> tokens) {
        return where(criteria, new SubjectDriver(tokens, false));
    }

    static Where where(SearchCriteria criteria, SubjectDriver driver) {
        List<String> tokens = driver.tokens();
        List<String> conditions = new ArrayList<>();
        List<Object> values = new ArrayList<>(); // the values of the conditions
        List<Object> tableValues = new ArrayList<>(); // the values of the joins, which come first in the SQL
        StringBuilder tables = new StringBuilder(" FROM tracking_message m");
        // The driving table gives the order: a V6 index (key, first_seen DESC, tracking_id DESC) reads the
        // matches newest first, so the first page stops after a page of index entries instead of sorting them all.
        String orderBy = "m.first_seen DESC, m.tracking_id DESC";
        String seenColumn = "m.first_seen";
        Optional<String> recipient = criteria.recipient();
        Optional<SubjectTokens.Lookup> word = tokens == null ? criteria.subjectContains().flatMap(SubjectTokens::lookup)
            : tokens.size() == 1 ? Optional.of(new SubjectTokens.Lookup(tokens.get(0), false)) : Optional.empty();
        if (recipient.isPresent() && recipient.get().startsWith("@")) {
            tables.setLength(0);
            // Derby optimizer hints (SQL comments elsewhere): read the domain index newest first, then each message
            // by primary key, so that the first page stops early instead of joining and sorting every match.
            tables.append(" FROM --DERBY-PROPERTIES joinOrder=FIXED\n tracking_recipient_domain d"
                + " JOIN tracking_message m --DERBY-PROPERTIES joinStrategy=NESTEDLOOP\n ON m.tracking_id = d.tracking_id");
            conditions.add("d.domain = ?");
            values.add(recipient.get().substring(1).toLowerCase(Locale.ROOT));
            orderBy = "d.first_seen DESC, d.tracking_id DESC";
            seenColumn = "d.first_seen";
        } else {
            recipient.ifPresent(address -> {
                tables.append(" JOIN (SELECT DISTINCT r.tracking_id FROM tracking_recipient r WHERE r.recipient = ?) rcpt ON rcpt.tracking_id = m.tracking_id");
                tableValues.add(address.toLowerCase(Locale.ROOT));
            });
        }
        // The subject word index pre-filters an all-time subject search (the LIKE below still decides); with a
        // period start, the period's index range is the better driver and is kept.
        if (word.isPresent() && criteria.from().isEmpty() && seenColumn.equals("m.first_seen")) {
            if (word.get().prefix()) {
                tables.append(" JOIN (SELECT DISTINCT t.tracking_id FROM tracking_subject_token t WHERE t.token LIKE ? ESCAPE '!') tok"
                    + " ON tok.tracking_id = m.tracking_id");
                tableValues.add(escapeLike(word.get().word()) + "%");
            } else if (tableValues.isEmpty()) {
                tables.setLength(0);
                tables.append(" FROM --DERBY-PROPERTIES joinOrder=FIXED\n tracking_subject_token t"
                    + " JOIN tracking_message m --DERBY-PROPERTIES joinStrategy=NESTEDLOOP\n ON m.tracking_id = t.tracking_id");
                conditions.add("t.token = ?");
                values.add(word.get().word());
                orderBy = "t.first_seen DESC, t.tracking_id DESC";
                seenColumn = "t.first_seen";
            } else {
                tables.append(" JOIN (SELECT t.tracking_id FROM tracking_subject_token t WHERE t.token = ?) tok ON tok.tracking_id = m.tracking_id");
                tableValues.add(word.get().word());
            }
        }
        if (tokens != null && tokens.size() > 1) {
            // Derby hint: probe the word index once per token (without it, stale statistics can make Derby scan it)
            tables.append(" JOIN (SELECT DISTINCT t.tracking_id FROM tracking_subject_token t --DERBY-PROPERTIES index=tracking_stoken_seen\n"
                + " WHERE t.token IN ("
                + String.join(", ", java.util.Collections.nCopies(tokens.size(), "?")) + ")) tok ON tok.tracking_id = m.tracking_id");
            tableValues.addAll(tokens);
        }
        if (driver.common() && tables.toString().equals(" FROM tracking_message m")) {
            // Derby hint: without it Derby scans the whole table and sorts the matches
            tables.append(" --DERBY-PROPERTIES index=tracking_message_seen\n");
        }
        criteria.attachment().ifPresent(name -> {
            tables.append(" JOIN (SELECT DISTINCT a.tracking_id FROM tracking_attachment a WHERE a.name_lc = ?) att ON att.tracking_id = m.tracking_id");
            tableValues.add(name.toLowerCase(Locale.ROOT));
        });
        criteria.sender().ifPresent(sender -> {
            if (sender.equals(SearchCriteria.NULL_SENDER)) {
                conditions.add("m.sender = ''");
            } else if (sender.startsWith("@")) {
                conditions.add("m.sender_domain = ?");
                values.add(sender.substring(1).toLowerCase(Locale.ROOT));
            } else {
                conditions.add("m.sender = ?");
                values.add(sender.toLowerCase(Locale.ROOT));
            }
        });
        criteria.subjectContains().ifPresent(text -> {
            conditions.add("m.subject_lc LIKE ? ESCAPE '!'");
            values.add("%" + escapeLike(text.toLowerCase(Locale.ROOT)) + "%");
        });
        criteria.sendingHost().ifPresent(host -> {
            conditions.add("(m.sending_host = ? OR m.sending_ip = ?)");
            values.add(host.toLowerCase(Locale.ROOT));
            values.add(host);
        });
        criteria.rejectReason().ifPresent(reason -> {
            conditions.add("m.reject_reason = ?");
            values.add(reason.systemName());
        });
        criteria.messageSecurity().ifPresent(security -> {
            if (security.equals("any")) {
                conditions.add("m.message_security <> 'none'");
            } else {
                conditions.add("m.message_security = ?");
                values.add(security);
            }
        });
        criteria.tls().ifPresent(tls -> conditions.add(tls ? "m.tls = 1" : "m.tls = 0"));
        criteria.action().ifPresent(action -> {
            conditions.add("m.action = ?");
            values.add(action);
        });
        String seen = seenColumn;
        criteria.from().ifPresent(from -> {
            conditions.add(seen + " >= ?");
            values.add(from.toEpochMilli());
        });
        criteria.to().ifPresent(to -> {
            conditions.add(seen + " < ?");
            values.add(to.toEpochMilli());
        });
        criteria.node().ifPresent(n -> {
            conditions.add("m.node = ?");
            values.add(n);
        });
        criteria.status().ifPresent(s -> {
            conditions.add("m.status = ?");
            values.add(s.name());
        });
        tableValues.addAll(values);
        String whereSql = conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
        boolean capped = criteria.subjectContains().isPresent();
        String countSql = capped
            ? "SELECT COUNT(*) FROM (SELECT m.tracking_id" + tables + whereSql + " FETCH FIRST " + (SUBJECT_COUNT_CAP + 1) + " ROWS ONLY) capped"
            : "SELECT COUNT(*)" + tables + whereSql;
        if (seenColumn.equals("d.first_seen") && conditions.stream().allMatch(c -> c.startsWith("d.")) && tables.indexOf(") ") < 0) {
            // only the recipient domain (and a period): count the index entries, no message rows
            countSql = "SELECT COUNT(*) FROM tracking_recipient_domain d" + whereSql;
        }
        return new Where(tables + whereSql, tableValues, orderBy, capped, countSql);
    }

    static String escapeLike(String text) {
        return text.replace("!", "!!").replace("%", "!%").replace("_", "!_");
    }

    private static void bind(PreparedStatement statement, List<Object> values) throws SQLException {
        int index = 1;
        for (Object value : values) {
            if (value instanceof Long) {
                statement.setLong(index++, (Long) value);
            } else {
                statement.setString(index++, (String) value);
            }
        }
    }

    /**
     * One page ({@code page} from 1) of messages matching {@code criteria}, newest first, with the total count.
     * When the criteria are only the period, the node and the action, the total comes from the message counters
     * ({@link TrackingCounts}, exact).
     * A subject "contains" search counts at most {@link #SUBJECT_COUNT_CAP} matches: beyond it the result's
     * total is that cap and {@link SearchResult#totalIsLowerBound()} is true.
     */
    public SearchResult search(SearchCriteria criteria, int page, int pageSize) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            SubjectDriver driver = subjectDriver(connection, criteria);
            if (driver.matchesNothing()) {
                return new SearchResult(0, false, page, pageSize, List.of()); // no word of any subject contains the term
            }
            if (driver.merged()) {
                return searchMerged(connection, criteria, driver.tokens(), page, pageSize);
            }
            Where where = where(criteria, driver);
            long total;
            boolean lowerBound = false;
            if (TrackingCounts.countable(criteria)) {
                // period, node and action only: the message counters (V8), exact
                total = TrackingCounts.total(connection, criteria.from(), criteria.to(), criteria.node(), criteria.action());
            } else {
                try (PreparedStatement count = connection.prepareStatement(where.countSql())) {
                    bind(count, where.values());
                    try (ResultSet rs = count.executeQuery()) {
                        rs.next();
                        total = rs.getLong(1);
                    }
                }
            }
            if (where.cappedCount() && total > SUBJECT_COUNT_CAP) {
                total = SUBJECT_COUNT_CAP;
                lowerBound = true;
            }
            List<TrackedMessage> messages = new ArrayList<>();
            if (lowerBound || total > (long) (page - 1) * pageSize) {
                try (PreparedStatement select = connection.prepareStatement("SELECT " + MESSAGE_COLUMNS + where.sql()
                        + " ORDER BY " + where.orderBy() + " OFFSET ? ROWS FETCH NEXT ? ROWS ONLY")) {
                    List<Object> values = new ArrayList<>(where.values());
                    bind(select, values);
                    select.setLong(values.size() + 1, (long) (page - 1) * pageSize);
                    select.setLong(values.size() + 2, pageSize);
                    try (ResultSet rs = select.executeQuery()) {
                        while (rs.next()) {
                            messages.add(message(rs, List.of()));
                        }
                    }
                }
            }
            return new SearchResult(total, lowerBound, page, pageSize, messages);
        }
    }

    /**
     * Streams the messages matching {@code criteria}, newest first, at most {@code limit} of them, to
     * {@code consumer} (one database cursor; nothing is accumulated). Returns how many were streamed.
     */
    public long stream(SearchCriteria criteria, long limit, Consumer<TrackedMessage> consumer) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            SubjectDriver driver = subjectDriver(connection, criteria);
            if (driver.matchesNothing()) {
                return 0;
            }
            Where where = where(criteria, driver);
            connection.setAutoCommit(false); // PostgreSQL streams with a fetch size only inside a transaction
            if (driver.merged()) {
                try {
                    return mergeNewestFirst(connection, criteria, driver.tokens(), 0, limit, 200, consumer);
                } finally {
                    connection.rollback();
                    connection.setAutoCommit(true);
                }
            }
            try (PreparedStatement select = connection.prepareStatement("SELECT " + MESSAGE_COLUMNS + where.sql()
                    + " ORDER BY " + where.orderBy() + " FETCH FIRST ? ROWS ONLY")) {
                select.setFetchSize(1000);
                bind(select, where.values());
                select.setLong(where.values().size() + 1, limit);
                long count = 0;
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        consumer.accept(message(rs, List.of()));
                        count++;
                    }
                }
                return count;
            } finally {
                connection.rollback();
                connection.setAutoCommit(true);
            }
        }
    }

    /**
     * The subject word index tokens a search should be driven by, found in the subject vocabulary (V7), when the
     * subject term determines no word itself ({@code "nvoic"}, {@code "invoice"} alone) and the subject is the
     * search's driver (no period start, recipient or attachment criterion, whose indexes drive instead). Else
     * {@link SubjectDriver#DEFAULT}: the word the term determines, or the scan.
     */
    static SubjectDriver subjectDriver(Connection connection, SearchCriteria criteria) throws SQLException {
        if (criteria.subjectContains().isEmpty() || criteria.from().isPresent() || criteria.recipient().isPresent()
                || criteria.attachment().isPresent() || SubjectTokens.lookup(criteria.subjectContains().get()).isPresent()) {
            return SubjectDriver.DEFAULT;
        }
        Optional<SubjectTokens.Run> run = SubjectTokens.runs(criteria.subjectContains().get()).stream()
            .max(java.util.Comparator.comparingInt(r -> r.text().length()));
        if (run.isEmpty()) {
            return SubjectDriver.DEFAULT; // no letter or digit in the term
        }
        Optional<Set<String>> tokens = SubjectVocabulary.tokensContaining(connection, run.get(), VOCABULARY_TOKENS);
        if (tokens.isEmpty()) {
            return SubjectDriver.COMMON;
        }
        List<String> sorted = new ArrayList<>(new TreeSet<>(tokens.get()));
        if (sorted.size() > MERGE_TOKENS && tokenRows(connection, sorted) > TOKEN_ROWS) {
            return SubjectDriver.COMMON;
        }
        return new SubjectDriver(sorted, false);
    }

    /** How many subject word index rows {@code tokens} have, counted up to {@link #TOKEN_ROWS} + 1. */
    private static long tokenRows(Connection connection, List<String> tokens) throws SQLException {
        try (PreparedStatement count = connection.prepareStatement("SELECT COUNT(*) FROM (SELECT t.tracking_id FROM tracking_subject_token t"
                + " --DERBY-PROPERTIES index=tracking_stoken_seen\n WHERE t.token IN (" + String.join(", ", java.util.Collections.nCopies(tokens.size(), "?")) + ") FETCH FIRST "
                + (TOKEN_ROWS + 1) + " ROWS ONLY) r")) {
            bind(count, new ArrayList<>(tokens));
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * A subject search driven by a few candidate tokens: each token's index range is read newest first (so a page
     * stops early even when a token is frequent) and the ranges are merged; the count stops at the cap.
     */
    private SearchResult searchMerged(Connection connection, SearchCriteria criteria, List<String> tokens, int page, int pageSize) throws SQLException {
        Set<String> matches = new java.util.HashSet<>();
        counting:
        for (String token : tokens) {
            Where where = where(criteria, List.of(token));
            try (PreparedStatement count = connection.prepareStatement("SELECT m.tracking_id" + where.sql()
                    + " FETCH FIRST " + (SUBJECT_COUNT_CAP + 1) + " ROWS ONLY")) {
                bind(count, where.values());
                try (ResultSet rs = count.executeQuery()) {
                    while (rs.next()) {
                        matches.add(rs.getString(1));
                        if (matches.size() > SUBJECT_COUNT_CAP) {
                            break counting;
                        }
                    }
                }
            }
        }
        boolean lowerBound = matches.size() > SUBJECT_COUNT_CAP;
        long total = lowerBound ? SUBJECT_COUNT_CAP : matches.size();
        List<TrackedMessage> messages = new ArrayList<>();
        if (lowerBound || total > (long) (page - 1) * pageSize) {
            mergeNewestFirst(connection, criteria, tokens, (long) (page - 1) * pageSize, pageSize, pageSize, messages::add);
        }
        return new SearchResult(total, lowerBound, page, pageSize, messages);
    }

    private static final java.util.Comparator<TrackedMessage> NEWEST_FIRST = java.util.Comparator.comparing(TrackedMessage::firstSeen)
        .thenComparing(TrackedMessage::trackingId).reversed();

    private record Head(TrackedMessage message, ResultSet rows) {
    }

    /**
     * Merges the newest-first matches of each of {@code tokens} into one newest-first sequence without duplicates
     * (a message having several of the tokens), skips {@code skip} of them and gives the next {@code take} to
     * {@code consumer}. Returns how many were given.
     */
    private long mergeNewestFirst(Connection connection, SearchCriteria criteria, List<String> tokens, long skip, long take, int fetchSize,
                                  Consumer<TrackedMessage> consumer) throws SQLException {
        List<PreparedStatement> statements = new ArrayList<>();
        try {
            java.util.PriorityQueue<Head> heads = new java.util.PriorityQueue<>(tokens.size(), java.util.Comparator.comparing(Head::message, NEWEST_FIRST));
            for (String token : tokens) {
                Where where = where(criteria, List.of(token));
                PreparedStatement select = connection.prepareStatement("SELECT " + MESSAGE_COLUMNS + where.sql()
                    + " ORDER BY " + where.orderBy() + " FETCH FIRST ? ROWS ONLY");
                statements.add(select);
                select.setFetchSize(fetchSize);
                bind(select, where.values());
                select.setLong(where.values().size() + 1, skip + take);
                ResultSet rows = select.executeQuery();
                if (rows.next()) {
                    heads.add(new Head(message(rows, List.of()), rows));
                }
            }
            long skipped = 0;
            long taken = 0;
            Instant at = null;
            Set<String> idsAt = new java.util.HashSet<>(); // a duplicate has the same first_seen: remember the ids of one instant
            while (!heads.isEmpty() && taken < take) {
                Head head = heads.poll();
                if (head.rows().next()) {
                    heads.add(new Head(message(head.rows(), List.of()), head.rows()));
                }
                TrackedMessage message = head.message();
                if (!message.firstSeen().equals(at)) {
                    at = message.firstSeen();
                    idsAt.clear();
                }
                if (!idsAt.add(message.trackingId())) {
                    continue;
                }
                if (skipped < skip) {
                    skipped++;
                } else {
                    consumer.accept(message);
                    taken++;
                }
            }
            return taken;
        } finally {
            for (PreparedStatement statement : statements) {
                statement.close();
            }
        }
    }

    /** The message and its events, oldest first. */
    public Optional<MessageDetail> find(String trackingId) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            List<String> recipients = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT recipient FROM tracking_recipient WHERE tracking_id = ? ORDER BY recipient")) {
                select.setString(1, trackingId);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        recipients.add(rs.getString(1));
                    }
                }
            }
            TrackedMessage message;
            try (PreparedStatement select = connection.prepareStatement("SELECT " + MESSAGE_COLUMNS + " FROM tracking_message m WHERE m.tracking_id = ?")) {
                select.setString(1, trackingId);
                try (ResultSet rs = select.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    message = message(rs, recipients);
                }
            }
            List<StoredEvent> events = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT event_id, event_time, event_type, info FROM tracking_event WHERE tracking_id = ? ORDER BY event_time, event_id")) {
                select.setString(1, trackingId);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        Optional<EventType> type = EventType.parse(rs.getString(3));
                        if (type.isPresent()) {
                            events.add(new StoredEvent(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2)), type.get(), fromJson(rs.getString(4))));
                        }
                    }
                }
            }
            return Optional.of(new MessageDetail(message, events));
        }
    }

    private static TrackedMessage message(ResultSet rs, List<String> recipients) throws SQLException {
        String sender = rs.getString(5);
        long size = rs.getLong(12);
        Optional<Long> sizeValue = rs.wasNull() ? Optional.empty() : Optional.of(size);
        return new TrackedMessage(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), Instant.ofEpochMilli(rs.getLong(3)), rs.getString(4),
            sender.isEmpty() ? SearchCriteria.NULL_SENDER : sender,
            recipients.isEmpty() ? split(rs.getString(6)) : recipients,
            Optional.ofNullable(rs.getString(7)), Optional.ofNullable(rs.getString(8)), Optional.ofNullable(rs.getString(9)),
            Optional.ofNullable(rs.getString(10)), Optional.ofNullable(rs.getString(11)), sizeValue, split(rs.getString(13)),
            rs.getString(14), rs.getShort(15) == 1, Optional.ofNullable(rs.getString(16)), MessageStatus.valueOf(rs.getString(17)),
            rs.getString(18), Optional.ofNullable(rs.getString(19)), Optional.ofNullable(rs.getString(20)),
            Optional.ofNullable(rs.getString(21)).flatMap(EventType::parse));
    }

    // ------------------------------------------------------------------ retention

    /**
     * Deletes messages (with their recipients, attachments and events) not updated since {@code cutoff}, in
     * transactions of at most {@code batchSize} messages. Returns how many messages were deleted.
     */
    public long purgeOlderThan(Instant cutoff, int batchSize) throws SQLException {
        long deleted = 0;
        try (Connection connection = dataSource.getConnection()) {
            while (true) {
                List<String> ids = new ArrayList<>();
                try (PreparedStatement select = connection.prepareStatement(
                        // last_update is never before first_seen: the first_seen index (V2) finds the candidates (V9)
                        "SELECT tracking_id FROM tracking_message WHERE first_seen < ? AND last_update < ? FETCH FIRST ? ROWS ONLY")) {
                    select.setLong(1, cutoff.toEpochMilli());
                    select.setLong(2, cutoff.toEpochMilli());
                    select.setInt(3, batchSize);
                    try (ResultSet rs = select.executeQuery()) {
                        while (rs.next()) {
                            ids.add(rs.getString(1));
                        }
                    }
                }
                if (ids.isEmpty()) {
                    dropEmptyCounters(connection, cutoff);
                    return deleted;
                }
                connection.setAutoCommit(false);
                try {
                    for (String table : List.of("tracking_event", "tracking_recipient", "tracking_recipient_domain",
                            "tracking_attachment", "tracking_subject_token")) {
                        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + table + " WHERE tracking_id = ?")) {
                            for (String id : ids) {
                                delete.setString(1, id);
                                delete.addBatch();
                            }
                            delete.executeBatch();
                        }
                    }
                    TrackingCounts.Deltas counts = new TrackingCounts.Deltas();
                    deleteMessages(connection, ids, counts);
                    counts.apply(connection);
                    connection.commit();
                } catch (SQLException | RuntimeException e) {
                    connection.rollback();
                    throw e;
                } finally {
                    connection.setAutoCommit(true);
                }
                deleted += ids.size();
                if (ids.size() < batchSize) {
                    dropEmptyCounters(connection, cutoff);
                    return deleted;
                }
            }
        }
    }

    /**
     * Deletes the counters (V8) left at zero by the purge, up to the cut-off's bucket (a purged message was first
     * seen before the cut-off): they would only lengthen the all-time sum.
     */
    private static void dropEmptyCounters(Connection connection, Instant cutoff) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM tracking_count WHERE bucket <= ? AND messages = 0")) {
            delete.setLong(1, TrackingCounts.bucket(cutoff.toEpochMilli()));
            delete.executeUpdate();
        }
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM tracking_count_day WHERE day <= ? AND messages = 0")) {
            delete.setLong(1, TrackingCounts.day(cutoff.toEpochMilli()));
            delete.executeUpdate();
        }
    }

    /**
     * Deletes the message rows of {@code ids} and counts each deleted message -1 on its counter (V8). Each row is read
     * (first_seen, node, action) and deleted only if its action is still the one read (compare and delete), so
     * that a concurrent writer changing the action meanwhile makes it read again instead of decrementing the
     * wrong counter.
     */
    private static void deleteMessages(Connection connection, List<String> ids, TrackingCounts.Deltas counts) throws SQLException {
        try (PreparedStatement current = connection.prepareStatement("SELECT first_seen, node, action FROM tracking_message WHERE tracking_id = ?");
             PreparedStatement delete = connection.prepareStatement("DELETE FROM tracking_message WHERE tracking_id = ? AND action = ?")) {
            for (String id : ids) {
                for (int attempt = 0; ; attempt++) {
                    current.setString(1, id);
                    long firstSeen;
                    String messageNode;
                    String action;
                    try (ResultSet rs = current.executeQuery()) {
                        if (!rs.next()) {
                            break; // deleted meanwhile (another node's purge): counted there
                        }
                        firstSeen = rs.getLong(1);
                        messageNode = rs.getString(2);
                        action = rs.getString(3);
                    }
                    delete.setString(1, id);
                    delete.setString(2, action);
                    if (delete.executeUpdate() > 0) {
                        counts.add(firstSeen, messageNode, action, -1);
                        break;
                    }
                    if (attempt >= ACTION_ATTEMPTS) {
                        throw new SQLException("The action of tracked message " + id + " kept changing while the purge deleted it");
                    }
                }
            }
        }
    }
}
