package io.portcullis.direction;

import java.util.List;

import javax.mail.MessagingException;

import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;

import io.portcullis.config.MailetParameters;
import io.portcullis.config.Parameter;

/**
 * Records whether a message is inbound or outbound in the {@code portcullis.direction} attribute, so that
 * later checks and treatments (stalled-mail policy, spoofing check, reports) can differ by direction.
 */
public class SetDirection extends GenericMailet {
    public static final String HEADER = "X-Portcullis-Direction";
    public static final List<Parameter> PARAMETERS = List.of(
        Parameter.optional("addHeader", "false",
            "true to also add an `X-Portcullis-Direction: inbound` / `outbound` header to the message; true or false"));

    private boolean addHeader;

    @Override
    public void init() throws MessagingException {
        MailetParameters parameters = MailetParameters.parse(getMailetConfig(), PARAMETERS);
        addHeader = parameters.bool("addHeader");
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        Direction direction = Direction.detect(mail);
        mail.setAttribute(direction.asAttribute());
        if (addHeader) {
            mail.getMessage().setHeader(HEADER, direction.value());
            mail.getMessage().saveChanges();
        }
    }

    @Override
    public String getMailetInfo() {
        return "Portcullis SetDirection";
    }
}
