package io.portcullis.tracking.smtp;

import java.time.Clock;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.esmtp.MailSizeEsmtpExtension;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.MailParametersHook;

import io.portcullis.tracking.MessageTracker;
import io.portcullis.tracking.RejectReason;

/**
 * Handles the {@code SIZE=} parameter of {@code MAIL FROM} exactly as James's {@code MailSizeEsmtpExtension}
 * (to which it delegates) and records a refusal as {@code smtp:oversized}. James does not pass {@code MAIL}
 * parameter results to {@link org.apache.james.protocols.smtp.hook.HookResultHook}s, hence this hook. The last
 * handler declaring a parameter wins, so it must come <b>after</b> {@code CoreCmdHandlerLoader} in the
 * {@code handlerchain}. Messages that announce no size and turn out too big during DATA are recorded by
 * {@link TrackSmtpRejects}.
 *
 * <pre>{@code <handler class="io.portcullis.tracking.smtp.TrackOversizedMailParameter"/>}</pre>
 */
public class TrackOversizedMailParameter implements MailParametersHook {
    private final MailSizeEsmtpExtension delegate = new MailSizeEsmtpExtension();
    private final SmtpRejects rejects;

    @Inject
    public TrackOversizedMailParameter(MessageTracker tracker) {
        this(new SmtpRejects(tracker, Clock.systemUTC()));
    }

    public TrackOversizedMailParameter(SmtpRejects rejects) {
        this.rejects = rejects;
    }

    @Override
    public HookResult doMailParameter(SMTPSession session, String paramName, String paramValue) {
        HookResult result = delegate.doMailParameter(session, paramName, paramValue);
        if (result != null && result.getResult().getAction() == HookReturnCode.Action.DENY
                && "552".equals(result.getSmtpRetCode())) {
            rejects.record(session, RejectReason.OVERSIZED, Optional.empty(), Optional.of(result), "MAIL FROM SIZE=" + paramValue);
        }
        return result;
    }

    @Override
    public String[] getMailParamNames() {
        return delegate.getMailParamNames();
    }
}
