package io.portcullis.delivery;

import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.mail.Header;
import javax.mail.MessagingException;
import javax.mail.internet.MimeUtility;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;

import io.portcullis.config.MailetParameters;
import io.portcullis.config.Parameter;
import io.portcullis.mail.PortcullisAttributes;

/**
 * Finds, before local delivery, a message the local mailbox database cannot store and marks it unscannable
 * ({@code portcullis.unscannable}) so that {@code IsUnscannable} holds it in the stalled area with its tracking
 * record, instead of {@code LocalDelivery} failing on it. The mailbox keeps each top-level MIME field of a message
 * (Content-Type and its parameters, Content-ID, -Description, -Disposition, -Language, -Location, -MD5) in columns of
 * fixed size: a media type or subtype of 200 characters, a parameter name of 500, a value of 1,024. A sender controls
 * these fields; one longer than the mailbox stores would otherwise make every delivery attempt fail.
 *
 * <p>The rule errs on the safe side: a {@code Content-*} field longer than 1,024 characters, a media type or subtype
 * longer than 200, or a parameter name longer than 500 holds the message. Only the top-level header is read.
 */
public class CheckMailboxLimits extends GenericMailet {
    public static final List<Parameter> PARAMETERS = List.of();
    static final int MAX_VALUE = 1024;
    static final int MAX_TYPE = 200;
    static final int MAX_NAME = 500;

    @Override
    public void init() throws MessagingException {
        MailetParameters.parse(getMailetConfig(), PARAMETERS);
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        if (mail.getAttribute(PortcullisAttributes.FORCED).isPresent()) {
            return;
        }
        Enumeration<Header> headers = mail.getMessage().getAllHeaders();
        while (headers.hasMoreElements()) {
            Header header = headers.nextElement();
            Optional<String> problem = problem(header.getName(), header.getValue());
            if (problem.isPresent()) {
                mail.setAttribute(new Attribute(PortcullisAttributes.UNSCANNABLE_REASON, AttributeValue.of(
                    "the local mailbox cannot store this message: " + problem.get())));
                return;
            }
        }
    }

    /** What keeps a top-level header field out of the mailbox database, if anything. */
    static Optional<String> problem(String name, String rawValue) {
        if (name == null || rawValue == null || !name.toLowerCase(Locale.ROOT).startsWith("content-")) {
            return Optional.empty();
        }
        String value = MimeUtility.unfold(rawValue).trim();
        if (value.length() > MAX_VALUE) {
            return Optional.of("its " + name + " header field has " + value.length() + " characters (at most " + MAX_VALUE + ")");
        }
        String[] pieces = value.split(";");
        if (name.equalsIgnoreCase("Content-Type")) {
            String[] type = pieces[0].split("/", 2);
            for (String part : type) {
                if (part.trim().length() > MAX_TYPE) {
                    return Optional.of("its media type has a part of " + part.trim().length() + " characters (at most " + MAX_TYPE + ")");
                }
            }
        }
        for (int i = 1; i < pieces.length; i++) {
            int equals = pieces[i].indexOf('=');
            String parameter = (equals < 0 ? pieces[i] : pieces[i].substring(0, equals)).trim();
            if (parameter.length() > MAX_NAME) {
                return Optional.of("its " + name + " header field has a parameter name of " + parameter.length()
                    + " characters (at most " + MAX_NAME + ")");
            }
        }
        return Optional.empty();
    }

    @Override
    public String getMailetInfo() {
        return "Portcullis CheckMailboxLimits";
    }
}
