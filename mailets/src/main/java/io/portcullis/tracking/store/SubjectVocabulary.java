package io.portcullis.tracking.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The vocabulary of subject words (migration {@code V7__tracking_subject_vocabulary.sql}): every distinct word
 * ever indexed in {@code tracking_subject_token}, and every suffix of every such word, so that a subject
 * "contains" term that starts or ends inside a word ({@code "nvoic"}) finds the few index tokens it can be part
 * of with one index range read, instead of scanning the messages.
 *
 * <p>Why it is exact: a maximal run of letters and digits of a term lies inside one word of every subject that
 * contains the term, so it is the start of some suffix of that word. {@code tracking_subject_suffix} holds, for
 * every word, each of its suffixes (at most {@link SubjectTokens#MAX_LENGTH} characters of each kept) with the
 * word's index token, so {@code suffix LIKE 'run%'} lists every token a matching subject can have. A word longer
 * than {@link SubjectTokens#MAX_LENGTH} (its token is truncated) has all its suffixes too, so a run inside its
 * truncated tail is found as well.
 *
 * <p>Writes: a word is added in the writer's transaction the first time it is seen (its vocabulary row is the
 * gate: only the transaction that inserts it inserts the word's suffix rows). Words already in the vocabulary
 * are skipped by a check, and by a bounded in-memory set of words this node knows to be committed. Concurrent
 * writers on several nodes are safe: a duplicate-key failure (SQLState 23505) of the vocabulary row is rolled
 * back to a savepoint (needed on PostgreSQL, where a failed statement aborts the transaction), the other writer
 * owns the word. Words are added in sorted order, so two writers never wait for each other in a cycle.
 *
 * <p>The vocabulary only grows: the retention purge leaves it alone (a word no longer used costs one index entry
 * per suffix, and finds no message).
 */
public final class SubjectVocabulary {
    /** Words this node knows to be committed in the vocabulary; cleared when it reaches this size. */
    static final int MAX_KNOWN = 100_000;
    private static final int CHECK_CHUNK = 50;
    private static final int LONG_KEY_PREFIX = 40;
    private static final String DUPLICATE_KEY = "23505";

    private final Set<String> known = ConcurrentHashMap.newKeySet();

    /**
     * The vocabulary key of a (lower-cased, whole) word: the word itself when shorter than
     * {@link SubjectTokens#MAX_LENGTH}; else its first 40 characters, {@code '#'} (never part of a word) and 23 hex
     * digits of its SHA-256, so that long words sharing a truncated token stay distinct.
     */
    public static String key(String word) {
        if (word.length() < SubjectTokens.MAX_LENGTH) {
            return word;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(word.getBytes(StandardCharsets.UTF_8));
            String hex = HexFormat.of().formatHex(digest);
            return word.substring(0, LONG_KEY_PREFIX) + "#" + hex.substring(0, SubjectTokens.MAX_LENGTH - LONG_KEY_PREFIX - 1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One row of {@code tracking_subject_suffix}: {@code token} is null when it equals the word key (short words). */
    public record SuffixRow(String suffix, String wordKey, String token) {
    }

    /** The suffix rows of a (lower-cased, whole) word: each distinct suffix, at most MAX_LENGTH characters kept. */
    public static List<SuffixRow> suffixRows(String word) {
        String key = key(word);
        String token = key.equals(word) ? null : SubjectTokens.token(word);
        Set<String> suffixes = new LinkedHashSet<>();
        for (int start = 0; start < word.length(); start++) {
            suffixes.add(SubjectTokens.token(word.substring(start)));
        }
        List<SuffixRow> rows = new ArrayList<>(suffixes.size());
        for (String suffix : suffixes) {
            rows.add(new SuffixRow(suffix, key, token));
        }
        return rows;
    }

    /**
     * Adds the words of {@code words} missing from the vocabulary, in the caller's transaction on {@code connection}
     * (auto-commit off). Call {@link #confirm} with the same words once that transaction has committed.
     */
    public void add(Connection connection, Collection<String> words) throws SQLException {
        TreeMap<String, String> unknown = new TreeMap<>(); // key -> word, sorted by key
        for (String word : words) {
            if (!known.contains(word)) {
                unknown.put(key(word), word);
            }
        }
        if (unknown.isEmpty()) {
            return;
        }
        Set<String> present = presentKeys(connection, unknown.keySet());
        unknown.keySet().removeAll(present);
        insert(connection, unknown);
    }

    /**
     * Inserts the words of {@code words} (key to word, sorted by key) and, for those this transaction inserted,
     * their suffixes; a word another writer inserted meanwhile (duplicate key) is skipped.
     */
    static void insert(Connection connection, java.util.SortedMap<String, String> words) throws SQLException {
        if (words.isEmpty()) {
            return;
        }
        java.util.SortedMap<String, String> unknown = words;
        try (PreparedStatement vocab = connection.prepareStatement("INSERT INTO tracking_subject_vocab (word_key) VALUES (?)");
             PreparedStatement suffix = connection.prepareStatement(
                 "INSERT INTO tracking_subject_suffix (suffix, word_key, token) VALUES (?, ?, ?)")) {
            List<String> added = new ArrayList<>();
            // Usually no other writer adds the same words meanwhile: one batch. Else word by word, skipping theirs.
            Savepoint batch = connection.setSavepoint();
            try {
                for (String key : unknown.keySet()) {
                    vocab.setString(1, key);
                    vocab.addBatch();
                }
                vocab.executeBatch();
                connection.releaseSavepoint(batch);
                added.addAll(unknown.values());
            } catch (SQLException e) {
                if (!isDuplicateKey(e)) {
                    throw e;
                }
                connection.rollback(batch);
                vocab.clearBatch();
                for (var entry : unknown.entrySet()) {
                    Savepoint one = connection.setSavepoint();
                    try {
                        vocab.setString(1, entry.getKey());
                        vocab.executeUpdate();
                        connection.releaseSavepoint(one);
                        added.add(entry.getValue());
                    } catch (SQLException duplicate) {
                        if (!isDuplicateKey(duplicate)) {
                            throw duplicate;
                        }
                        connection.rollback(one); // another writer added it, with its suffixes
                    }
                }
            }
            for (String word : added) {
                for (SuffixRow row : suffixRows(word)) {
                    suffix.setString(1, row.suffix());
                    suffix.setString(2, row.wordKey());
                    suffix.setString(3, row.token());
                    suffix.addBatch();
                }
            }
            suffix.executeBatch();
        }
    }

    private static boolean isDuplicateKey(SQLException e) {
        for (SQLException cause = e; cause != null; cause = cause.getNextException()) {
            if (DUPLICATE_KEY.equals(cause.getSQLState())) {
                return true;
            }
        }
        return e.getCause() instanceof SQLException cause && DUPLICATE_KEY.equals(cause.getSQLState());
    }

    private static Set<String> presentKeys(Connection connection, Collection<String> keys) throws SQLException {
        Set<String> present = new HashSet<>();
        List<String> all = new ArrayList<>(keys);
        for (int from = 0; from < all.size(); from += CHECK_CHUNK) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + CHECK_CHUNK));
            try (PreparedStatement select = connection.prepareStatement("SELECT word_key FROM tracking_subject_vocab WHERE word_key IN ("
                    + String.join(", ", java.util.Collections.nCopies(chunk.size(), "?")) + ")")) {
                for (int i = 0; i < chunk.size(); i++) {
                    select.setString(i + 1, chunk.get(i));
                }
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        present.add(rs.getString(1));
                    }
                }
            }
        }
        return present;
    }

    /** Remembers {@code words} as committed in the vocabulary (after the transaction of {@link #add} committed). */
    public void confirm(Collection<String> words) {
        if (known.size() + words.size() > MAX_KNOWN) {
            known.clear();
        }
        known.addAll(words);
    }

    /**
     * The index tokens ({@code tracking_subject_token}) a subject containing {@code run} can have: tokens of the
     * words that contain the run (that end with it when {@link SubjectTokens.Run#wordEnd()}, that start with it when
     * {@link SubjectTokens.Run#wordStart()}). Empty when more than {@code limit} distinct tokens would be listed.
     */
    public static Optional<Set<String>> tokensContaining(Connection connection, SubjectTokens.Run run, int limit) throws SQLException {
        String text = SubjectTokens.token(run.text());
        // A run longer than MAX_LENGTH is found through its first MAX_LENGTH characters (a superset, the LIKE on
        // the subject decides); only an untruncated run can be matched as a word end by equality.
        boolean exactEnd = run.wordEnd() && text.length() == run.text().length();
        // Derby hint (an SQL comment elsewhere): the key's index, whatever the statistics say
        try (PreparedStatement select = connection.prepareStatement("SELECT word_key, token FROM tracking_subject_suffix"
                + " --DERBY-PROPERTIES constraint=tracking_ssuffix_pk\n WHERE "
                + (exactEnd ? "suffix = ?" : "suffix LIKE ? ESCAPE '!'") + " FETCH FIRST ? ROWS ONLY")) {
            select.setString(1, exactEnd ? text : TrackingDao.escapeLike(text) + "%");
            select.setInt(2, limit * 2 + 1);
            Set<String> tokens = new LinkedHashSet<>();
            int rows = 0;
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    rows++;
                    String key = rs.getString(1);
                    String token = rs.getString(2);
                    if (run.wordStart() && !(token == null ? key : token).startsWith(text)) {
                        continue; // the run must start the word: only the whole-word suffix qualifies
                    }
                    tokens.add(token == null ? key : token);
                }
            }
            if (tokens.size() > limit || rows > limit * 2) {
                return Optional.empty();
            }
            return Optional.of(tokens);
        }
    }
}
