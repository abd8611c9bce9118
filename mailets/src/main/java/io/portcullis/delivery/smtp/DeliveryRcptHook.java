package io.portcullis.delivery.smtp;

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

/**
 * RCPT check of our domains by delivery mode (replaces James's ValidRcptHandler in {@code smtpserver.xml}):
 * <ul>
 *   <li>local: the recipient must be a user or an alias, else {@code 550 5.1.1};</li>
 *   <li>forward: the downstream server is asked (recipient verification, on by default; see
 *       {@link DeliveryConfiguration#verifiesRecipients}): a recipient it refuses with 5xx gets {@code 550 5.1.1},
 *       an unreachable downstream or a 4xx answer gets {@code 451} (the sender retries; never accept-then-bounce,
 *       never accept blindly, never 5xx for a downstream that could not answer). With verification turned off
 *       for the domain, any recipient is accepted;</li>
 *   <li>hybrid: a local user or alias is accepted, any other recipient as in forward mode.</li>
 * </ul>
 * Recipients of other domains are left to the relaying rules (only authenticated users and relay networks).
 * Refusals are tracked by {@code TrackSmtpRejects} (this hook is a {@code ValidRcptHandler}: reject reason
 * {@code spam:recipientverification}); the downstream's own reply is logged.
 */
public class DeliveryRcptHook extends ValidRcptHandler {
    private static final Logger LOGGER = LoggerFactory.getLogger(DeliveryRcptHook.class);

    private final DomainList domains;
    private final DeliveryConfiguration configuration;
    private final RecipientVerifier verifier;

    @Inject
    public DeliveryRcptHook(UsersRepository users, RecipientRewriteTable recipientRewriteTable, DomainList domains,
                            DeliveryConfiguration configuration, RecipientVerifier verifier) {
        super(users, recipientRewriteTable, domains);
        this.domains = domains;
        this.configuration = configuration;
        this.verifier = verifier;
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
}
