package io.portcullis.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.portcullis.mail.PortcullisAttributes;
import io.portcullis.tracking.EventType;
import io.portcullis.tracking.MessageTracker;
import io.portcullis.tracking.TrackedEvent;

/** DeliveryRecorder with the real Delivery log on embedded Derby and a recording tracker. */
class DeliveryRecorderTest {
    static final class RecordingTracker implements MessageTracker {
        final List<TrackedEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void record(TrackedEvent event) {
            events.add(event);
        }
    }

    @RegisterExtension
    static final DeliveryStoreFixture fixture = new DeliveryStoreFixture();
    DeliveryLog log;
    RecordingTracker tracker;
    DeliveryRecorder recorder;

    @BeforeEach
    void empty() throws Exception {
        log = fixture.emptyLog();
        tracker = new RecordingTracker();
        recorder = new DeliveryRecorder(log, tracker, Clock.fixed(Instant.parse("2026-11-23T08:00:00Z"), ZoneOffset.UTC));
    }

    private static Mail mail() throws Exception {
        return FakeMail.builder().name("mail-1").sender("alice@sender.test").recipient("bob@acme.test")
            .attribute(new Attribute(PortcullisAttributes.TRACKING_ID, AttributeValue.of("track-1")))
            .build();
    }

    @Test
    void deferredShouldRecordTheAttemptTheEventAndTheErrorMessage() throws Exception {
        Mail mail = mail();
        mail.setAttribute(new Attribute(DeliveryRecorder.RETRY_COUNT, AttributeValue.of(1)));

        recorder.deferred(mail, Optional.empty());

        assertThat(mail.getErrorMessage()).contains("temporary failure");
        List<DeliveryAttempt> attempts = log.attemptsOf("track-1");
        assertThat(attempts).singleElement().satisfies(attempt -> {
            assertThat(attempt.outcome()).isEqualTo(DeliveryAttempt.Outcome.DEFERRED);
            assertThat(attempt.attemptNumber()).isEqualTo(1);
            assertThat(attempt.recipients()).containsExactly("bob@acme.test");
            assertThat(attempt.tls()).isEqualTo(DeliveryAttempt.Tls.UNKNOWN);
        });
        assertThat(tracker.events).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo(EventType.DELIVERY_FAILED);
            assertThat(event.info()).containsEntry("Retry", "true");
        });
    }

    @Test
    void deliveredShouldRecordTheObservedServerAndReply() throws Exception {
        Mail mail = mail();
        mail.setAttribute(new Attribute(PortcullisAttributes.DELIVERY_HOST, AttributeValue.of("corp.acme.test")));
        mail.setAttribute(new Attribute(PortcullisAttributes.DELIVERY_IP, AttributeValue.of("10.0.0.5")));
        mail.setAttribute(new Attribute(PortcullisAttributes.DELIVERY_TLS, AttributeValue.of("yes")));
        mail.setAttribute(new Attribute(PortcullisAttributes.DELIVERY_REPLY, AttributeValue.of("250 2.0.0 Ok: queued as 4F2")));

        recorder.delivered(mail);

        DeliveryAttempt attempt = log.attemptsOf("track-1").get(0);
        assertThat(attempt.host()).contains("corp.acme.test");
        assertThat(attempt.ip()).contains("10.0.0.5");
        assertThat(attempt.tls()).isEqualTo(DeliveryAttempt.Tls.YES);
        assertThat(attempt.reply().code()).contains(250);
        assertThat(attempt.reply().enhancedCode()).contains("2.0.0");
        assertThat(attempt.outcome()).isEqualTo(DeliveryAttempt.Outcome.DELIVERED);
        assertThat(tracker.events).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo(EventType.DELIVERED);
            assertThat(event.info()).containsEntry("Hostname", "corp.acme.test [10.0.0.5]").containsEntry("TLS", "yes");
        });
    }

    @Test
    void failedShouldRecordTheAttemptAndTheFourFailureEvents() throws Exception {
        Mail mail = mail();
        mail.setAttribute(new Attribute(PortcullisAttributes.DELIVERY_REPLY, AttributeValue.of("550 5.1.1 <bob@acme.test>: User unknown")));

        recorder.failed(mail);

        DeliveryAttempt attempt = log.attemptsOf("track-1").get(0);
        assertThat(attempt.outcome()).isEqualTo(DeliveryAttempt.Outcome.FAILED);
        assertThat(attempt.explanation()).contains("does not exist");
        assertThat(tracker.events).extracting(TrackedEvent::type).containsExactly(EventType.DELIVERY_FAILED,
            EventType.FINISHED_DELIVERY_ATTEMPTS, EventType.NON_DELIVERED, EventType.NOTIFY_SENDER);
    }

    @Test
    void failedShouldRecordNoAttemptWhenAnAdministratorOrATimeoutGaveUp() throws Exception {
        Mail mail = mail();
        mail.setAttribute(new Attribute(PortcullisAttributes.DELIVERY_GIVEN_UP, AttributeValue.of("Pending timeout: not delivered within 7 days")));
        mail.setAttribute(new Attribute(PortcullisAttributes.DELIVERY_REPLY, AttributeValue.of("450 4.3.0 try later")));

        recorder.failed(mail);

        assertThat(log.attemptsOf("track-1")).isEmpty();
        assertThat(tracker.events).extracting(TrackedEvent::type).containsExactly(
            EventType.FINISHED_DELIVERY_ATTEMPTS, EventType.NON_DELIVERED, EventType.NOTIFY_SENDER);
        assertThat(tracker.events.get(1).info()).containsEntry("Delivery failed", "Pending timeout: not delivered within 7 days");
    }

    @Test
    void searchShouldFilterByOutcomeAndRecipientNewestFirst() throws Exception {
        Mail first = mail();
        recorder.deferred(first, Optional.empty());
        Mail second = mail();
        second.setAttribute(new Attribute(PortcullisAttributes.DELIVERY_REPLY, AttributeValue.of("250 ok")));
        recorder.delivered(second);

        assertThat(log.search(DeliveryLog.Query.latest(10))).extracting(DeliveryAttempt::outcome)
            .containsExactly(DeliveryAttempt.Outcome.DELIVERED, DeliveryAttempt.Outcome.DEFERRED);
        assertThat(log.search(new DeliveryLog.Query(Optional.empty(), Optional.of(DeliveryAttempt.Outcome.DEFERRED),
            Optional.empty(), Optional.empty(), Optional.of("BOB@acme"), 10))).hasSize(1);
    }
}
