package io.portcullis.delivery.smtp;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.dsn.DSNStatus;
import org.apache.james.protocols.smtp.hook.Hook;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookResultHook;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.RcptHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a session that keeps offering recipients we refuse (directory harvesting, relay probing): it counts the
 * RCPTs refused in the connection by any RCPT hook (unknown user, recipient verification, relaying denied, ...,
 * permanent or temporary), and once {@code maxRefusedRecipients} were refused, answers the next RCPT with
 * {@code 421 4.7.0} and closes the connection. {@code TrackSmtpRejects} tracks that answer as a rejected message
 * (reject reason {@code spam:otherrejectreason}, detected by {@code RefusedRcptLimit}). Recipients accepted in
 * between do not reset the count; RSET does not either (the count is per connection). Place it first in the
 * {@code handlerchain} of {@code smtpserver.xml}, before every other RCPT hook:
 *
 * <pre>{@code
 * <handler class="io.portcullis.delivery.smtp.RefusedRcptLimit">
 *     <maxRefusedRecipients>10</maxRefusedRecipients>
 * </handler>
 * }</pre>
 */
public class RefusedRcptLimit implements RcptHook, HookResultHook {
    private static final Logger LOGGER = LoggerFactory.getLogger(RefusedRcptLimit.class);
    public static final String PARAMETER = "maxRefusedRecipients";
    public static final int DEFAULT_MAX_REFUSED = 10;
    public static final int MAX_ALLOWED = 100_000;
    private static final ProtocolSession.AttachmentKey<Integer> REFUSED =
        ProtocolSession.AttachmentKey.of("portcullis.refusedRecipients", Integer.class);

    private int maxRefused = DEFAULT_MAX_REFUSED;

    @Override
    public void init(Configuration config) throws ConfigurationException {
        String value = config.getString(PARAMETER, String.valueOf(DEFAULT_MAX_REFUSED)).trim();
        try {
            maxRefused = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            maxRefused = -1;
        }
        if (maxRefused < 1 || maxRefused > MAX_ALLOWED) {
            throw new ConfigurationException("RefusedRcptLimit: invalid " + PARAMETER + " '" + value
                + "': expected an integer from 1 to " + MAX_ALLOWED);
        }
    }

    public int maxRefused() {
        return maxRefused;
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        int refused = refused(session);
        if (refused < maxRefused) {
            return HookResult.DECLINED;
        }
        String ip = session.getRemoteAddress() == null || session.getRemoteAddress().getAddress() == null ? "?"
            : session.getRemoteAddress().getAddress().getHostAddress();
        LOGGER.info("Closing the SMTP session of {} after {} refused recipients", ip, refused);
        return HookResult.builder()
            .hookReturnCode(HookReturnCode.disconnected(HookReturnCode.Action.DENYSOFT))
            .smtpReturnCode("421")
            .smtpDescription(DSNStatus.getStatus(DSNStatus.TRANSIENT, DSNStatus.SECURITY_OTHER)
                + " Too many refused recipients (" + refused + "), closing connection")
            .build();
    }

    @Override
    public HookResult onHookResult(SMTPSession session, HookResult result, long executionTime, Hook hook) {
        if (result == null || hook == this || !(hook instanceof RcptHook)) {
            return result;
        }
        HookReturnCode.Action action = result.getResult().getAction();
        if (action == HookReturnCode.Action.DENY || action == HookReturnCode.Action.DENYSOFT) {
            session.setAttachment(REFUSED, refused(session) + 1, ProtocolSession.State.Connection);
        }
        return result;
    }

    private static int refused(SMTPSession session) {
        return session.getAttachment(REFUSED, ProtocolSession.State.Connection).orElse(0);
    }
}
