package io.portcullis.delivery.smtp;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import javax.inject.Inject;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.dsn.DSNStatus;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.rrt.api.RecipientRewriteTable;
import org.apache.james.smtpserver.fastfail.ValidRcptHandler;
import org.apache.james.user.api.UsersRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.portcullis.delivery.DeliveryConfiguration;
import io.portcullis.delivery.DeliveryMode;
import io.portcullis.tracking.EventType;
import io.portcullis.tracking.MessageTracker;
import io.portcullis.tracking.TrackedEvent;

/**
 * RCPT check of our domains by delivery mode (replaces James's ValidRcptHandler in {@code smtpserver.xml}):
 * <ul>
 *   <li>local: the recipient must be a user or an alias, else {@code 550 5.1.1};</li>
 *   <li>forward: any recipient, unless recipient verification is on for the domain: then the downstream server is
 *       asked, an unknown recipient gets {@code 550 5.1.1} (tracked as REJECTED, {@code spam:recipientverification}),
 *       and an unreachable downstream gets {@code 451 4.4.3} (the sender retries; never accept-and-lose, never 5xx);</li>
 *   <li>hybrid: a local user or alias is accepted, any other recipient as in forward mode.</li>
 * </ul>
 * Recipients of other domains are left to the relaying rules (only authenticated users and relay networks).
 */
public class DeliveryRcptHook extends ValidRcptHandler {
    private static final Logger LOGGER = LoggerFactory.getLogger(DeliveryRcptHook.class);
    public static final String REJECT_REASON_KEY = "Reject Reason";
    public static final String RECIPIENT_VERIFICATION = "spam:recipientverification";

    private final DomainList domains;
    private final DeliveryConfiguration configuration;
    private final RecipientVerifier verifier;
    private final MessageTracker tracker;
    private final Clock clock;

    @Inject
    public DeliveryRcptHook(UsersRepository users, RecipientRewriteTable recipientRewriteTable, DomainList domains,
                            DeliveryConfiguration configuration, RecipientVerifier verifier, MessageTracker tracker, Clock clock) {
        super(users, recipientRewriteTable, domains);
        this.domains = domains;
        this.configuration = configuration;
        this.verifier = verifier;
        this.tracker = tracker;
        this.clock = clock;
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        try {
            if (!domains.containsDomain(rcpt.getDomain())) {
                return HookResult.DECLINED;
            }
            DeliveryMode mode = configuration.modeOf(rcpt.getDomain());
            if (mode == DeliveryMode.LOCAL) {
                return super.doRcpt(session, sender, rcpt);
            }
            if (mode == DeliveryMode.HYBRID && isValidRecipient(session, rcpt)) {
                return HookResult.DECLINED;
            }
            if (!configuration.verifiesRecipients(rcpt.getDomain())) {
                return HookResult.DECLINED;
            }
            return verify(session, sender, rcpt);
        } catch (Exception e) {
            LOGGER.error("RCPT check of {} failed, deny-soft", rcpt.asString(), e);
            return temporary("Cannot check " + rcpt.asString() + " now, try again later");
        }
    }

    private HookResult verify(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        RecipientVerifier.Verdict verdict = verifier.verify(rcpt);
        switch (verdict.answer()) {
            case EXISTS:
                return HookResult.DECLINED;
            case UNKNOWN:
                String description = DSNStatus.getStatus(DSNStatus.PERMANENT, DSNStatus.ADDRESS_MAILBOX) + " Unknown user: " + rcpt.asString();
                track(session, sender, rcpt, "550 " + description, verdict.detail());
                LOGGER.info("Recipient verification refused {}: downstream said {}", rcpt.asString(), verdict.detail());
                return HookResult.builder()
                    .hookReturnCode(HookReturnCode.deny())
                    .smtpReturnCode("550")
                    .smtpDescription(description)
                    .build();
            default:
                LOGGER.warn("Recipient verification of {} impossible now: {}", rcpt.asString(), verdict.detail());
                return temporary("Recipient verification of " + rcpt.asString() + " unavailable, try again later");
        }
    }

    private static HookResult temporary(String text) {
        return HookResult.builder()
            .hookReturnCode(HookReturnCode.denySoft())
            .smtpReturnCode("451")
            .smtpDescription(DSNStatus.getStatus(DSNStatus.TRANSIENT, DSNStatus.NETWORK_CONNECTION) + " " + text)
            .build();
    }

    private void track(SMTPSession session, MaybeSender sender, MailAddress rcpt, String response, String downstreamReply) {
        Map<String, String> info = new LinkedHashMap<>();
        info.put(REJECT_REASON_KEY, RECIPIENT_VERIFICATION);
        info.put("Recipients", rcpt.asString());
        info.put("Sender", sender.asString());
        if (session.getRemoteAddress() != null && session.getRemoteAddress().getAddress() != null) {
            info.put("Sending Host", session.getRemoteAddress().getAddress().getHostAddress());
        }
        info.put("SMTP Response", response);
        info.put("Remote reply", downstreamReply);
        try {
            tracker.record(new TrackedEvent(UUID.randomUUID().toString(), EventType.REJECTED, clock.instant(), info));
        } catch (RuntimeException e) {
            LOGGER.error("REJECTED event of {} not recorded", rcpt.asString(), e);
        }
    }
}
