package io.portcullis.tracking.smtp;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.RcptCmdHandler;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.portcullis.tracking.EventType;
import io.portcullis.tracking.MessageInfo;
import io.portcullis.tracking.MessageTracker;
import io.portcullis.tracking.RejectReason;
import io.portcullis.tracking.TrackedEvent;
import io.portcullis.tracking.TrackingException;
import io.portcullis.tracking.TrackingInfo;

/**
 * Records an SMTP-stage refusal as a tracked message: status rejected, the reject reason's system name, the
 * sender, the recipient(s) of the transaction, the sending host, HELO and a {@code REJECTED} event carrying the
 * SMTP reply. Shared by the SMTP hooks of this package. A store failure is logged and never changes the SMTP
 * answer (the client was refused anyway: no mail is at stake).
 */
public class SmtpRejects {
    private static final Logger LOGGER = LoggerFactory.getLogger(SmtpRejects.class);

    private final MessageTracker tracker;
    private final Clock clock;

    public SmtpRejects(MessageTracker tracker, Clock clock) {
        this.tracker = tracker;
        this.clock = clock;
    }

    /** {@code recipient}: the refused RCPT, or empty for the recipients accepted so far in the transaction. */
    public Optional<String> record(SMTPSession session, RejectReason reason, Optional<MailAddress> recipient, Optional<HookResult> result,
                                   String detectedBy) {
        String trackingId = UUID.randomUUID().toString();
        List<String> recipients = recipient.map(r -> List.of(r.asString())).orElseGet(() ->
            session.getAttachment(SMTPSession.RCPT_LIST, ProtocolSession.State.Transaction).orElse(List.of())
                .stream().map(MailAddress::asString).collect(Collectors.toList()));
        Optional<String> sender = session.getAttachment(SMTPSession.SENDER, ProtocolSession.State.Transaction)
            .flatMap(MaybeSender::asOptional).map(MailAddress::asString);
        InetSocketAddress remote = session.getRemoteAddress();
        String ip = remote != null && remote.getAddress() != null ? remote.getAddress().getHostAddress() : null;
        Optional<String> helo = session.getAttachment(SMTPSession.CURRENT_HELO_NAME, ProtocolSession.State.Connection);
        MessageInfo message = MessageInfo.builder()
            .sender(sender)
            .recipients(recipients)
            .sendingHost(ip)
            .sendingIp(ip)
            .helo(helo.orElse(null))
            .tls(session.isTLSStarted())
            .authUser(session.getUsername() == null ? null : session.getUsername().asString())
            .build();
        Map<String, String> info = new LinkedHashMap<>();
        info.put(TrackingInfo.REJECT_REASON, reason.systemName());
        result.map(SmtpRejects::reply).filter(s -> !s.isBlank()).ifPresent(reply -> info.put(TrackingInfo.SMTP_RESPONSE, reply));
        if (!recipients.isEmpty()) {
            info.put(TrackingInfo.RECIPIENTS, String.join(", ", recipients));
        }
        if (ip != null) {
            info.put(TrackingInfo.SENDING_HOST, helo.map(h -> h + " [" + ip + "]").orElse(ip));
        }
        info.put(TrackingInfo.TRANSPORT_SECURITY, session.isTLSStarted() ? "TLS" : "None");
        info.put(TrackingInfo.DETAILS, "Refused during the SMTP dialogue by " + detectedBy);
        try {
            tracker.record(new TrackedEvent(trackingId, EventType.REJECTED, Instant.now(clock), info), message);
            return Optional.of(trackingId);
        } catch (TrackingException | IllegalArgumentException e) {
            LOGGER.warn("SMTP refusal ({}) from {} not tracked: {}", reason.systemName(), ip, e.getMessage());
            return Optional.empty();
        }
    }

    private static String reply(HookResult result) {
        return (Optional.ofNullable(result.getSmtpRetCode()).orElse("") + " " + Optional.ofNullable(result.getSmtpDescription()).orElse("")).trim();
    }

    static Optional<MailAddress> currentRecipient(SMTPSession session) {
        return session.getAttachment(RcptCmdHandler.CURRENT_RECIPIENT, ProtocolSession.State.Transaction)
            .filter(address -> !address.isNullSender());
    }
}
