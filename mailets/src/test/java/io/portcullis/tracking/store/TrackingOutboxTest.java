package io.portcullis.tracking.store;

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

import io.portcullis.delivery.DeliveryAttempt;
import io.portcullis.delivery.DeliveryLog;
import io.portcullis.delivery.DeliveryRecorder;
import io.portcullis.delivery.SmtpReply;
import io.portcullis.mail.PortcullisAttributes;
import io.portcullis.tracking.EventType;
import io.portcullis.tracking.MessageInfo;
import io.portcullis.tracking.MessageStatus;
import io.portcullis.tracking.OutboxEntry;
import io.portcullis.tracking.TrackedEvent;

/**
 * The tracking outbox (V12) with real embedded Derby and the real tracking writer: an event owed in a capability's
 * own commit is stored by the writer, which takes its entry in the same transaction; what a crash leaves owed is
 * stored exactly once by the replay. The delivered outcome of RemoteDelivery is the first user.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrackingOutboxTest {
    private TrackingStoreFixture fixture;
    private TrackingDao dao;
    private GroupCommitTracker tracker;
    private TrackingOutbox outbox;
    private DeliveryLog log;

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
            statement.executeUpdate("DELETE FROM tracking_outbox");
            statement.executeUpdate("DELETE FROM portcullis_delivery_attempt");
        }
        dao = new TrackingDao(fixture.store().dataSource(), "node-a");
        tracker = new GroupCommitTracker(dao, 100, Duration.ofSeconds(10));
        outbox = new TrackingOutbox(fixture.store().dataSource(), tracker, Clock.systemUTC());
        log = new DeliveryLog(fixture.store());
    }

    @AfterEach
    void stop() {
        outbox.close();
        tracker.close();
    }

    private void received(String trackingId) {
        tracker.record(new TrackedEvent(trackingId, EventType.RECEIVED_BY_MTA, Instant.now(), Map.of()),
            MessageInfo.builder().sender("alice@sender.test").recipients(List.of("bob@acme.test")).subject("owed").build());
    }

    private List<StoredEvent> delivered(String trackingId) throws Exception {
        return dao.find(trackingId).orElseThrow().events().stream().filter(e -> e.type() == EventType.DELIVERED).toList();
    }

    private long owed() throws Exception {
        try (Connection c = fixture.store().connection(); ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM tracking_outbox")) {
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

    private static DeliveryAttempt attempt(String trackingId) {
        return new DeliveryAttempt(0, Instant.now().minusSeconds(5), Optional.of(trackingId), "mail-" + trackingId, "alice@sender.test",
            List.of("bob@acme.test"), 1, Optional.of("mx.acme.test"), Optional.of("127.0.0.1"), DeliveryAttempt.Tls.NO,
            SmtpReply.parse("250 2.0.0 Ok: queued as 1A"), DeliveryAttempt.Outcome.DELIVERED);
    }

    private static TrackedEvent deliveredEvent(String trackingId) {
        return new TrackedEvent(trackingId, EventType.DELIVERED, Instant.now(), Map.of("Recipients", "bob@acme.test", "Remote reply", "250 2.0.0 Ok"));
    }

    @Test
    void deliveredOutcomeShouldStoreTheAttemptAndTheEventAndLeaveNothingOwed() throws Exception {
        received("t-live");
        Mail mail = FakeMail.builder().name("mail-t-live").sender("alice@sender.test").recipient("bob@acme.test")
            .attribute(new Attribute(PortcullisAttributes.TRACKING_ID, AttributeValue.of("t-live"))).build();

        new DeliveryRecorder(log, tracker, Clock.systemUTC()).delivered(mail, List.of(new MailAddress("bob@acme.test")), Optional.empty());
        awaitNothingOwed();

        assertThat(owed()).isZero();
        assertThat(log.attemptsOf("t-live")).singleElement().satisfies(a -> assertThat(a.outcome()).isEqualTo(DeliveryAttempt.Outcome.DELIVERED));
        assertThat(delivered("t-live")).singleElement().satisfies(e -> assertThat(e.info()).containsEntry("Recipients", "bob@acme.test"));
        assertThat(dao.find("t-live").orElseThrow().message().status()).isEqualTo(MessageStatus.DELIVERED);
    }

    @Test
    void anEventOwedAtACrashShouldBeStoredOnceByTheReplay() throws Exception {
        received("t-crash");
        // the server died after the attempt's commit, before the event reached the tracking writer
        log.recordOwing(attempt("t-crash"), List.of(deliveredEvent("t-crash")), Instant.now());
        assertThat(owed()).isEqualTo(1);
        assertThat(delivered("t-crash")).isEmpty();

        assertThat(outbox.replay(Instant.now().plusMillis(1))).isEqualTo(1);
        assertThat(outbox.replay(Instant.now().plusMillis(1))).isZero();

        assertThat(owed()).isZero();
        assertThat(delivered("t-crash")).singleElement().satisfies(e -> assertThat(e.info()).containsEntry("Remote reply", "250 2.0.0 Ok"));
        assertThat(log.attemptsOf("t-crash")).hasSize(1);
    }

    @Test
    void theReplayShouldLeaveEventsOwedForLessThanItsAgeToTheLivePath() throws Exception {
        received("t-recent");
        log.recordOwing(attempt("t-recent"), List.of(deliveredEvent("t-recent")), Instant.now());

        assertThat(outbox.replay(Instant.now().minusSeconds(60))).isZero();
        assertThat(owed()).isEqualTo(1);
    }

    @Test
    void startShouldStoreWhatThePreviousRunLeftOwed() throws Exception {
        received("t-start");
        log.recordOwing(attempt("t-start"), List.of(deliveredEvent("t-start")), Instant.now().minusMillis(5));

        outbox.start();
        awaitNothingOwed();

        assertThat(delivered("t-start")).hasSize(1);
    }

    @Test
    void anEntryQueuedSeveralTimesShouldBeStoredOnce() throws Exception {
        received("t-twice");
        TrackedEvent event = deliveredEvent("t-twice");
        OutboxEntry entry = log.recordOwing(attempt("t-twice"), List.of(event), Instant.now()).get(0);

        // the live path and a replay racing: in one batch or in separate transactions
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Void>> queued = List.of(
            CompletableFuture.runAsync(() -> await(go)).thenCompose(v -> tracker.recordQueued(event, entry)),
            CompletableFuture.runAsync(() -> await(go)).thenCompose(v -> tracker.recordQueued(event, entry)),
            CompletableFuture.runAsync(() -> await(go)).thenCompose(v -> tracker.recordQueued(event, entry)));
        go.countDown();
        CompletableFuture.allOf(queued.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        tracker.recordQueued(event, entry).get(10, TimeUnit.SECONDS);

        assertThat(delivered("t-twice")).hasSize(1);
        assertThat(owed()).isZero();
    }

    @Test
    void anEventTheTrackingWriterRefusedShouldStayOwedUntilTheReplay() throws Exception {
        received("t-refused");
        tracker.close(); // the tracking writer is gone (shutting down, store failing)
        Mail mail = FakeMail.builder().name("mail-t-refused").sender("alice@sender.test").recipient("bob@acme.test")
            .attribute(new Attribute(PortcullisAttributes.TRACKING_ID, AttributeValue.of("t-refused"))).build();

        new DeliveryRecorder(log, tracker, Clock.systemUTC()).delivered(mail, List.of(new MailAddress("bob@acme.test")), Optional.empty());

        assertThat(owed()).isEqualTo(1);
        assertThat(log.attemptsOf("t-refused")).hasSize(1);
        assertThat(delivered("t-refused")).isEmpty();
        tracker = new GroupCommitTracker(dao, 100, Duration.ofSeconds(10));
        outbox = new TrackingOutbox(fixture.store().dataSource(), tracker, Clock.systemUTC());
        assertThat(outbox.replay(Instant.now().plusMillis(1))).isEqualTo(1);
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
