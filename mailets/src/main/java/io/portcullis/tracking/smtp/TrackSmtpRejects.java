package io.portcullis.tracking.smtp;

import java.time.Clock;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.core.MailAddress;
import org.apache.james.protocols.smtp.SMTPRetCode;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.AbstractAuthRequiredToRelayRcptHook;
import org.apache.james.protocols.smtp.core.AbstractSenderAuthIdentifyVerificationHook;
import org.apache.james.protocols.smtp.core.esmtp.MailSizeEsmtpExtension;
import org.apache.james.protocols.smtp.core.fastfail.AbstractGreylistHandler;
import org.apache.james.protocols.smtp.core.fastfail.AbstractValidRcptHandler;
import org.apache.james.protocols.smtp.core.fastfail.DNSRBLHandler;
import org.apache.james.protocols.smtp.core.fastfail.ResolvableEhloHeloHandler;
import org.apache.james.protocols.smtp.core.fastfail.SpamTrapHandler;
import org.apache.james.protocols.smtp.core.fastfail.ValidSenderDomainHandler;
import org.apache.james.protocols.smtp.hook.AuthHook;
import org.apache.james.protocols.smtp.hook.Hook;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookResultHook;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.RcptHook;

import io.portcullis.tracking.MessageTracker;
import io.portcullis.tracking.RejectReason;

/**
 * SMTP hook that sees the result of every other hook ({@link HookResultHook}) and records each refusal
 * ({@code DENY} / {@code DENYSOFT}) as a rejected message with its reject reason, classified by the
 * refusing hook: relaying denied ({@code AuthRequiredToRelayRcptHook}) → {@code spam:relayingdenied}, unknown
 * recipient ({@code ValidRcptHandler}) → {@code spam:recipientverification}, message too big
 * ({@code MailSizeEsmtpExtension}, reply 552) → {@code smtp:oversized}, a refusing AUTH hook →
 * {@code SMTP Auth:error}, DNSBL → {@code spam:rbllookup}, greylisting → {@code spam:greylisted}, unresolvable
 * sender domain, HELO checks, spoofed sender, a full disk (reply {@code 452 4.3.1}) →
 * {@code smtp:insufficientstorage}; anything else → {@code spam:otherrejectreason}. It never changes
 * the result. Place it in the {@code handlerchain} of {@code smtpserver.xml}:
 *
 * <pre>{@code <handler class="io.portcullis.tracking.smtp.TrackSmtpRejects"/>}</pre>
 */
public class TrackSmtpRejects implements HookResultHook {
    private final SmtpRejects rejects;

    @Inject
    public TrackSmtpRejects(MessageTracker tracker) {
        this(new SmtpRejects(tracker, Clock.systemUTC()));
    }

    public TrackSmtpRejects(SmtpRejects rejects) {
        this.rejects = rejects;
    }

    @Override
    public HookResult onHookResult(SMTPSession session, HookResult result, long executionTime, Hook hook) {
        if (result == null || hook == this) {
            return result;
        }
        HookReturnCode.Action action = result.getResult().getAction();
        if (action != HookReturnCode.Action.DENY && action != HookReturnCode.Action.DENYSOFT) {
            return result;
        }
        RejectReason reason = classify(hook, result);
        Optional<MailAddress> recipient = hook instanceof RcptHook ? SmtpRejects.currentRecipient(session) : Optional.empty();
        rejects.record(session, reason, recipient, Optional.of(result), hook.getClass().getSimpleName());
        return result;
    }

    static RejectReason classify(Hook hook, HookResult result) {
        if (hook instanceof AbstractAuthRequiredToRelayRcptHook) {
            return RejectReason.RELAYING_DENIED;
        }
        if (hook instanceof AbstractValidRcptHandler) {
            return RejectReason.RECIPIENT_VERIFICATION;
        }
        if (hook instanceof MailSizeEsmtpExtension || SMTPRetCode.QUOTA_EXCEEDED.equals(result.getSmtpRetCode())) {
            return RejectReason.OVERSIZED;
        }
        if (isInsufficientStorage(result)) {
            return RejectReason.INSUFFICIENT_STORAGE;
        }
        if (hook instanceof AuthHook) {
            return RejectReason.SMTP_AUTH_ERROR;
        }
        if (hook instanceof DNSRBLHandler) {
            return RejectReason.RBL;
        }
        if (hook instanceof AbstractGreylistHandler) {
            return RejectReason.GREYLISTED;
        }
        if (hook instanceof ValidSenderDomainHandler) {
            return RejectReason.UNRESOLVABLE_SENDER_DOMAIN;
        }
        if (hook instanceof AbstractSenderAuthIdentifyVerificationHook) {
            return RejectReason.SPOOFED_SENDER;
        }
        if (hook instanceof ResolvableEhloHeloHandler || hook instanceof SpamTrapHandler) {
            return RejectReason.HOST_DENIED;
        }
        return RejectReason.OTHER;
    }

    /** {@code 452 4.3.1 Insufficient system storage} (RFC 3463), whichever hook says it. */
    private static boolean isInsufficientStorage(HookResult result) {
        return "452".equals(result.getSmtpRetCode()) && result.getSmtpDescription() != null
            && result.getSmtpDescription().startsWith("4.3.1");
    }
}
