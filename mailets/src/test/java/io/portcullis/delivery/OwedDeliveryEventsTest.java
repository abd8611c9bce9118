package io.portcullis.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.portcullis.mail.PortcullisAttributes;
import io.portcullis.tracking.EventType;
import io.portcullis.tracking.MessageInfo;
import io.portcullis.tracking.TrackedEvent;
import io.portcullis.tracking.store.GroupCommitTracker;
import io.portcullis.tracking.store.StoredEvent;
import io.portcullis.tracking.store.TrackingDao;
import io.portcullis.tracking.store.TrackingStoreFixture;

/**
 * The delivered outcome of RemoteDelivery's queue items (V12): the attempt and its owed DELIVERED event are made
 * durable in one commit, the event is stored by the tracking writer, which takes the owed row in the same
 * transaction, and what a crash leaves owed is stored exactly once by the replay. Real embedded Derby, real
 * tracking writer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OwedDeliveryEventsTest {
    private TrackingStoreFixture fixture;
    private TrackingDao dao;
    private GroupCommitTracker tracker;
    private DeliveryLog log;
    private DeliveryRecorder recorder;

    @BeforeAll
    void open() throws Exception {
        fixture = new TrackingStoreFixture();
    }

    @AfterAll
    void close() {
        fixture.close();
    }

    @BeforeEach
    void start() throws Exception {
        fixture.clear();
        try (Connection connection = fixture.store().connection(); var statement = connection.createStatement()) {
            statement.executeUpdate("DELETE FROM portcullis_delivery_untracked");
            statement.executeUpdate("DELETE FROM portcullis_delivery_attempt");
        }
        dao = new TrackingDao(fixture.store().dataSource(), "node-a");
        tracker = new GroupCommitTracker(dao, 100, Duration.ofSeconds(10));
        log = new DeliveryLog(fixture.store());
        recorder = new DeliveryRecorder(log, tracker, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        tracker.close();
    }

    private Mail received(String trackingId) throws Exception {
        tracker.record(new TrackedEvent(trackingId, EventType.RECEIVED_BY_MTA, Instant.now(), Map.of()),
            MessageInfo.builder().sender("alice@sender.test").recipients(List.of("bob@acme.test")).subject("owed").build());
        return FakeMail.builder().name("mail-" + trackingId).sender("alice@sender.test").recipient("bob@acme.test")
            .attribute(new Attribute(PortcullisAttributes.TRACKING_ID, AttributeValue.of(trackingId)))
            .build();
    }

    private List<StoredEvent> delivered(String trackingId) throws Exception {
        return dao.find(trackingId).orElseThrow().events().stream().filter(e -> e.type() == EventType.DELIVERED).toList();
    }

    private long owed() throws Exception {
        try (Connection c = fixture.store().connection(); ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM portcullis_delivery_untracked")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void awaitNothingOwed() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (owed() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private DeliveryAttempt deliveredAttempt(String trackingId) {
        return new DeliveryAttempt(0, Instant.now().minusSeconds(5), Optional.of(trackingId), "mail-" + trackingId, "alice@sender.test",
            List.of("bob@acme.test"), 1, Optional.of("mx.acme.test"), Optional.of("127.0.0.1"), DeliveryAttempt.Tls.NO,
            SmtpReply.parse("250 2.0.0 Ok: queued as 1A"), DeliveryAttempt.Outcome.DELIVERED);
    }

    @Test
    void deliveredShouldStoreTheAttemptAndTheEventAndLeaveNothingOwed() throws Exception {
        Mail mail = received("t-live");

        recorder.delivered(mail, List.of(new MailAddress("bob@acme.test")), Optional.empty());
        awaitNothingOwed();

        assertThat(owed()).isZero();
        assertThat(log.attemptsOf("t-live")).singleElement().satisfies(a -> assertThat(a.outcome()).isEqualTo(DeliveryAttempt.Outcome.DELIVERED));
        assertThat(delivered("t-live")).singleElement().satisfies(e -> assertThat(e.info()).containsEntry("Recipients", "bob@acme.test"));
        assertThat(dao.find("t-live").orElseThrow().message().status()).isEqualTo(io.portcullis.tracking.MessageStatus.DELIVERED);
    }

    @Test
    void anEventOwedAtACrashShouldBeStoredOnceByTheReplay() throws Exception {
        received("t-crash");
        // the server died after the attempt's commit, before the event reached the tracking writer
        log.recordAwaitingTracking(deliveredAttempt("t-crash"));
        assertThat(owed()).isEqualTo(1);
        assertThat(delivered("t-crash")).isEmpty();

        assertThat(recorder.replayOwedEvents(Instant.now())).isEqualTo(1);
        assertThat(recorder.replayOwedEvents(Instant.now())).isZero();

        assertThat(owed()).isZero();
        assertThat(delivered("t-crash")).singleElement().satisfies(e -> {
            assertThat(e.info()).containsEntry("Remote reply", "250 2.0.0 Ok: queued as 1A").containsEntry("Hostname", "mx.acme.test [127.0.0.1]");
        });
    }

    @Test
    void theReplayShouldLeaveEventsOwedSinceLessThanItsAgeForTheLivePath() throws Exception {
        received("t-recent");
        log.recordAwaitingTracking(deliveredAttempt("t-recent"));

        assertThat(recorder.replayOwedEvents(Instant.now().minusSeconds(60))).isZero();
        assertThat(owed()).isEqualTo(1);
    }

    @Test
    void anEventQueuedTwiceForOneOwedRowShouldBeStoredOnce() throws Exception {
        received("t-twice");
        long id = log.recordAwaitingTracking(deliveredAttempt("t-twice"));
        TrackedEvent event = new TrackedEvent("t-twice", EventType.DELIVERED, Instant.now(), Map.of("Recipients", "bob@acme.test"));

        // the live path and a replay racing: in one batch and in separate transactions
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Void>> queued = List.of(
            CompletableFuture.runAsync(() -> await(go)).thenCompose(v -> tracker.recordQueued(event, log.outboxEntry(id))),
            CompletableFuture.runAsync(() -> await(go)).thenCompose(v -> tracker.recordQueued(event, log.outboxEntry(id))),
            CompletableFuture.runAsync(() -> await(go)).thenCompose(v -> tracker.recordQueued(event, log.outboxEntry(id))));
        go.countDown();
        CompletableFuture.allOf(queued.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        tracker.recordQueued(event, log.outboxEntry(id)).get(10, TimeUnit.SECONDS);

        assertThat(delivered("t-twice")).hasSize(1);
        assertThat(owed()).isZero();
    }

    @Test
    void anEventTheTrackingStoreRefusedShouldStayOwedUntilTheReplay() throws Exception {
        Mail mail = received("t-refused");
        tracker.close(); // the tracking writer is gone (shutting down, store failing)

        recorder.delivered(mail, List.of(new MailAddress("bob@acme.test")), Optional.empty());

        assertThat(owed()).isEqualTo(1);
        assertThat(log.attemptsOf("t-refused")).hasSize(1);
        assertThat(delivered("t-refused")).isEmpty();
        tracker = new GroupCommitTracker(dao, 100, Duration.ofSeconds(10));
        recorder = new DeliveryRecorder(log, tracker, Clock.systemUTC());
        assertThat(recorder.replayOwedEvents(Instant.now())).isEqualTo(1);
        assertThat(delivered("t-refused")).hasSize(1);
        assertThat(owed()).isZero();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
