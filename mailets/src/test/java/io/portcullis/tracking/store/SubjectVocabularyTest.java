package io.portcullis.tracking.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.commons.dbcp2.BasicDataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.portcullis.store.GatewayStore;
import io.portcullis.store.StoreConfiguration;
import io.portcullis.tracking.EventType;
import io.portcullis.tracking.MessageInfo;
import io.portcullis.tracking.TrackedEvent;

/**
 * The subject vocabulary (V7): subject "contains" terms that start or end inside a word find their candidate index
 * tokens in it, with exactly "contains" results; it is filled on insert and by the migration back-fill.
 */
class SubjectVocabularyTest {
    private static final Instant NOW = Instant.parse("2026-11-18T10:00:00Z");

    /** One store for the class: the vocabulary only grows, so every test uses words of its own. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Searches {
        private TrackingStoreFixture fixture;
        private TrackingDao dao;

        @BeforeAll
        void openStore() throws Exception {
            fixture = new TrackingStoreFixture();
            dao = new TrackingDao(fixture.store().dataSource(), "node-a");
        }

        @AfterAll
        void closeStore() {
            fixture.close();
        }

        private void received(String id, Instant at, String subject) throws Exception {
            dao.writeAll(List.of(write(id, at, subject)));
        }

        private List<String> ids(String term) throws Exception {
            return ids(SearchCriteria.builder().subjectContains(term).build(), 1, 300);
        }

        private List<String> ids(SearchCriteria criteria, int page, int pageSize) throws Exception {
            return dao.search(criteria, page, pageSize).messages().stream().map(TrackedMessage::trackingId).collect(Collectors.toList());
        }

        private List<String> streamed(String term) throws Exception {
            List<String> ids = new ArrayList<>();
            dao.stream(SearchCriteria.builder().subjectContains(term).build(), 1_000, m -> ids.add(m.trackingId()));
            return ids;
        }

        private TrackingDao.SubjectDriver driver(String term) throws Exception {
            try (Connection c = fixture.store().connection()) {
                return TrackingDao.subjectDriver(c, SearchCriteria.builder().subjectContains(term).build());
            }
        }

        /** The candidate index tokens the vocabulary gives for {@code term}, empty when the search does not use them. */
        private Optional<List<String>> candidates(String term) throws Exception {
            return Optional.ofNullable(driver(term).tokens());
        }

        @Test
        void searchShouldFindMidWordTermsThroughTheVocabularyWhenTheTermStartsInsideAWord() throws Exception {
            received("a1", NOW.minusSeconds(40), "Quarterly Alphinvoice #1");
            received("a2", NOW.minusSeconds(30), "alphinvoices overdue");
            received("a3", NOW.minusSeconds(20), "Re: ALPHINVOICE");
            received("a4", NOW.minusSeconds(10), "alph invoice");

            assertThat(candidates("lphinvoic")).contains(List.of("alphinvoice", "alphinvoices"));
            assertThat(ids("lphinvoic")).containsExactly("a3", "a2", "a1");
            assertThat(ids("ALPHINVOICE")).containsExactly("a3", "a2", "a1");
            assertThat(streamed("lphinvoic")).containsExactly("a3", "a2", "a1");
            // the run ends a word: only words ending with it are candidates
            assertThat(candidates("lphinvoice:")).contains(List.of("alphinvoice"));
            assertThat(ids("lphinvoice:")).isEmpty();
            assertThat(ids("phinvoice #1")).containsExactly("a1");
        }

        @Test
        void searchShouldListAMessageOnceAndPageNewestFirstWhenItHasSeveralCandidateWords() throws Exception {
            List<TrackingDao.Write> writes = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                String subject = i % 3 == 0 ? "betaword betawords" : i % 3 == 1 ? "betawordy" : "other";
                writes.add(write(String.format(Locale.ROOT, "b%02d", i), NOW.plusSeconds(i), subject));
            }
            dao.writeAll(writes);

            SearchResult first = dao.search(SearchCriteria.builder().subjectContains("etaword").build(), 1, 5);
            SearchResult third = dao.search(SearchCriteria.builder().subjectContains("etaword").build(), 3, 5);
            SearchResult fifth = dao.search(SearchCriteria.builder().subjectContains("etaword").build(), 5, 5);

            assertThat(candidates("etaword")).contains(List.of("betaword", "betawords", "betawordy"));
            assertThat(first.total()).isEqualTo(20);
            assertThat(first.totalIsLowerBound()).isFalse();
            assertThat(first.messages()).extracting(TrackedMessage::trackingId).containsExactly("b28", "b27", "b25", "b24", "b22");
            assertThat(third.messages()).extracting(TrackedMessage::trackingId).containsExactly("b13", "b12", "b10", "b09", "b07");
            assertThat(fifth.messages()).isEmpty();
            assertThat(streamed("etaword")).hasSize(20).doesNotHaveDuplicates().startsWith("b28", "b27");
        }

        @Test
        void searchShouldMatchExactlyWhenTheTermSpansTwoWords() throws Exception {
            received("c1", NOW.minusSeconds(40), "Gammainvoice Q3 report");
            received("c2", NOW.minusSeconds(30), "gammainvoice q4 report");
            received("c3", NOW.minusSeconds(20), "gammainvoice-q3");
            received("c4", NOW.minusSeconds(10), "gammaice q3x");

            assertThat(ids("ice q3")).containsExactly("c4", "c1");
            assertThat(ids("mainvoice q")).containsExactly("c2", "c1");
            assertThat(ids("ice-q")).containsExactly("c3");
        }

        @Test
        void searchShouldAnswerNothingWithoutReadingMessagesWhenNoWordContainsTheTerm() throws Exception {
            received("d1", NOW, "delta report");

            SearchResult result = dao.search(SearchCriteria.builder().subjectContains("qqzzxq").build(), 1, 20);

            assertThat(candidates("qqzzxq")).contains(List.of());
            assertThat(result.total()).isZero();
            assertThat(result.totalIsLowerBound()).isFalse();
            assertThat(result.messages()).isEmpty();
            assertThat(streamed("qqzzxq")).isEmpty();
        }

        @Test
        void searchShouldReadAllCandidateRowsAtOnceWhenMoreWordsThanTheMergeLimitContainTheTerm() throws Exception {
            List<TrackingDao.Write> writes = new ArrayList<>();
            for (int i = 0; i < TrackingDao.MERGE_TOKENS + 4; i++) {
                writes.add(write("e" + i, NOW.plusSeconds(i), "epsi" + (char) ('a' + i) + "lonword"));
            }
            writes.add(write("e-none", NOW.plusSeconds(100), "epsilon word"));
            dao.writeAll(writes);

            assertThat(candidates("lonword")).hasValueSatisfying(tokens -> assertThat(tokens).hasSize(TrackingDao.MERGE_TOKENS + 4));
            SearchResult result = dao.search(SearchCriteria.builder().subjectContains("lonword").build(), 1, 5);
            assertThat(result.total()).isEqualTo(TrackingDao.MERGE_TOKENS + 4);
            assertThat(result.messages()).extracting(TrackedMessage::trackingId).containsExactly("e19", "e18", "e17", "e16", "e15");
        }

        @Test
        void searchShouldScanNewestFirstWhenMoreWordsThanTheVocabularyLimitContainTheTerm() throws Exception {
            List<TrackingDao.Write> writes = new ArrayList<>();
            int n = TrackingDao.VOCABULARY_TOKENS + 5;
            for (int i = 0; i < n; i++) {
                writes.add(write(String.format(Locale.ROOT, "z%05d", i), NOW.plusSeconds(i), "zeta" + i + "qk ticket"));
            }
            dao.writeAll(writes);

            SearchResult result = dao.search(SearchCriteria.builder().subjectContains("qk").build(), 1, 3);

            assertThat(driver("qk")).isEqualTo(TrackingDao.SubjectDriver.COMMON); // too many words: the scan
            assertThat(result.total()).isEqualTo(TrackingDao.SUBJECT_COUNT_CAP);
            assertThat(result.totalIsLowerBound()).isTrue();
            assertThat(result.messages()).extracting(TrackedMessage::trackingId)
                .containsExactly(String.format(Locale.ROOT, "z%05d", n - 1), String.format(Locale.ROOT, "z%05d", n - 2), String.format(Locale.ROOT, "z%05d", n - 3));
            assertThat(ids("a1004q")).containsExactly(String.format(Locale.ROOT, "z%05d", 1004));
        }

        @Test
        void searchShouldFindATermInTheTruncatedTailWhenASubjectWordIsLongerThanTheIndexedLength() throws Exception {
            String longWord = "eta" + "x".repeat(70) + "tailpiece" + "y".repeat(20);
            String otherLong = "eta" + "x".repeat(70) + "othertail";
            received("f1", NOW.minusSeconds(20), "Ref " + longWord);
            received("f2", NOW.minusSeconds(10), "Ref " + otherLong);

            assertThat(ids("ailpiec")).containsExactly("f1");
            assertThat(ids("thertai")).containsExactly("f2");
            assertThat(ids("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")).containsExactly("f2", "f1");
            assertThat(ids("y".repeat(20))).containsExactly("f1");
        }

        @Test
        void writeShouldAddEachNewWordAndItsSuffixesOnceWhenMessagesShareWords() throws Exception {
            received("g1", NOW.minusSeconds(20), "Kappa lambda");
            received("g2", NOW.minusSeconds(10), "kappa LAMBDA mu");

            try (Connection c = fixture.store().connection()) {
                assertThat(count(c, "SELECT COUNT(*) FROM tracking_subject_vocab WHERE word_key IN ('kappa', 'lambda', 'mu')")).isEqualTo(3);
                assertThat(strings(c, "SELECT suffix FROM tracking_subject_suffix WHERE word_key = 'kappa' ORDER BY suffix"))
                    .containsExactly("a", "appa", "kappa", "pa", "ppa");
            }
        }

        @Test
        void writeShouldKeepOneVocabularyRowWhenTwoNodesAddTheSameNewWordConcurrently() throws Exception {
            TrackingDao nodeB = new TrackingDao(fixture.store().dataSource(), "node-b");
            CountDownLatch start = new CountDownLatch(1);
            CompletableFuture<Void> a = CompletableFuture.runAsync(() -> writeAfter(start, dao, "h", "omicronword shared"));
            CompletableFuture<Void> b = CompletableFuture.runAsync(() -> writeAfter(start, nodeB, "i", "omicronword other"));
            start.countDown();
            a.get(30, TimeUnit.SECONDS);
            b.get(30, TimeUnit.SECONDS);
            // a node that does not know the word yet writes it again
            new TrackingDao(fixture.store().dataSource(), "node-c").writeAll(List.of(write("j", NOW, "omicronword again")));

            try (Connection c = fixture.store().connection()) {
                assertThat(count(c, "SELECT COUNT(*) FROM tracking_subject_vocab WHERE word_key = 'omicronword'")).isEqualTo(1);
                assertThat(count(c, "SELECT COUNT(*) FROM tracking_subject_suffix WHERE word_key = 'omicronword'")).isEqualTo("omicronword".length());
            }
            assertThat(ids("micronwor")).hasSize(10 * 2 + 1);
        }

        @Test
        void insertShouldSkipAWordAnotherWriterAddedAndKeepTheTransactionWhenItsKeyIsADuplicate() throws Exception {
            received("k1", NOW, "pirhoword");

            try (Connection c = fixture.store().connection()) {
                c.setAutoCommit(false);
                SubjectVocabulary.insert(c, new java.util.TreeMap<>(Map.of("pirhoword", "pirhoword", "pirhowordy", "pirhowordy")));
                c.commit();
                c.setAutoCommit(true);
                assertThat(count(c, "SELECT COUNT(*) FROM tracking_subject_vocab WHERE word_key LIKE 'pirhoword%'")).isEqualTo(2);
                assertThat(count(c, "SELECT COUNT(*) FROM tracking_subject_suffix WHERE word_key = 'pirhoword'")).isEqualTo("pirhoword".length());
                assertThat(count(c, "SELECT COUNT(*) FROM tracking_subject_suffix WHERE word_key = 'pirhowordy'")).isEqualTo("pirhowordy".length());
            }
        }

        private void writeAfter(CountDownLatch start, TrackingDao writer, String prefix, String subject) {
            try {
                start.await();
                List<TrackingDao.Write> writes = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    writes.add(write(prefix + i, NOW.plusSeconds(i), subject));
                }
                writer.writeAll(writes);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void migrationShouldFillTheVocabularyFromTheWordsIndexedBeforeItWhenTheStoreIsUpgraded() throws Exception {
        Path dir = Files.createTempDirectory("portcullis-tracking-v7");
        StoreConfiguration configuration = StoreConfiguration.embeddedDerby(dir.resolve("db"));
        String longWord = "w".repeat(70) + "deeptail";
        try (BasicDataSource v6 = new BasicDataSource()) {
            v6.setUrl(configuration.url());
            v6.setDriverClassName("org.apache.derby.jdbc.EmbeddedDriver");
            Flyway.configure(getClass().getClassLoader()).dataSource(v6).locations("classpath:db/migration/portcullis")
                .table("portcullis_schema_history").placeholders(Map.of("binaryType", "BLOB")).target("6.1").load().migrate();
            try (Connection c = v6.getConnection()) {
                insertV6Message(c, "old1", NOW.minusSeconds(20), "Quarterly Invoices #42");
                insertV6Message(c, "old2", NOW.minusSeconds(10), "Ref " + longWord);
            }
        }
        try (GatewayStore store = GatewayStore.open(configuration)) {
            TrackingDao dao = new TrackingDao(store.dataSource(), "node-a");
            dao.writeAll(List.of(write("new1", NOW, "invoice reminder")));

            try (Connection c = store.connection()) {
                assertThat(strings(c, "SELECT word_key FROM tracking_subject_vocab WHERE word_key NOT LIKE 'www%' ORDER BY word_key"))
                    .containsExactly("42", "invoice", "invoices", "quarterly", "ref", "reminder");
                assertThat(count(c, "SELECT COUNT(*) FROM tracking_subject_vocab WHERE word_key = '" + SubjectVocabulary.key(longWord) + "'")).isEqualTo(1);
            }
            assertThat(dao.search(SearchCriteria.builder().subjectContains("nvoic").build(), 1, 20).messages())
                .extracting(TrackedMessage::trackingId).containsExactly("new1", "old1");
            assertThat(dao.search(SearchCriteria.builder().subjectContains("uarterl").build(), 1, 20).messages())
                .extracting(TrackedMessage::trackingId).containsExactly("old1");
            assertThat(dao.search(SearchCriteria.builder().subjectContains("eeptai").build(), 1, 20).messages())
                .extracting(TrackedMessage::trackingId).containsExactly("old2");
        }
    }

    @Test
    void keyShouldBeTheWordWhenShortAndDistinctHashedKeysWhenLongWordsShareTheirIndexedStart() {
        String a = "a".repeat(64) + "one";
        String b = "a".repeat(64) + "two";

        assertThat(SubjectVocabulary.key("invoice")).isEqualTo("invoice");
        assertThat(SubjectVocabulary.key(a)).hasSize(SubjectTokens.MAX_LENGTH).startsWith("a".repeat(40) + "#").isNotEqualTo(SubjectVocabulary.key(b));
        assertThat(SubjectVocabulary.suffixRows("abca")).extracting(SubjectVocabulary.SuffixRow::suffix).containsExactly("abca", "bca", "ca", "a");
        assertThat(SubjectVocabulary.suffixRows(a)).allSatisfy(row -> {
            assertThat(row.suffix().length()).isLessThanOrEqualTo(SubjectTokens.MAX_LENGTH);
            assertThat(row.token()).isEqualTo("a".repeat(64));
        });
        assertThat(SubjectTokens.runs("ice q3")).containsExactly(new SubjectTokens.Run("ice", false, true), new SubjectTokens.Run("q3", true, false));
    }

    private static TrackingDao.Write write(String id, Instant at, String subject) {
        return new TrackingDao.Write(new TrackedEvent(id, EventType.RECEIVED_BY_MTA, at, Map.of()),
            MessageInfo.builder().sender("alice@example.com").recipients(List.of("bob@acme.test")).subject(subject).build());
    }

    private static long count(Connection c, String sql) throws Exception {
        try (PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<String> strings(Connection c, String sql) throws Exception {
        List<String> values = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }

    private static void insertV6Message(Connection c, String id, Instant seen, String subject) throws Exception {
        try (PreparedStatement m = c.prepareStatement("INSERT INTO tracking_message (tracking_id, first_seen, last_update, node, sender, sender_domain, "
                + "recipients, subject, subject_lc, message_security, tls, status, action) VALUES (?, ?, ?, 'n', 'a@example.com', 'example.com', "
                + "'bob@acme.test', ?, ?, 'none', 0, 'DELIVERED', 'accepted')")) {
            m.setString(1, id);
            m.setLong(2, seen.toEpochMilli());
            m.setLong(3, seen.toEpochMilli());
            m.setString(4, subject);
            m.setString(5, subject.toLowerCase(Locale.ROOT));
            m.executeUpdate();
        }
        for (String token : SubjectTokens.of(subject)) {
            try (PreparedStatement t = c.prepareStatement("INSERT INTO tracking_subject_token (tracking_id, token, first_seen) VALUES (?, ?, ?)")) {
                t.setString(1, id);
                t.setString(2, token);
                t.setLong(3, seen.toEpochMilli());
                t.executeUpdate();
            }
        }
    }
}
