package io.portcullis.tracking.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.portcullis.tracking.EventType;
import io.portcullis.tracking.MessageInfo;
import io.portcullis.tracking.MessageStatus;
import io.portcullis.tracking.RejectReason;
import io.portcullis.tracking.TrackedEvent;
import io.portcullis.tracking.TrackingInfo;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrackingDaoTest {
    private static final Instant NOW = Instant.parse("2026-11-18T10:00:00Z"); // a Wednesday

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

    private void write(String id, Instant at, EventType type, Map<String, String> info, MessageInfo message) throws Exception {
        dao.writeAll(List.of(new TrackingDao.Write(new TrackedEvent(id, type, at, info), message)));
    }

    private void received(String id, Instant at, MessageInfo message) throws Exception {
        write(id, at, EventType.RECEIVED_BY_MTA, Map.of(), message);
    }

    private static MessageInfo.Builder message(String sender, String... recipients) {
        return MessageInfo.builder().sender(sender).recipients(List.of(recipients)).subject("Hello").sendingHost("mx.example.net")
            .sendingIp("192.0.2.10").helo("mx.example.net");
    }

    private List<String> ids(SearchCriteria criteria) throws Exception {
        return dao.search(criteria, 1, 300).messages().stream().map(TrackedMessage::trackingId).collect(Collectors.toList());
    }

    @Nested
    class Writes {
        @Test
        void firstEventShouldCreateTheMessageFromItsInformation() throws Exception {
            received("m1", NOW, message("Alice@Example.com", "bob@acme.test", "carol@acme.test")
                .subject("Quarterly Report").messageId("<abc@example.com>").size(1234L).attachments(List.of("report.pdf"))
                .messageSecurity("smime").tls(true).authUser("alice").build());

            MessageDetail detail = dao.find("m1").orElseThrow();

            TrackedMessage m = detail.message();
            assertThat(m.sender()).isEqualTo("alice@example.com");
            assertThat(m.recipients()).containsExactly("bob@acme.test", "carol@acme.test");
            assertThat(m.subject()).contains("Quarterly Report");
            assertThat(m.messageId()).contains("<abc@example.com>");
            assertThat(m.size()).contains(1234L);
            assertThat(m.attachments()).containsExactly("report.pdf");
            assertThat(m.messageSecurity()).isEqualTo("smime");
            assertThat(m.tls()).isTrue();
            assertThat(m.authUser()).contains("alice");
            assertThat(m.node()).isEqualTo("node-a");
            assertThat(m.status()).isEqualTo(MessageStatus.PROCESSING);
            assertThat(m.firstSeen()).isEqualTo(NOW);
            assertThat(detail.events()).extracting(StoredEvent::type).containsExactly(EventType.RECEIVED_BY_MTA);
        }

        @Test
        void laterEventsShouldUpdateStatusAndKeepEventsOldestFirst() throws Exception {
            received("m1", NOW, message("a@example.com", "b@acme.test").build());
            write("m1", NOW.plusSeconds(2), EventType.DELIVERED, Map.of(TrackingInfo.HOSTNAME, "mail.acme.test"), MessageInfo.unknown());
            write("m1", NOW.plusSeconds(1), EventType.HELD, Map.of(TrackingInfo.HELD_AREA, "spam"), MessageInfo.unknown());

            MessageDetail detail = dao.find("m1").orElseThrow();

            assertThat(detail.events()).extracting(StoredEvent::type)
                .containsExactly(EventType.RECEIVED_BY_MTA, EventType.HELD, EventType.DELIVERED);
            assertThat(detail.events().get(1).info()).containsEntry(TrackingInfo.HELD_AREA, "spam");
            assertThat(detail.message().status()).isEqualTo(MessageStatus.HELD); // the last recorded
            assertThat(detail.message().sender()).isEqualTo("a@example.com");
        }

        @Test
        void statusShouldFollowTheEventType() throws Exception {
            Map<EventType, MessageStatus> expected = Map.of(
                EventType.DELIVERED, MessageStatus.DELIVERED,
                EventType.REJECTED, MessageStatus.REJECTED,
                EventType.DELETED, MessageStatus.DELETED,
                EventType.DELIVERY_FAILED, MessageStatus.DEFERRED,
                EventType.SPLIT, MessageStatus.SPLIT,
                EventType.USER_RELEASE, MessageStatus.USER_ACTION,
                EventType.FINISHED_DELIVERY_ATTEMPTS, MessageStatus.BLOCKED);
            for (Map.Entry<EventType, MessageStatus> e : expected.entrySet()) {
                write(e.getKey().name(), NOW, e.getKey(), Map.of(), MessageInfo.unknown());
                assertThat(dao.find(e.getKey().name()).orElseThrow().message().status()).as(e.getKey().name()).isEqualTo(e.getValue());
            }
            write("final", NOW, EventType.DELIVERY_FAILED, Map.of(TrackingInfo.RETRY, "false"), MessageInfo.unknown());
            assertThat(dao.find("final").orElseThrow().message().status()).isEqualTo(MessageStatus.BLOCKED);
        }

        @Test
        void viewingShouldNotChangeTheStatus() throws Exception {
            write("m1", NOW, EventType.HELD, Map.of(), message("a@example.com", "b@acme.test").build());
            write("m1", NOW.plusSeconds(1), EventType.VIEWED, Map.of(TrackingInfo.ACTIONED_BY, "admin"), MessageInfo.unknown());

            assertThat(dao.find("m1").orElseThrow().message().status()).isEqualTo(MessageStatus.HELD);
        }

        @Test
        void anUnknownIdWithoutMessageInformationShouldUseTheEventsAdditionalInformation() throws Exception {
            write("r1", NOW, EventType.REJECTED, Map.of(TrackingInfo.RECIPIENTS, "x@acme.test, y@acme.test",
                TrackingInfo.SENDING_HOST, "203.0.113.5", TrackingInfo.REJECT_REASON, "spam:relayingdenied"), MessageInfo.unknown());

            TrackedMessage m = dao.find("r1").orElseThrow().message();
            assertThat(m.recipients()).containsExactly("x@acme.test", "y@acme.test");
            assertThat(m.sendingHost()).contains("203.0.113.5");
            assertThat(m.rejectReason()).contains("spam:relayingdenied");
            assertThat(m.action()).isEqualTo("rejected");
            assertThat(m.sender()).isEqualTo("<>");
        }

        @Test
        void tooLongValuesShouldBeTruncatedNotRefused() throws Exception {
            received("m1", NOW, message("a@example.com", "b@acme.test").subject("x".repeat(5000)).build());

            assertThat(dao.find("m1").orElseThrow().message().subject().orElseThrow()).hasSize(998);
        }
    }

    @Nested
    class Search {
        @BeforeEach
        void load() throws Exception {
            received("m1", NOW.minusSeconds(30), message("alice@example.com", "bob@acme.test").subject("Invoice 42 _urgent_")
                .attachments(List.of("Invoice.PDF")).messageSecurity("pgp").tls(true).build());
            received("m2", NOW.minusSeconds(20), message("carol@other.org", "dave@acme.test", "erin@corp.test").subject("Lunch?").build());
            received("m3", NOW.minusSeconds(10), MessageInfo.builder().recipients(List.of("bob@acme.test")).subject("Delivery Status Notification")
                .sendingHost("relay.other.org").build());
            write("m4", NOW, EventType.REJECTED, Map.of(TrackingInfo.REJECT_REASON, "spam:relayingdenied"),
                message("mallory@evil.example", "victim@elsewhere.example").build());
        }

        @Test
        void searchShouldReturnNewestFirstWithTheTotal() throws Exception {
            SearchResult result = dao.search(SearchCriteria.all(), 1, 20);

            assertThat(result.total()).isEqualTo(4);
            assertThat(result.messages()).extracting(TrackedMessage::trackingId).containsExactly("m4", "m3", "m2", "m1");
        }

        @Test
        void searchShouldPage() throws Exception {
            SearchResult second = dao.search(SearchCriteria.all(), 2, 3);

            assertThat(second.total()).isEqualTo(4);
            assertThat(second.messages()).extracting(TrackedMessage::trackingId).containsExactly("m1");
            assertThat(dao.search(SearchCriteria.all(), 3, 3).messages()).isEmpty();
        }

        @Test
        void searchShouldMatchSenderExactlyAndCaseInsensitively() throws Exception {
            assertThat(ids(SearchCriteria.builder().sender("Alice@Example.com").build())).containsExactly("m1");
        }

        @Test
        void searchShouldMatchSenderDomain() throws Exception {
            assertThat(ids(SearchCriteria.builder().sender("@other.org").build())).containsExactly("m2");
        }

        @Test
        void searchShouldMatchTheNullSender() throws Exception {
            assertThat(ids(SearchCriteria.builder().sender("<>").build())).containsExactly("m3");
            assertThat(dao.find("m3").orElseThrow().message().sender()).isEqualTo("<>");
        }

        @Test
        void searchShouldMatchRecipientAndRecipientDomain() throws Exception {
            assertThat(ids(SearchCriteria.builder().recipient("bob@acme.test").build())).containsExactly("m3", "m1");
            assertThat(ids(SearchCriteria.builder().recipient("@corp.test").build())).containsExactly("m2");
        }

        @Test
        void searchShouldMatchSubjectContainsCaseInsensitively() throws Exception {
            assertThat(ids(SearchCriteria.builder().subjectContains("invoice").build())).containsExactly("m1");
        }

        @Test
        void searchShouldTreatLikeWildcardsInTheSubjectLiterally() throws Exception {
            assertThat(ids(SearchCriteria.builder().subjectContains("_urgent_").build())).containsExactly("m1");
            assertThat(ids(SearchCriteria.builder().subjectContains("%").build())).isEmpty();
        }

        @Test
        void searchShouldMatchSendingHostByNameOrAddress() throws Exception {
            assertThat(ids(SearchCriteria.builder().sendingHost("relay.other.org").build())).containsExactly("m3");
            assertThat(ids(SearchCriteria.builder().sendingHost("192.0.2.10").build())).containsExactly("m4", "m2", "m1");
        }

        @Test
        void searchShouldMatchAttachmentName() throws Exception {
            assertThat(ids(SearchCriteria.builder().attachment("invoice.pdf").build())).containsExactly("m1");
        }

        @Test
        void searchShouldMatchRejectReasonAndAction() throws Exception {
            assertThat(ids(SearchCriteria.builder().rejectReason(RejectReason.RELAYING_DENIED).build())).containsExactly("m4");
            assertThat(ids(SearchCriteria.builder().action("rejected").build())).containsExactly("m4");
            assertThat(ids(SearchCriteria.builder().action("accepted").build())).containsExactly("m3", "m2", "m1");
        }

        @Test
        void searchShouldMatchMessageAndTransportSecurity() throws Exception {
            assertThat(ids(SearchCriteria.builder().messageSecurity("pgp").build())).containsExactly("m1");
            assertThat(ids(SearchCriteria.builder().messageSecurity("any").build())).containsExactly("m1");
            assertThat(ids(SearchCriteria.builder().messageSecurity("none").build())).containsExactly("m4", "m3", "m2");
            assertThat(ids(SearchCriteria.builder().tls(true).build())).containsExactly("m1");
            assertThat(ids(SearchCriteria.builder().tls(false).build())).containsExactly("m4", "m3", "m2");
        }

        @Test
        void searchShouldMatchPeriodAndNode() throws Exception {
            assertThat(ids(SearchCriteria.builder().from(NOW.minusSeconds(20)).to(NOW).build())).containsExactly("m3", "m2");
            assertThat(ids(SearchCriteria.builder().node("node-a").build())).hasSize(4);
            assertThat(ids(SearchCriteria.builder().node("node-b").build())).isEmpty();
        }

        @Test
        void searchShouldCombineCriteria() throws Exception {
            assertThat(ids(SearchCriteria.builder().recipient("bob@acme.test").sender("<>").build())).containsExactly("m3");
        }

        @Test
        void searchShouldNotInterpretSqlInValues() throws Exception {
            assertThat(ids(SearchCriteria.builder().sender("x' OR '1'='1").build())).isEmpty();
            assertThat(ids(SearchCriteria.builder().subjectContains("') OR 1=1 --").build())).isEmpty();
            assertThat(dao.search(SearchCriteria.all(), 1, 20).total()).isEqualTo(4);
        }

        @Test
        void streamShouldStopAtTheLimit() throws Exception {
            List<String> seen = new java.util.ArrayList<>();
            long count = dao.stream(SearchCriteria.all(), 3, m -> seen.add(m.trackingId()));

            assertThat(count).isEqualTo(3);
            assertThat(seen).containsExactly("m4", "m3", "m2");
        }
    }

    @Nested
    class Retention {
        @Test
        void purgeShouldDeleteOnlyMessagesNotUpdatedSinceTheCutoff() throws Exception {
            received("old", NOW.minusSeconds(100 * 86400), message("a@example.com", "b@acme.test").attachments(List.of("a.txt")).build());
            received("kept", NOW.minusSeconds(100 * 86400), message("a@example.com", "b@acme.test").build());
            write("kept", NOW.minusSeconds(3600), EventType.RELEASED, Map.of(), MessageInfo.unknown());
            received("new", NOW, message("a@example.com", "b@acme.test").build());

            long deleted = dao.purgeOlderThan(NOW.minusSeconds(90 * 86400), 1);

            assertThat(deleted).isEqualTo(1);
            assertThat(dao.find("old")).isEmpty();
            assertThat(ids(SearchCriteria.all())).containsExactly("new", "kept");
            assertThat(ids(SearchCriteria.builder().recipient("b@acme.test").build())).hasSize(2);
        }
    }

    @Nested
    class PeriodPresets {
        // Wednesday 2026-11-18 10:00 UTC
        private final Periods mondayWeeks = new Periods(Clock.fixed(NOW, ZoneOffset.UTC), DayOfWeek.MONDAY);

        @Test
        void todayAndYesterdayShouldBeWholeDays() {
            assertThat(mondayWeeks.resolve(Periods.Preset.TODAY))
                .isEqualTo(new Periods.Range(Instant.parse("2026-11-18T00:00:00Z"), Instant.parse("2026-11-19T00:00:00Z")));
            assertThat(mondayWeeks.resolve(Periods.Preset.YESTERDAY))
                .isEqualTo(new Periods.Range(Instant.parse("2026-11-17T00:00:00Z"), Instant.parse("2026-11-18T00:00:00Z")));
        }

        @Test
        void weeksShouldStartOnTheConfiguredDay() {
            assertThat(mondayWeeks.resolve(Periods.Preset.THIS_WEEK))
                .isEqualTo(new Periods.Range(Instant.parse("2026-11-16T00:00:00Z"), Instant.parse("2026-11-19T00:00:00Z")));
            assertThat(mondayWeeks.resolve(Periods.Preset.LAST_WEEK))
                .isEqualTo(new Periods.Range(Instant.parse("2026-11-09T00:00:00Z"), Instant.parse("2026-11-16T00:00:00Z")));
            Periods sundayWeeks = new Periods(Clock.fixed(NOW, ZoneOffset.UTC), DayOfWeek.SUNDAY);
            assertThat(sundayWeeks.resolve(Periods.Preset.THIS_WEEK).from()).isEqualTo(Instant.parse("2026-11-15T00:00:00Z"));
        }

        @Test
        void monthsShouldBeCalendarMonths() {
            assertThat(mondayWeeks.resolve(Periods.Preset.THIS_MONTH))
                .isEqualTo(new Periods.Range(Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-11-19T00:00:00Z")));
            assertThat(mondayWeeks.resolve(Periods.Preset.LAST_MONTH))
                .isEqualTo(new Periods.Range(Instant.parse("2026-10-01T00:00:00Z"), Instant.parse("2026-11-01T00:00:00Z")));
        }

        @Test
        void presetsShouldUseTheClocksTimeZone() {
            Periods paris = new Periods(Clock.fixed(NOW, java.time.ZoneId.of("Europe/Paris")), DayOfWeek.MONDAY);

            assertThat(paris.resolve(Periods.Preset.TODAY).from()).isEqualTo(Instant.parse("2026-11-17T23:00:00Z"));
        }
    }
}
