package io.portcullis.quarantine;

import java.util.List;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.portcullis.config.MailetParameters;
import io.portcullis.config.Parameter;
import io.portcullis.mail.PortcullisAttributes;

/**
 * Lets a copy re-injected from the quarantine (release, retry, force) into the mail flow exactly once. The
 * first copy of an entry passes (and marks the entry released); a second copy — possible only when a crash
 * interrupted a release and the recovery re-sent it — is dropped ({@code GHOST}). The same copy coming back
 * after a crash of the node processing it passes again, so nothing is lost. Mail that does not come from the
 * quarantine is untouched.
 */
public class ReleaseGate extends GenericMailet {
    private static final Logger LOGGER = LoggerFactory.getLogger(ReleaseGate.class);
    public static final List<Parameter> PARAMETERS = List.of();

    private final QuarantineService service;

    @Inject
    public ReleaseGate(QuarantineService service) {
        this.service = service;
    }

    @Override
    public void init() throws MessagingException {
        MailetParameters.parse(getMailetConfig(), PARAMETERS);
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        var entry = QuarantineService.stringAttribute(mail, PortcullisAttributes.RELEASED_ENTRY);
        var copy = QuarantineService.stringAttribute(mail, PortcullisAttributes.RELEASED_COPY);
        if (entry.isEmpty() || copy.isEmpty()) {
            return;
        }
        if (service.gate(entry.get(), copy.get()) == QuarantineStore.GateDecision.DUPLICATE) {
            LOGGER.warn("Dropping {}: another copy of quarantine entry {} was already released", mail.getName(), entry.get());
            mail.setState(Mail.GHOST);
            return;
        }
        mail.removeAttribute(PortcullisAttributes.RELEASED_ENTRY);
        mail.removeAttribute(PortcullisAttributes.RELEASED_COPY);
    }

    @Override
    public String getMailetInfo() {
        return "Portcullis ReleaseGate";
    }
}
