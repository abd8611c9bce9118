package io.portcullis.tracking.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.apache.commons.dbcp2.BasicDataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.portcullis.store.GatewayStore;
import io.portcullis.store.StoreConfiguration;
import io.portcullis.tracking.EventType;
import io.portcullis.tracking.MessageInfo;
import io.portcullis.tracking.TrackedEvent;

/** The V6 search index tables: recipient domains and subject words, their use by searches, capped subject totals. */
class TrackingSearchIndexTest {
    private static final Instant NOW = Instant.parse("2026-11-18T10:00:00Z");

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

        @BeforeEach
        void clear() throws Exception {
            fixture.clear();
        }

        private void received(String id, Instant at, String subject, String... recipients) throws Exception {
            dao.writeAll(List.of(new TrackingDao.Write(new TrackedEvent(id, EventType.RECEIVED_BY_MTA, at, Map.of()),
                MessageInfo.builder().sender("alice@example.com").recipients(List.of(recipients)).subject(subject).build())));
        }

        private List<String> ids(SearchCriteria criteria) throws Exception {
            return dao.search(criteria, 1, 300).messages().stream().map(TrackedMessage::trackingId).collect(Collectors.toList());
        }

        @Test
        void recipientDomainSearchShouldListEachMessageOnceNewestFirstWhenSeveralRecipientsShareTheDomain() throws Exception {
            received("m1", NOW.minusSeconds(30), "a", "bob@acme.test", "carol@ACME.test");
            received("m2", NOW.minusSeconds(10), "b", "dave@acme.test");
            received("m3", NOW.minusSeconds(20), "c", "erin@other.test");

            SearchResult result = dao.search(SearchCriteria.builder().recipient("@Acme.test").build(), 1, 20);

            assertThat(result.messages()).extracting(TrackedMessage::trackingId).containsExactly("m2", "m1");
            assertThat(result.total()).isEqualTo(2);
            assertThat(result.totalIsLowerBound()).isFalse();
        }

        @Test
        void recipientDomainSearchShouldApplyPeriodAndOtherCriteriaWhenCombined() throws Exception {
            received("m1", NOW.minusSeconds(3600), "Invoice", "bob@acme.test");
            received("m2", NOW.minusSeconds(10), "Invoice", "bob@acme.test");
            received("m3", NOW.minusSeconds(5), "Other", "bob@acme.test");

            assertThat(ids(SearchCriteria.builder().recipient("@acme.test").subjectContains("invoice")
                .from(NOW.minusSeconds(60)).to(NOW).build())).containsExactly("m2");
            assertThat(ids(SearchCriteria.builder().recipient("@acme.test").attachment("none.pdf").build())).isEmpty();
        }

        @Test
        void recipientDomainSearchShouldPageNewestFirstWhenThereAreMorePagesThanOne() throws Exception {
            for (int i = 0; i < 25; i++) {
                received(String.format("m%02d", i), NOW.plusSeconds(i), "s", "x" + i + "@acme.test");
            }

            SearchResult second = dao.search(SearchCriteria.builder().recipient("@acme.test").build(), 2, 20);

            assertThat(second.total()).isEqualTo(25);
            assertThat(second.messages()).extracting(TrackedMessage::trackingId).containsExactly("m04", "m03", "m02", "m01", "m00");
        }

        @Test
        void subjectSearchShouldFindWholeWordsWordStartsAndInnerSubstringsWhenTheTermIsNotAWholeWord() throws Exception {
            received("m1", NOW.minusSeconds(40), "Quarterly Invoice #123456", "bob@acme.test");
            received("m2", NOW.minusSeconds(30), "invoices overdue", "bob@acme.test");
            received("m3", NOW.minusSeconds(20), "Re: invoice#1234567 follow-up", "bob@acme.test");
            received("m4", NOW.minusSeconds(10), "Lunch", "bob@acme.test");

            // whole word inside the term (word index, equality)
            assertThat(ids(SearchCriteria.builder().subjectContains(" invoice ").build())).containsExactly("m1");
            // word start at the end of the term (word index, prefix)
            assertThat(ids(SearchCriteria.builder().subjectContains("#123456").build())).containsExactly("m3", "m1");
            assertThat(ids(SearchCriteria.builder().subjectContains("y invoice").build())).containsExactly("m1");
            // no word start: falls back to the scan, still "contains"
            assertThat(ids(SearchCriteria.builder().subjectContains("nvoice").build())).containsExactly("m3", "m2", "m1");
            assertThat(ids(SearchCriteria.builder().subjectContains("INVOICE").build())).containsExactly("m3", "m2", "m1");
            assertThat(ids(SearchCriteria.builder().subjectContains("23456").build())).containsExactly("m3", "m1");
            assertThat(ids(SearchCriteria.builder().subjectContains("-up").build())).containsExactly("m3");
            assertThat(ids(SearchCriteria.builder().subjectContains("100%").build())).isEmpty();
        }

        @Test
        void subjectSearchShouldCombineTheWordIndexWithAnExactRecipientWhenBothAreGiven() throws Exception {
            received("m1", NOW.minusSeconds(20), "weekly report", "bob@acme.test");
            received("m2", NOW.minusSeconds(10), "weekly report", "carol@acme.test");

            assertThat(ids(SearchCriteria.builder().recipient("carol@acme.test").subjectContains(" report").build())).containsExactly("m2");
            assertThat(ids(SearchCriteria.builder().recipient("@acme.test").subjectContains("weekly report").build())).containsExactly("m2", "m1");
        }

        @Test
        void subjectSearchShouldCapTheTotalAndSayItIsALowerBoundWhenMoreMessagesMatchThanTheCap() throws Exception {
            int n = (int) TrackingDao.SUBJECT_COUNT_CAP + 5;
            List<TrackingDao.Write> writes = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                writes.add(new TrackingDao.Write(new TrackedEvent(String.format("m%05d", i), EventType.RECEIVED_BY_MTA, NOW.plusSeconds(i), Map.of()),
                    MessageInfo.builder().sender("alice@example.com").recipients(List.of("bob@acme.test")).subject("status update " + i).build()));
            }
            dao.writeAll(writes);

            SearchResult capped = dao.search(SearchCriteria.builder().subjectContains(" update ").build(), 1, 20);
            SearchResult exact = dao.search(SearchCriteria.builder().recipient("@acme.test").build(), 1, 20);
            SearchResult few = dao.search(SearchCriteria.builder().subjectContains("update 100").build(), 1, 20);

            assertThat(capped.total()).isEqualTo(TrackingDao.SUBJECT_COUNT_CAP);
            assertThat(capped.totalIsLowerBound()).isTrue();
            assertThat(capped.messages()).hasSize(20).first().extracting(TrackedMessage::trackingId).isEqualTo(String.format("m%05d", n - 1));
            assertThat(exact.total()).isEqualTo(n);
            assertThat(exact.totalIsLowerBound()).isFalse();
            // "update 100", "update 1000" ... "update 1004"
            assertThat(few.total()).isEqualTo(6);
            assertThat(few.totalIsLowerBound()).isFalse();
        }

        @Test
        void purgeShouldRemoveTheIndexRowsWhenItDeletesTheMessage() throws Exception {
            received("m1", NOW.minusSeconds(3600 * 24 * 100), "Old invoice", "bob@acme.test");

            dao.purgeOlderThan(NOW.minusSeconds(3600), 100);

            try (Connection c = fixture.store().connection(); java.sql.Statement s = c.createStatement();
                 java.sql.ResultSet rs = s.executeQuery("SELECT (SELECT COUNT(*) FROM tracking_recipient_domain) + (SELECT COUNT(*) FROM tracking_subject_token) FROM tracking_message FETCH FIRST 1 ROWS ONLY")) {
                assertThat(rs.next()).isFalse();
            }
            assertThat(ids(SearchCriteria.builder().recipient("@acme.test").build())).isEmpty();
            assertThat(ids(SearchCriteria.builder().subjectContains(" invoice").build())).isEmpty();
        }
    }

    @Test
    void migrationShouldIndexTheMessagesStoredBeforeItWhenTheStoreIsUpgraded() throws Exception {
        Path dir = Files.createTempDirectory("portcullis-tracking-v6");
        StoreConfiguration configuration = StoreConfiguration.embeddedDerby(dir.resolve("db"));
        try (BasicDataSource v4 = new BasicDataSource()) {
            v4.setUrl(configuration.url());
            v4.setDriverClassName("org.apache.derby.jdbc.EmbeddedDriver");
            Flyway.configure(getClass().getClassLoader()).dataSource(v4).locations("classpath:db/migration/portcullis")
                .table("portcullis_schema_history").placeholders(Map.of("binaryType", "BLOB")).target("4").load().migrate();
            try (Connection c = v4.getConnection()) {
                insertV4Message(c, "old1", NOW.minusSeconds(20), "Quarterly Invoice #42", "bob@acme.test", "carol@acme.test");
                insertV4Message(c, "old2", NOW.minusSeconds(10), "Lunch", "dave@other.test");
            }
        }
        try (GatewayStore store = GatewayStore.open(configuration)) {
            TrackingDao dao = new TrackingDao(store.dataSource(), "node-a");
            dao.writeAll(List.of(new TrackingDao.Write(new TrackedEvent("new1", EventType.RECEIVED_BY_MTA, NOW, Map.of()),
                MessageInfo.builder().sender("x@example.com").recipients(List.of("erin@acme.test")).subject("invoice reminder").build())));

            assertThat(dao.search(SearchCriteria.builder().recipient("@acme.test").build(), 1, 20).messages())
                .extracting(TrackedMessage::trackingId).containsExactly("new1", "old1");
            assertThat(dao.search(SearchCriteria.builder().subjectContains(" #42").build(), 1, 20).messages())
                .extracting(TrackedMessage::trackingId).containsExactly("old1");
            assertThat(dao.search(SearchCriteria.builder().subjectContains("invoice ").build(), 1, 20).messages())
                .extracting(TrackedMessage::trackingId).containsExactly("new1", "old1");
            assertThat(dao.search(SearchCriteria.builder().recipient("@other.test").build(), 1, 20).total()).isEqualTo(1);
        }
    }

    private static void insertV4Message(Connection c, String id, Instant seen, String subject, String... recipients) throws Exception {
        try (PreparedStatement m = c.prepareStatement("INSERT INTO tracking_message (tracking_id, first_seen, last_update, node, sender, sender_domain, "
                + "recipients, subject, subject_lc, message_security, tls, status, action) VALUES (?, ?, ?, 'n', 'a@example.com', 'example.com', ?, ?, ?, 'none', 0, 'DELIVERED', 'accepted')")) {
            m.setString(1, id);
            m.setLong(2, seen.toEpochMilli());
            m.setLong(3, seen.toEpochMilli());
            m.setString(4, String.join(", ", recipients));
            m.setString(5, subject);
            m.setString(6, subject.toLowerCase(java.util.Locale.ROOT));
            m.executeUpdate();
        }
        for (String r : recipients) {
            try (PreparedStatement p = c.prepareStatement("INSERT INTO tracking_recipient (tracking_id, recipient, recipient_domain) VALUES (?, ?, ?)")) {
                p.setString(1, id);
                p.setString(2, r);
                p.setString(3, r.substring(r.indexOf('@') + 1));
                p.executeUpdate();
            }
        }
    }

    @Test
    void lookupShouldUseOnlyWordsTheTermFullyDeterminesWhenChoosingTheIndexKey() {
        assertThat(SubjectTokens.lookup("nvoic")).isEmpty();
        assertThat(SubjectTokens.lookup("invoice")).isEmpty();
        assertThat(SubjectTokens.lookup("#123")).contains(new SubjectTokens.Lookup("123", true));
        assertThat(SubjectTokens.lookup("re: quarterly invoice")).contains(new SubjectTokens.Lookup("quarterly", false));
        assertThat(SubjectTokens.lookup("a b c")).contains(new SubjectTokens.Lookup("b", false));
        assertThat(SubjectTokens.of("Re: Invoice #12, invoice-12")).containsExactly("re", "invoice", "12");
        assertThat(Optional.of(SubjectTokens.of("x".repeat(100)).get(0).length())).contains(SubjectTokens.MAX_LENGTH);
    }
}
