package io.portcullis.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;

import io.portcullis.mail.PortcullisAttributes;

class TrackEventTest {
    private static final Instant NOW = Instant.parse("2026-11-18T10:00:00Z");

    /** Keeps what it is given (unit test of the mailet alone; the store has its own tests). */
    static class RecordingTracker implements MessageTracker {
        final List<TrackedEvent> events = new ArrayList<>();
        final List<MessageInfo> messages = new ArrayList<>();
        RuntimeException failure;

        @Override
        public void record(TrackedEvent event) {
            record(event, MessageInfo.unknown());
        }

        @Override
        public void record(TrackedEvent event, MessageInfo message) {
            if (failure != null) {
                throw failure;
            }
            events.add(event);
            messages.add(message);
        }
    }

    private final RecordingTracker tracker = new RecordingTracker();

    private TrackEvent mailet(String... parameters) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("TrackEvent");
        for (int i = 0; i < parameters.length; i += 2) {
            config.setProperty(parameters[i], parameters[i + 1]);
        }
        TrackEvent mailet = new TrackEvent(tracker, Clock.fixed(NOW, ZoneOffset.UTC));
        mailet.init(config.build());
        return mailet;
    }

    private static Mail mail() throws Exception {
        MimeMessage message = MimeMessageBuilder.mimeMessageBuilder()
            .setSubject("Invoice 42")
            .addHeader("Message-ID", "<abc@example.com>")
            .addHeader("Received", "from mx.example.net ([192.0.2.10]) by gw with ESMTPS ID 1")
            .setMultipartWithBodyParts(
                MimeMessageBuilder.bodyPartBuilder().data("see attached"),
                MimeMessageBuilder.bodyPartBuilder().data("pdf").filename("invoice.pdf").disposition("attachment"))
            .build();
        return FakeMail.builder().name("mail1").sender("alice@example.com").recipients("bob@acme.test", "carol@acme.test")
            .mimeMessage(message).remoteHost("mx.example.net").remoteAddr("192.0.2.10")
            .attribute(new Attribute(Mail.SMTP_HELO, AttributeValue.of("mx.example.net")))
            .attribute(new Attribute(Mail.SMTP_AUTH_USER, AttributeValue.of("alice")))
            .build();
    }

    @Test
    void serviceShouldAssignATrackingIdAndCaptureTheMessageOnFirstUse() throws Exception {
        Mail mail = mail();

        mailet("event", "Received by MTA").service(mail);

        String id = mail.getAttribute(PortcullisAttributes.TRACKING_ID).orElseThrow().getValue().value().toString();
        assertThat(tracker.events).singleElement().satisfies(e -> {
            assertThat(e.trackingId()).isEqualTo(id);
            assertThat(e.type()).isEqualTo(EventType.RECEIVED_BY_MTA);
            assertThat(e.at()).isEqualTo(NOW);
            assertThat(e.info()).containsEntry(TrackingInfo.RECIPIENTS, "bob@acme.test, carol@acme.test")
                .containsEntry(TrackingInfo.SENDING_HOST, "mx.example.net [192.0.2.10]")
                .containsEntry(TrackingInfo.TRANSPORT_SECURITY, "TLS")
                .containsEntry(TrackingInfo.SMTP_AUTH, "alice");
        });
        MessageInfo info = tracker.messages.get(0);
        assertThat(info.sender()).contains("alice@example.com");
        assertThat(info.recipients()).containsExactly("bob@acme.test", "carol@acme.test");
        assertThat(info.subject()).contains("Invoice 42");
        assertThat(info.messageId()).contains("<abc@example.com>");
        assertThat(info.helo()).contains("mx.example.net");
        assertThat(info.attachments()).containsExactly("invoice.pdf");
        assertThat(info.tls()).isTrue();
        assertThat(info.authUser()).contains("alice");
        assertThat(info.size()).isPresent();
    }

    @Test
    void serviceShouldGiveTheSameTrackingIdWhenTheSameMailIsProcessedAgainAfterARestart() throws Exception {
        // After a crash James takes the message from the spool again, with its name but without the attribute.
        Mail first = mail();
        Mail again = mail();

        mailet("event", "Received by MTA").service(first);
        mailet("event", "Received by MTA").service(again);

        assertThat(tracker.events).extracting(TrackedEvent::trackingId).containsExactly("mail1", "mail1");
    }

    @Test
    void trackingIdShouldBeDerivedFromATooLongNameWithoutExceedingTheColumn() throws Exception {
        Mail mail = FakeMail.builder().name("n".repeat(200)).recipient("bob@acme.test").build();

        String id = TrackEvent.trackingIdOf(mail);

        assertThat(id).hasSizeLessThanOrEqualTo(TrackEvent.MAX_TRACKING_ID).isEqualTo(TrackEvent.trackingIdOf(mail));
    }

    @Test
    void serviceShouldKeepAnExistingTrackingIdAndNotChangeTheMailState() throws Exception {
        Mail mail = mail();
        mail.setAttribute(new Attribute(PortcullisAttributes.TRACKING_ID, AttributeValue.of("known-id")));
        mail.setState("filter");

        mailet("event", "HELD").service(mail);

        assertThat(tracker.events.get(0).trackingId()).isEqualTo("known-id");
        assertThat(mail.getState()).isEqualTo("filter");
        assertThat(tracker.events.get(0).info()).doesNotContainKey(TrackingInfo.RECIPIENTS);
    }

    @Test
    void serviceShouldGiveABounceMadeFromAnotherMailItsOwnTrackingIdWhenItEntersTheFlow() throws Exception {
        // James copies the original's attributes, tracking id included, into the bounce it makes.
        Mail bounce = FakeMail.builder().name("bounce-of-mail1").recipient("alice@example.com")
            .attribute(new Attribute(PortcullisAttributes.TRACKING_ID, AttributeValue.of("mail1")))
            .attribute(Mail.SENT_BY_MAILET_ATTRIBUTE)
            .build();

        mailet("event", "Received by MTA").service(bounce);

        assertThat(tracker.events).extracting(TrackedEvent::trackingId).containsExactly("bounce-of-mail1");
        assertThat(bounce.getAttribute(PortcullisAttributes.TRACKING_ID).orElseThrow().getValue().value()).isEqualTo("bounce-of-mail1");
    }

    @Test
    void serviceShouldKeepTheTrackingIdOfAMailOfTheGatewayTakenAgainFromTheSpool() throws Exception {
        Mail notice = FakeMail.builder().name("notice1").recipient("postmaster@acme.test")
            .attribute(new Attribute(PortcullisAttributes.TRACKING_ID, AttributeValue.of("notice1")))
            .attribute(Mail.SENT_BY_MAILET_ATTRIBUTE)
            .build();

        mailet("event", "Received by MTA").service(notice);

        assertThat(tracker.events).extracting(TrackedEvent::trackingId).containsExactly("notice1");
    }

    @Test
    void serviceShouldRecordReasonsTriggeredRulesRejectReasonAndDetails() throws Exception {
        Mail mail = mail();
        mail.setAttribute(new Attribute(PortcullisAttributes.TRIGGERED_RULES,
            AttributeValue.of(List.of(AttributeValue.of("spam:rbllookup"), AttributeValue.of("spam:spf")))));
        mail.setAttribute(new Attribute(PortcullisAttributes.MESSAGE_SECURITY, AttributeValue.of("password")));

        mailet("event", "REJECTED", "rejectReason", "spam:relayingdenied", "info", "relay-denied processor").service(mail);

        assertThat(tracker.events.get(0).info())
            .containsEntry(TrackingInfo.TRIGGERED_RULES, "spam:rbllookup, spam:spf")
            .containsEntry(TrackingInfo.REJECT_REASON, "spam:relayingdenied")
            .containsEntry(TrackingInfo.DETAILS, "relay-denied processor");
        assertThat(tracker.messages.get(0).messageSecurity()).isEqualTo("password");
    }

    @Test
    void serviceShouldMarkAFinalDeliveryFailure() throws Exception {
        mailet("event", "DELIVERY_FAILED", "retry", "false").service(mail());

        assertThat(tracker.events.get(0).info()).containsEntry(TrackingInfo.RETRY, "false");
    }

    @Test
    void serviceShouldThrowSoThatJamesKeepsTheMailWhenTheStoreFails() throws Exception {
        tracker.failure = new TrackingException("store down");
        TrackEvent mailet = mailet("event", "DELIVERED");

        assertThatThrownBy(() -> mailet.service(mail()))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("event DELIVERED of tracking id")
            .hasMessageContaining("store down");
    }

    @Test
    void serviceShouldTrackAMailWithoutSenderOrReadableContent() throws Exception {
        Mail mail = FakeMail.builder().name("bounce").recipient("bob@acme.test").build();

        mailet("event", "RECEIVED_BY_MTA").service(mail);

        assertThat(tracker.messages.get(0).sender()).isEmpty();
        assertThat(tracker.messages.get(0).messageSecurity()).isEqualTo("none");
    }

    @Test
    void initShouldRejectAnUnknownEvent() {
        assertThatThrownBy(() -> mailet("event", "Teleported"))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("parameter 'event' has invalid value 'Teleported'");
    }

    @Test
    void initShouldRequireTheEvent() {
        assertThatThrownBy(() -> mailet())
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("'event' is required");
    }

    @Test
    void initShouldRejectAnUnknownRejectReason() {
        assertThatThrownBy(() -> mailet("event", "REJECTED", "rejectReason", "spam:bogus"))
            .hasMessageContaining("parameter 'rejectReason' has invalid value 'spam:bogus'");
    }

    @Test
    void initShouldRejectAnUnknownParameter() {
        assertThatThrownBy(() -> mailet("event", "HELD", "evnt", "x"))
            .hasMessageContaining("unknown parameter(s) [evnt]");
    }
}
