package io.portcullis.tracking.smtp;

import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.smtpserver.JamesMessageHook;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

import io.portcullis.mail.PortcullisAttributes;

/**
 * Marks each accepted message with whether it arrived over TLS (attribute {@code portcullis.tls}, Boolean), which
 * James 3.8.1 does not expose to mailets; {@code TrackEvent} records it as the message's transport security.
 *
 * <pre>{@code <handler class="io.portcullis.tracking.smtp.TransportSecurityHook"/>}</pre>
 */
public class TransportSecurityHook implements JamesMessageHook {
    @Override
    public HookResult onMessage(SMTPSession session, Mail mail) {
        mail.setAttribute(new Attribute(PortcullisAttributes.TLS, AttributeValue.of(session.isTLSStarted())));
        return HookResult.DECLINED;
    }
}
