package io.portcullis.delivery;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.inject.Inject;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.portcullis.delivery.capture.SmtpConversation;
import io.portcullis.mail.PortcullisAttributes;
import io.portcullis.tracking.EventType;
import io.portcullis.tracking.MessageTracker;
import io.portcullis.tracking.OutboxEntry;
import io.portcullis.tracking.TrackedEvent;
import io.portcullis.tracking.store.TrackingOutbox;

/**
 * Turns what RemoteDelivery did with a mail into Delivery log rows and tracking events:
 * deferred (another attempt follows), delivered, failed (final). Recording never stops the mail: a failure to
 * record is logged, the mail goes on.
 */
public class DeliveryRecorder {
    private static final Logger LOGGER = LoggerFactory.getLogger(DeliveryRecorder.class);
    /** RemoteDelivery's retry counter (DeliveryRetriesHelper). */
    public static final AttributeName RETRY_COUNT = AttributeName.of("delivery_retry_count");
    /** RemoteDelivery's final error text (Bouncer). */
    public static final AttributeName DELIVERY_ERROR = AttributeName.of("delivery-error");
    public static final AttributeName IS_PERMANENT_ERROR = AttributeName.of("is-delivery-permanent-error");

    public static final String HOSTNAME = "Hostname";
    public static final String REMOTE_REPLY = "Remote reply";
    public static final String EXPLANATION = "Failure reason";
    public static final String TLS = "TLS";
    public static final String RECIPIENTS = "Recipients";
    public static final String RETRY = "Retry";
    public static final String DELIVERY_FAILED = "Delivery failed";
    public static final String ACTIONED_BY = "Actioned by";

    private final DeliveryLog log;
    private final MessageTracker tracker;
    private final Clock clock;
    private final Optional<DeliveryJournal> journal;

    /** Without a receipts journal: a crash between the receiving server's 250 and the Delivery-log commit is not bridged. */
    public DeliveryRecorder(DeliveryLog log, MessageTracker tracker, Clock clock) {
        this(log, tracker, clock, Optional.empty());
    }

    /**
     * With the receipts journal ({@link DeliveryJournal}): what the last run left in it and the Delivery log lacks is
     * written to the Delivery log here, before any queue item reaches RemoteDelivery.
     */
    @Inject
    public DeliveryRecorder(DeliveryLog log, MessageTracker tracker, Clock clock, DeliveryJournal journal) {
        this(log, tracker, clock, Optional.of(journal));
    }

    private DeliveryRecorder(DeliveryLog log, MessageTracker tracker, Clock clock, Optional<DeliveryJournal> journal) {
        this.log = log;
        this.tracker = tracker;
        this.clock = clock;
        this.journal = journal;
        journal.ifPresent(this::recover);
    }

    private void recover(DeliveryJournal receipts) {
        int written = 0;
        for (DeliveryAttempt attempt : receipts.leftOver()) {
            Set<String> known = log.deliveredRecipients(attempt.trackingId().orElse(attempt.mailName()), attempt.mailName());
            if (attempt.recipients().stream().allMatch(r -> known.contains(r.toLowerCase(java.util.Locale.ROOT)))) {
                continue;
            }
            TrackedEvent event = new TrackedEvent(attempt.trackingId().orElse(attempt.mailName()), EventType.DELIVERED, attempt.at(),
                info(attempt, Map.of()));
            TrackingOutbox.queue(tracker, List.of(event), log.recordOwing(attempt, List.of(event), clock.instant()));
            written++;
        }
        int cutOff = 0;
        for (DeliveryAttempt sent : receipts.cutOff()) {
            if (recordCutOff(sent)) {
                cutOff++;
            }
        }
        try {
            receipts.recovered();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("Cannot empty the delivery receipts journal after recovery: " + e.getMessage(), e);
        }
        if (written > 0) {
            LOGGER.info("Wrote {} delivered attempt(s) from the receipts journal to the Delivery log (delivered just before a crash)", written);
        }
        if (cutOff > 0) {
            LOGGER.warn("{} delivery attempt(s) were cut off by the stop between sending the message content and reading the reply; "
                + "they are delivered again and their recipients may get a second copy (see the Delivery log)", cutOff);
        }
    }

    /** Tracking note of an attempt a crash cut off (see {@link DeliveryJournal#cutOff()}). */
    public static final String CUT_OFF_NOTE = "The gateway stopped before reading the reply to the message content: the receiving "
        + "server may already have the message, so this delivery may give its recipients a second copy";

    /**
     * Records an attempt cut off by a crash as deferred (the mail is still in its queue and is delivered again), its
     * tracking event saying the recipients may get a second copy. Not when already recorded (a crash during an
     * earlier recovery) or when the Delivery log shows the recipients reached.
     */
    private boolean recordCutOff(DeliveryAttempt sent) {
        String trackingId = sent.trackingId().orElse(sent.mailName());
        Set<String> known = log.deliveredRecipients(trackingId, sent.mailName());
        if (sent.recipients().stream().allMatch(r -> known.contains(r.toLowerCase(java.util.Locale.ROOT)))) {
            return false;
        }
        boolean recorded = log.attemptsOf(trackingId).stream().anyMatch(a -> a.mailName().equals(sent.mailName())
            && a.at().equals(sent.at()) && a.attemptNumber() == sent.attemptNumber() && a.outcome() == DeliveryAttempt.Outcome.DEFERRED);
        if (recorded) {
            return false;
        }
        LOGGER.warn("{} ({}) may have been delivered to {} just before the stop: its end of content was sent to {} and no reply was read; "
            + "it is delivered again", sent.mailName(), trackingId, sent.recipients(), sent.host().orElse("the receiving server"));
        TrackedEvent event = new TrackedEvent(trackingId, EventType.DELIVERY_FAILED, clock.instant(),
            info(sent, Map.of(RETRY, "true", NOTE, CUT_OFF_NOTE)));
        TrackingOutbox.queue(tracker, List.of(event), log.recordOwing(sent, List.of(event), clock.instant()));
        return true;
    }

    public static String trackingId(Mail mail) {
        return AttributeUtils.getValueAndCastFromMail(mail, PortcullisAttributes.TRACKING_ID, String.class).orElse(mail.getName());
    }

    public static int retries(Mail mail) {
        return AttributeUtils.getValueAndCastFromMail(mail, RETRY_COUNT, Integer.class).orElse(0);
    }

    /** RemoteDelivery is putting the mail back in its queue for a later attempt. Sets the mail's error message (the Pending log's last error). */
    public void deferred(Mail mail, Optional<SmtpConversation> conversation) {
        SmtpReply reply = conversation.flatMap(SmtpConversation::failureReply)
            .orElse(new SmtpReply(Optional.empty(), Optional.empty(), "temporary failure (no SMTP conversation observed, e.g. DNS lookup)"));
        mail.setErrorMessage(reply.raw());
        DeliveryAttempt attempt = attempt(mail, conversation.map(SmtpConversation::startedAt).orElse(clock.instant()),
            Math.max(1, retries(mail)), conversation.flatMap(SmtpConversation::host), conversation.flatMap(SmtpConversation::ip),
            conversation.map(SmtpConversation::tls).orElse(DeliveryAttempt.Tls.UNKNOWN), reply, DeliveryAttempt.Outcome.DEFERRED);
        store(attempt);
        track(mail, EventType.DELIVERY_FAILED, info(attempt, Map.of(RETRY, "true")));
    }

    /** Copies what the conversation showed onto the mail before RemoteDelivery hands it to onSuccess / bounce. */
    public static void annotate(Mail mail, SmtpConversation conversation) {
        conversation.host().ifPresent(host -> mail.setAttribute(new Attribute(PortcullisAttributes.DELIVERY_HOST, AttributeValue.of(host))));
        conversation.ip().ifPresent(ip -> mail.setAttribute(new Attribute(PortcullisAttributes.DELIVERY_IP, AttributeValue.of(ip))));
        mail.setAttribute(new Attribute(PortcullisAttributes.DELIVERY_TLS, AttributeValue.of(conversation.tls().value())));
        mail.setAttribute(new Attribute(PortcullisAttributes.DELIVERY_ATTEMPTED_AT, AttributeValue.of(conversation.startedAt().toEpochMilli())));
        // Bouncer sets delivery-error before handing the mail to the bounce processor; onSuccess mail has none.
        boolean failed = mail.getAttribute(DELIVERY_ERROR).isPresent();
        Optional<SmtpReply> reply = failed ? conversation.failureReply() : conversation.successReply();
        reply.ifPresent(r -> mail.setAttribute(new Attribute(PortcullisAttributes.DELIVERY_REPLY, AttributeValue.of(r.raw()))));
    }

    /** onSuccess: the receiving server accepted the message for these recipients. */
    public void delivered(Mail mail) {
        SmtpReply reply = SmtpReply.parse(string(mail, PortcullisAttributes.DELIVERY_REPLY).orElse("accepted by the receiving server (reply not observed)"));
        DeliveryAttempt attempt = attemptFromAttributes(mail, reply, DeliveryAttempt.Outcome.DELIVERED);
        store(attempt);
        track(mail, EventType.DELIVERED, info(attempt, Map.of()));
    }

    /**
     * RemoteDelivery's attempt ended with these recipients accepted by the receiving server (observed on its queue,
     * see ObservedMailQueueFactory): the server, address, TLS and reply come from the conversation when observed.
     *
     * <p>Called between the receiving server's acceptance and RemoteDelivery's acknowledgement of its queue item: a
     * crash in between delivers the mail again after the restart, so this returns as soon as the fact is durable:
     * the attempt and its DELIVERED event (in the tracking outbox, V12) are written in one small commit, and the event
     * is handed to the tracking writer without waiting for its group commit ({@link TrackingOutbox}).
     */
    public void delivered(Mail mail, List<MailAddress> recipients, Optional<SmtpConversation> conversation) {
        delivered(mail, recipients, conversation, Optional.empty());
    }

    /** A delivered attempt appended to the receipts journal ahead of its Delivery-log commit. */
    public record Journaled(DeliveryAttempt attempt, DeliveryJournal.Receipt receipt) {
    }

    /**
     * Appends the receipt of the attempt the receiving server has just accepted (its reply to the end of the content,
     * seen on the socket before RemoteDelivery even reads it): the earliest moment a crash can be bridged. Empty
     * without a journal or when the append fails (the Delivery-log commit then records it, later).
     */
    public Optional<Journaled> journal(Mail mail, List<MailAddress> recipients, Optional<SmtpConversation> conversation) {
        return journal(mail, recipients, conversation, Optional.empty());
    }

    /** As {@link #journal(Mail, List, Optional)}, answering the sending line of the attempt ({@link #journalSending}). */
    public Optional<Journaled> journal(Mail mail, List<MailAddress> recipients, Optional<SmtpConversation> conversation,
                                      Optional<DeliveryJournal.Receipt> sending) {
        DeliveryAttempt attempt = deliveredAttempt(mail, recipients, conversation);
        return journal.flatMap(receipts -> {
            try {
                return Optional.of(new Journaled(attempt, receipts.append(attempt, sending)));
            } catch (java.io.IOException | RuntimeException e) {
                LOGGER.error("Delivery receipt of {} not journaled ({}); recording it in the Delivery log only", attempt.mailName(), e.getMessage(), e);
                sending.ifPresent(this::answered);
                return Optional.empty();
            }
        });
    }

    /**
     * The end of the content of this attempt is about to be sent to the receiving server: journaled so that a crash
     * before its reply is read is known after the restart ({@link DeliveryJournal#cutOff()}). Empty without a journal
     * or when the write fails (the attempt goes on: only the knowledge of a cut-off is lost).
     */
    public Optional<DeliveryJournal.Receipt> journalSending(Mail mail, List<MailAddress> recipients, Optional<SmtpConversation> conversation) {
        return journal.flatMap(receipts -> {
            try {
                return Optional.of(receipts.appendSending(deliveredAttempt(mail, recipients, conversation)));
            } catch (java.io.IOException | RuntimeException e) {
                LOGGER.warn("End of content of {} not journaled ({}); a crash before its reply would go unnoticed", mail.getName(), e.getMessage());
                return Optional.empty();
            }
        });
    }

    /** The attempt of a sending line ended otherwise than accepted (a refusal, a lost connection): not cut off. */
    public void answered(DeliveryJournal.Receipt sending) {
        journal.ifPresent(receipts -> {
            try {
                receipts.answered(sending);
            } catch (java.io.IOException | RuntimeException e) {
                LOGGER.warn("Answer to the end of content of an attempt not journaled: {}", e.getMessage());
            }
        });
    }

    /** As {@link #delivered(Mail, List, Optional)}, reusing the receipt journaled at the end of the content when it is for these recipients. */
    public void delivered(Mail mail, List<MailAddress> recipients, Optional<SmtpConversation> conversation, Optional<Journaled> early) {
        DeliveryAttempt attempt = deliveredAttempt(mail, recipients, conversation);
        Optional<Journaled> journaled = early.filter(j -> j.attempt().recipients().equals(attempt.recipients()));
        Optional<DeliveryJournal.Receipt> receipt = journaled.isPresent()
            ? journaled.map(Journaled::receipt)
            : journal(mail, recipients, conversation).map(Journaled::receipt);
        early.filter(j -> journaled.isEmpty()).ifPresent(j -> journal.get().committed(j.receipt())); // superseded
        TrackedEvent event = new TrackedEvent(trackingId(mail), EventType.DELIVERED, clock.instant(), info(attempt, Map.of()));
        List<OutboxEntry> owed;
        try {
            owed = log.recordOwing(attempt, List.of(event), clock.instant());
        } catch (RuntimeException e) {
            // the receipt stays in the journal: the next start writes it to the Delivery log
            LOGGER.error("Delivery attempt of {} not recorded in the Delivery log: {}", attempt.mailName(), e.getMessage(), e);
            track(mail, EventType.DELIVERED, info(attempt, Map.of()));
            return;
        }
        receipt.ifPresent(r -> journal.get().committed(r));
        TrackingOutbox.queue(tracker, List.of(event), owed);
    }

    /** A receipt journaled at the end of the content that no delivered outcome followed: its file may be emptied. */
    public void release(Journaled journaled) {
        journal.ifPresent(receipts -> receipts.committed(journaled.receipt()));
    }

    private DeliveryAttempt deliveredAttempt(Mail mail, List<MailAddress> recipients, Optional<SmtpConversation> conversation) {
        SmtpReply reply = conversation.flatMap(SmtpConversation::successReply)
            .orElse(SmtpReply.parse("accepted by the receiving server (reply not observed)"));
        return new DeliveryAttempt(0, conversation.map(SmtpConversation::startedAt).orElse(clock.instant()),
            Optional.of(trackingId(mail)), mail.getName(), mail.getMaybeSender().asString(),
            recipients.stream().map(MailAddress::asString).toList(), retries(mail) + 1, conversation.flatMap(SmtpConversation::host),
            conversation.flatMap(SmtpConversation::ip), conversation.map(SmtpConversation::tls).orElse(DeliveryAttempt.Tls.UNKNOWN),
            reply, DeliveryAttempt.Outcome.DELIVERED);
    }

    /**
     * The recipients of {@code mail} a delivered attempt of this very mail (tracking id and James mail name) already
     * reached, according to the Delivery log (see {@link DeliveryLog#deliveredRecipients}).
     */
    public List<MailAddress> deliveredBefore(Mail mail) {
        Set<String> delivered = log.deliveredRecipients(trackingId(mail), mail.getName());
        if (delivered.isEmpty()) {
            return List.of();
        }
        return mail.getRecipients().stream()
            .filter(recipient -> delivered.contains(recipient.asString().toLowerCase(java.util.Locale.ROOT)))
            .toList();
    }

    /** Text of the event recorded when a mail met again is not delivered again (see {@link #notDeliveredAgain}). */
    public static final String NOT_DELIVERED_AGAIN = "Already delivered to these recipients before a restart; not delivered again";
    public static final String NOTE = "Note";

    /**
     * A mail met again (queued twice, or not acknowledged before a restart) was already delivered to every recipient
     * and is acknowledged without another delivery: recorded as a DELIVERED event saying so, as the events the spool
     * recorded processing it again (accepted for outbound) left the message "processing".
     */
    public void notDeliveredAgain(Mail mail, List<MailAddress> recipients) {
        track(mail, EventType.DELIVERED, Map.of(RECIPIENTS, String.join(", ", recipients.stream().map(MailAddress::asString).toList()),
            NOTE, NOT_DELIVERED_AGAIN));
    }

    /** bounceProcessor: delivery failed for good (permanent reply, retries exhausted, timeout or administrator). */
    public void failed(Mail mail) {
        Optional<String> givenUp = string(mail, PortcullisAttributes.DELIVERY_GIVEN_UP);
        String error = string(mail, PortcullisAttributes.DELIVERY_REPLY)
            .or(() -> string(mail, DELIVERY_ERROR))
            .or(() -> Optional.ofNullable(mail.getErrorMessage()))
            .orElse("unknown error");
        SmtpReply reply = SmtpReply.parse(error);
        Map<String, String> info;
        if (givenUp.isEmpty()) {
            DeliveryAttempt attempt = attemptFromAttributes(mail, reply, DeliveryAttempt.Outcome.FAILED);
            store(attempt);
            info = info(attempt, Map.of(RETRY, "false"));
            track(mail, EventType.DELIVERY_FAILED, info);
        } else {
            info = new LinkedHashMap<>(Map.of(RECIPIENTS, recipients(mail), DELIVERY_FAILED, givenUp.get()));
            info.put(REMOTE_REPLY, reply.raw());
            info.put(EXPLANATION, FailureReasons.explain(reply));
        }
        track(mail, EventType.FINISHED_DELIVERY_ATTEMPTS, Map.of(RECIPIENTS, recipients(mail)));
        Map<String, String> nonDelivered = new LinkedHashMap<>(Map.of(RECIPIENTS, recipients(mail), DELIVERY_FAILED, givenUp.orElse(reply.raw())));
        nonDelivered.put(EXPLANATION, FailureReasons.explain(reply));
        track(mail, EventType.NON_DELIVERED, nonDelivered);
        if (mail.hasSender()) {
            track(mail, EventType.NOTIFY_SENDER, Map.of(RECIPIENTS, recipients(mail), "Sender", mail.getMaybeSender().asString()));
        }
    }

    /** A pending mail removed by an administrator. */
    public void discarded(Mail mail, String actionedBy) {
        track(mail, EventType.DISCARDED, Map.of(RECIPIENTS, recipients(mail), ACTIONED_BY, actionedBy));
    }

    private DeliveryAttempt attemptFromAttributes(Mail mail, SmtpReply reply, DeliveryAttempt.Outcome outcome) {
        Instant at = AttributeUtils.getValueAndCastFromMail(mail, PortcullisAttributes.DELIVERY_ATTEMPTED_AT, Long.class)
            .map(Instant::ofEpochMilli).orElse(clock.instant());
        DeliveryAttempt.Tls tls = string(mail, PortcullisAttributes.DELIVERY_TLS)
            .map(value -> DeliveryAttempt.Tls.valueOf(value.toUpperCase(java.util.Locale.ROOT))).orElse(DeliveryAttempt.Tls.UNKNOWN);
        return attempt(mail, at, retries(mail) + 1, string(mail, PortcullisAttributes.DELIVERY_HOST),
            string(mail, PortcullisAttributes.DELIVERY_IP), tls, reply, outcome);
    }

    private DeliveryAttempt attempt(Mail mail, Instant at, int number, Optional<String> host, Optional<String> ip,
                                    DeliveryAttempt.Tls tls, SmtpReply reply, DeliveryAttempt.Outcome outcome) {
        return new DeliveryAttempt(0, at, Optional.of(trackingId(mail)), mail.getName(), mail.getMaybeSender().asString(),
            mail.getRecipients().stream().map(MailAddress::asString).toList(), number, host, ip, tls, reply, outcome);
    }

    private Map<String, String> info(DeliveryAttempt attempt, Map<String, String> extra) {
        Map<String, String> info = new LinkedHashMap<>();
        attempt.host().ifPresent(host -> info.put(HOSTNAME, host + attempt.ip().filter(ip -> !ip.equals(host)).map(ip -> " [" + ip + "]").orElse("")));
        info.put(REMOTE_REPLY, attempt.reply().raw());
        if (attempt.outcome() != DeliveryAttempt.Outcome.DELIVERED) {
            info.put(EXPLANATION, attempt.explanation());
        }
        info.put(TLS, attempt.tls().value());
        info.put(RECIPIENTS, String.join(", ", attempt.recipients()));
        info.putAll(extra);
        return info;
    }

    private void store(DeliveryAttempt attempt) {
        try {
            log.record(attempt);
        } catch (RuntimeException e) {
            LOGGER.error("Delivery attempt of {} not recorded in the Delivery log: {}", attempt.mailName(), e.getMessage(), e);
        }
    }

    private void track(Mail mail, EventType type, Map<String, String> info) {
        try {
            tracker.record(new TrackedEvent(trackingId(mail), type, clock.instant(), info));
        } catch (RuntimeException e) {
            LOGGER.error("Tracking event {} of {} not recorded: {}", type, mail.getName(), e.getMessage(), e);
        }
    }

    private static String recipients(Mail mail) {
        return String.join(", ", mail.getRecipients().stream().map(MailAddress::asString).toList());
    }

    private static Optional<String> string(Mail mail, AttributeName name) {
        return AttributeUtils.getValueAndCastFromMail(mail, name, String.class);
    }

    static List<String> names(Mail mail) {
        return mail.getRecipients().stream().map(MailAddress::asString).toList();
    }
}
