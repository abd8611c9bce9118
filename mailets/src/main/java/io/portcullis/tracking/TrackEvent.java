package io.portcullis.tracking;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

import javax.inject.Inject;
import javax.mail.MessagingException;
import javax.mail.Multipart;
import javax.mail.Part;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.portcullis.config.MailetParameters;
import io.portcullis.config.Parameter;
import io.portcullis.mail.PortcullisAttributes;

/**
 * Records a message tracking event for the mail at this point of the flow. The first
 * {@code TrackEvent} a mail meets gives it a tracking id ({@code portcullis.trackingId}) and records what the
 * store keeps about the message: sender, recipients, subject, Message-ID, sending host and HELO, size,
 * attachment names, SMTP AUTH user, TLS and message security. Reasons and triggered rules of the score are
 * added to the event's additional information. The mail itself is never changed (only the tracking id
 * attribute is added) and goes on where it was going.
 *
 * <p>The call returns once the event is durable. When the gateway store cannot record it, the mailet throws
 * and James applies {@code onMailetException}: by default the mail goes to the {@code error} processor, where
 * it is kept for an administrator; it is never lost.
 */
public class TrackEvent extends GenericMailet {
    /** Width of tracking_id in the gateway store (migration V2). */
    static final int MAX_TRACKING_ID = 64;
    private static final Logger LOGGER = LoggerFactory.getLogger(TrackEvent.class);
    private static final int MAX_ATTACHMENT_DEPTH = 10;

    public static final List<Parameter> PARAMETERS = List.of(
        Parameter.required("event", "the event to record: an event type name or its label, e.g. `RECEIVED_BY_MTA`, `HELD`, "
            + "`DELIVERED`, `Delivery failed to destination SMTP server`; see the event list below"),
        Parameter.optional("info", "", "free text added to the event's additional information as `Details`, e.g. the processor name"),
        Parameter.optional("rejectReason", "", "for a refusal in the mail container, the reject reason system name "
            + "(e.g. `spam:relayingdenied`, `spam:recipientverification`); it becomes the message's reject reason"),
        Parameter.optional("retry", "true", "for `DELIVERY_FAILED`: true when another attempt follows (status deferred), "
            + "false when it was the last one (status blocked); true or false"),
        Parameter.optional("onMailetException", "error", "James's own setting, what happens when the event cannot be recorded: "
            + "`error` sends the mail to the error processor (kept for an administrator), `ignore` logs and lets it go on, "
            + "`propagate` fails the spooling (the mail is retried)"));

    private final MessageTracker tracker;
    private final Clock clock;
    private EventType event;
    private Optional<String> info;
    private Optional<RejectReason> rejectReason;
    private boolean retry;

    @Inject
    public TrackEvent(MessageTracker tracker) {
        this(tracker, Clock.systemUTC());
    }

    public TrackEvent(MessageTracker tracker, Clock clock) {
        this.tracker = tracker;
        this.clock = clock;
    }

    @Override
    public void init() throws MessagingException {
        MailetParameters parameters = MailetParameters.parse(getMailetConfig(), PARAMETERS);
        event = parameters.parsed("event", value -> EventType.parse(value).orElseThrow(), "one of "
            + java.util.Arrays.stream(EventType.values()).map(EventType::name).collect(Collectors.joining(", ")) + " (or their labels)");
        info = parameters.optionalString("info");
        rejectReason = parameters.optionalString("rejectReason").isEmpty() ? Optional.empty()
            : Optional.of(parameters.parsed("rejectReason", value -> RejectReason.parse(value).orElseThrow(), "one of "
                + java.util.Arrays.stream(RejectReason.values()).map(RejectReason::systemName).collect(Collectors.joining(", "))));
        retry = parameters.bool("retry");
        parameters.oneOf("onMailetException", List.of("error", "ignore", "propagate"));
    }

    public EventType event() {
        return event;
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        Optional<String> existing = mail.getAttribute(PortcullisAttributes.TRACKING_ID)
            .map(attribute -> attribute.getValue().value()).map(Object::toString);
        if (existing.isPresent() && event == EventType.RECEIVED_BY_MTA && isCopyMadeByAMailet(mail, existing.get())) {
            // A bounce or notice a mailet made from another mail carries that mail's attributes: it gets its own record.
            existing = Optional.empty();
        }
        String trackingId = existing.orElseGet(() -> trackingIdOf(mail));
        if (existing.isEmpty()) {
            mail.setAttribute(new Attribute(PortcullisAttributes.TRACKING_ID, AttributeValue.of(trackingId)));
        }
        MessageInfo message = capture(mail);
        Map<String, String> additional = new LinkedHashMap<>();
        if (existing.isEmpty() || event == EventType.RECEIVED_BY_MTA) {
            additional.put(TrackingInfo.RECIPIENTS, String.join(", ", message.recipients()));
            message.sendingHost().or(message::sendingIp).ifPresent(host -> additional.put(TrackingInfo.SENDING_HOST,
                message.sendingIp().filter(ip -> !ip.equals(host)).map(ip -> host + " [" + ip + "]").orElse(host)));
            message.authUser().ifPresent(user -> additional.put(TrackingInfo.SMTP_AUTH, user));
            additional.put(TrackingInfo.TRANSPORT_SECURITY, message.tls() ? "TLS" : "None");
            if (!message.attachments().isEmpty()) {
                additional.put(TrackingInfo.ATTACHMENTS, String.join(", ", message.attachments()));
            }
        }
        strings(mail, PortcullisAttributes.TRIGGERED_RULES).ifPresent(rules -> additional.put(TrackingInfo.TRIGGERED_RULES, rules));
        strings(mail, PortcullisAttributes.REASONS).ifPresent(reasons -> additional.put(TrackingInfo.REASONS, reasons));
        rejectReason.ifPresent(reason -> additional.put(TrackingInfo.REJECT_REASON, reason.systemName()));
        if (event == EventType.DELIVERY_FAILED) {
            additional.put(TrackingInfo.RETRY, Boolean.toString(retry));
            Optional.ofNullable(mail.getErrorMessage()).ifPresent(error -> additional.put(TrackingInfo.DELIVERY_FAILED, error));
        }
        info.ifPresent(text -> additional.put(TrackingInfo.DETAILS, text));
        try {
            tracker.record(new TrackedEvent(trackingId, event, Instant.now(clock), additional), message);
        } catch (TrackingException e) {
            LOGGER.error("Tracking event {} of {} ({}) not recorded", event, trackingId, mail.getName(), e);
            throw new MessagingException("TrackEvent: event " + event.name() + " of tracking id " + trackingId
                + " could not be recorded: " + e.getMessage(), e);
        }
    }

    /**
     * Whether a mail entering the flow is a new mail a mailet made from another one (James copies the original's
     * attributes into a bounce or a notice), rather than the mail its tracking id was given to: sent by a mailet, under
     * a name of its own.
     */
    private static boolean isCopyMadeByAMailet(Mail mail, String trackingId) {
        return mail.getAttribute(Mail.SENT_BY_MAILET_ATTRIBUTE.getName()).isPresent() && !trackingId.equals(trackingIdOf(mail));
    }

    /** What the store keeps about the message, read from the mail without changing it. */
    static MessageInfo capture(Mail mail) {
        MessageInfo.Builder builder = MessageInfo.builder()
            .sender(mail.getMaybeSender().asOptional().map(MailAddress::asString))
            .recipients(mail.getRecipients().stream().map(MailAddress::asString).collect(Collectors.toList()))
            .sendingHost(mail.getRemoteHost())
            .sendingIp(mail.getRemoteAddr())
            .helo(string(mail, Mail.SMTP_HELO).orElse(null))
            .authUser(string(mail, Mail.SMTP_AUTH_USER).orElse(null));
        try {
            builder.size(mail.getMessageSize());
        } catch (MessagingException e) {
            LOGGER.debug("No size for {}", mail.getName(), e);
        }
        MimeMessage message = null;
        try {
            message = mail.getMessage();
        } catch (MessagingException e) {
            LOGGER.debug("No message for {}", mail.getName(), e);
        }
        boolean tls = mail.getAttribute(PortcullisAttributes.TLS).map(a -> Boolean.TRUE.equals(a.getValue().value())).orElse(false);
        String security = string(mail, PortcullisAttributes.MESSAGE_SECURITY).map(s -> s.toLowerCase(Locale.ROOT))
            .filter(MessageInfo.MESSAGE_SECURITIES::contains).orElse(null);
        if (message != null) {
            try {
                builder.subject(message.getSubject()).messageId(message.getMessageID());
                if (!tls) {
                    String[] received = message.getHeader("Received");
                    tls = received != null && received.length > 0 && received[0].matches("(?is).*\\bwith\\s+E?SMTPS.*");
                }
                if (security == null) {
                    security = detectSecurity(message);
                }
                List<String> attachments = new ArrayList<>();
                collectAttachments(message, attachments, 0);
                builder.attachments(attachments);
            } catch (Exception e) {
                // A message we cannot parse is still tracked, with what the envelope says.
                LOGGER.info("Tracking {}: message content not readable ({})", mail.getName(), e.getMessage());
            }
        }
        return builder.tls(tls).messageSecurity(security == null ? "none" : security).build();
    }

    private static String detectSecurity(MimeMessage message) throws MessagingException {
        String type = Optional.ofNullable(message.getContentType()).orElse("").toLowerCase(Locale.ROOT);
        if (type.startsWith("multipart/encrypted") && type.contains("pgp")) {
            return "pgp";
        }
        if (type.startsWith("application/pkcs7-mime") || type.startsWith("application/x-pkcs7-mime")) {
            return "smime";
        }
        return null;
    }

    /**
     * The tracking id of a mail that has none yet: derived from the mail's name, which James gives each accepted
     * message once and keeps in the spool. A message taken again from the spool after a crash (its attribute was set
     * in memory only) so finds its own tracking record again instead of leaving a second one stuck in "processing".
     */
    static String trackingIdOf(Mail mail) {
        String name = mail.getName();
        if (name != null && !name.isBlank() && name.length() <= MAX_TRACKING_ID) {
            return name;
        }
        return name == null || name.isBlank() ? UUID.randomUUID().toString()
            : UUID.nameUUIDFromBytes(name.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
    }

    private static void collectAttachments(Part part, List<String> names, int depth) throws Exception {
        if (depth > MAX_ATTACHMENT_DEPTH) {
            return;
        }
        if (part.isMimeType("multipart/*")) {
            Multipart multipart = (Multipart) part.getContent();
            for (int i = 0; i < multipart.getCount(); i++) {
                collectAttachments(multipart.getBodyPart(i), names, depth + 1);
            }
            return;
        }
        String fileName = part.getFileName();
        if (fileName != null && !fileName.isBlank()) {
            names.add(fileName.trim());
        }
    }

    private static Optional<String> string(Mail mail, org.apache.mailet.AttributeName name) {
        return mail.getAttribute(name).map(a -> a.getValue().value()).map(Object::toString).filter(s -> !s.isBlank());
    }

    private static Optional<String> strings(Mail mail, org.apache.mailet.AttributeName name) {
        return mail.getAttribute(name).map(a -> a.getValue().value()).map(value -> {
            if (value instanceof Collection) {
                return ((Collection<?>) value).stream()
                    .map(item -> item instanceof AttributeValue ? String.valueOf(((AttributeValue<?>) item).value()) : String.valueOf(item))
                    .collect(Collectors.joining(", "));
            }
            return value.toString();
        }).filter(s -> !s.isBlank());
    }

    @Override
    public String getMailetInfo() {
        return "Portcullis TrackEvent";
    }
}
