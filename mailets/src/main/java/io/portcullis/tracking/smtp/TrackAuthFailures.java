package io.portcullis.tracking.smtp;

import java.time.Clock;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.core.Username;
import org.apache.james.protocols.api.OidcSASLConfiguration;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.AuthHook;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;

import io.portcullis.tracking.MessageTracker;
import io.portcullis.tracking.RejectReason;

/**
 * SMTP AUTH hook that records failed authentications ({@code SMTP Auth:error}). James's own
 * {@code UsersRepositoryAuthHook} declines a wrong password instead of refusing it, so a failure is only
 * visible as "no AUTH hook accepted": this hook must therefore come <b>after</b> {@code CoreCmdHandlerLoader}
 * in the {@code handlerchain} (it is then asked last, only when every other AUTH hook declined). It always
 * declines, so James answers {@code 535 Authentication Failed} as usual.
 *
 * <pre>{@code <handler class="io.portcullis.tracking.smtp.TrackAuthFailures"/>}</pre>
 */
public class TrackAuthFailures implements AuthHook {
    private static final HookResult FAILED = HookResult.builder()
        .hookReturnCode(HookReturnCode.declined())
        .smtpReturnCode("535")
        .smtpDescription("Authentication Failed")
        .build();

    private final SmtpRejects rejects;

    @Inject
    public TrackAuthFailures(MessageTracker tracker) {
        this(new SmtpRejects(tracker, Clock.systemUTC()));
    }

    public TrackAuthFailures(SmtpRejects rejects) {
        this.rejects = rejects;
    }

    @Override
    public HookResult doAuth(SMTPSession session, Username username, String password) {
        rejects.record(session, RejectReason.SMTP_AUTH_ERROR, Optional.empty(), Optional.of(FAILED),
            "SMTP AUTH (user " + (username == null ? "?" : username.asString()) + ")");
        return HookResult.DECLINED;
    }

    @Override
    public HookResult doSasl(SMTPSession session, OidcSASLConfiguration configuration, String initialResponse) {
        return HookResult.DECLINED;
    }

    @Override
    public HookResult doDelegation(SMTPSession session, Username username) {
        return HookResult.DECLINED;
    }
}
