package io.portcullis.storage;

import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.MailEnvelope;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.MailHook;
import org.apache.james.protocols.smtp.hook.MessageHook;

/**
 * The free-space guard at the SMTP door: before accepting {@code MAIL FROM}, and again at the end of {@code DATA}
 * before the message is queued, every filesystem the gateway writes must have the free space of
 * {@link StorageConfiguration#smtpThreshold} (for this server's {@code maxmessagesize}); otherwise the answer is
 * {@code 452 4.3.1 Insufficient system storage} and the client tries again later. {@code TrackSmtpRejects}
 * records the refusal as {@code smtp:insufficientstorage}. The free space is measured at most once per
 * {@code storage.checkInterval}, never per byte. Place it in the {@code handlerchain} of every SMTP server, before
 * {@code CoreCmdHandlerLoader}:
 *
 * <pre>{@code <handler class="io.portcullis.storage.RefuseWhenStorageLow"/>}</pre>
 */
public class RefuseWhenStorageLow implements MailHook, MessageHook {
    public static final String REPLY_CODE = "452";
    public static final String REPLY_TEXT = "4.3.1 Insufficient system storage";

    private final StorageGuard guard;

    @Inject
    public RefuseWhenStorageLow(StorageGuard guard) {
        this.guard = guard;
    }

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        return check(session);
    }

    @Override
    public HookResult onMessage(SMTPSession session, MailEnvelope mail) {
        return check(session);
    }

    private HookResult check(SMTPSession session) {
        Optional<StorageGuard.Shortage> shortage = guard.smtpShortage(Math.max(0, session.getConfiguration().getMaxMessageSize()));
        if (shortage.isEmpty()) {
            return HookResult.DECLINED;
        }
        return HookResult.builder()
            .hookReturnCode(HookReturnCode.denySoft())
            .smtpReturnCode(REPLY_CODE)
            .smtpDescription(REPLY_TEXT)
            .build();
    }
}
