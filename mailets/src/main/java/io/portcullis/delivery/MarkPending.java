package io.portcullis.delivery;

import java.time.Clock;
import java.util.List;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;

import io.portcullis.config.MailetParameters;
import io.portcullis.config.Parameter;
import io.portcullis.mail.PortcullisAttributes;

/**
 * Stamps the time the gateway started delivering the message ({@code portcullis.pendingSince}), unless already
 * stamped: the "since" of the Pending log and the start of the pending timeouts (24 hours outbound, 7 days inbound).
 */
public class MarkPending extends GenericMailet {
    public static final List<Parameter> PARAMETERS = List.of();

    private final Clock clock;

    @Inject
    public MarkPending(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void init() throws MessagingException {
        MailetParameters.parse(getMailetConfig(), PARAMETERS);
    }

    @Override
    public void service(Mail mail) {
        if (mail.getAttribute(PortcullisAttributes.PENDING_SINCE).isEmpty()) {
            mail.setAttribute(new Attribute(PortcullisAttributes.PENDING_SINCE, AttributeValue.of(clock.millis())));
        }
    }

    @Override
    public String getMailetInfo() {
        return "Portcullis MarkPending";
    }
}
