package io.portcullis.mail;

import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

import javax.mail.Header;
import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.portcullis.config.MailetParameters;
import io.portcullis.config.Parameter;

/**
 * Removes every {@code X-Portcullis-*} header (any case) from mail received over SMTP, before anything reads the
 * message: those headers are the gateway's own (score, reasons, direction, report marker), and a sender who writes
 * {@code X-Portcullis-Score: -100} must not have it reach a mailbox or be taken for the gateway's verdict. It applies
 * to every SMTP client, authenticated users and relay networks included: the gateway adds its own headers later in
 * the flow. Mail the gateway itself creates (reports, notices, released copies: sent by a mailet) keeps its headers.
 */
public class StripGatewayHeaders extends GenericMailet {
    private static final Logger LOGGER = LoggerFactory.getLogger(StripGatewayHeaders.class);
    public static final String PREFIX = "x-portcullis-";
    public static final List<Parameter> PARAMETERS = List.of();

    @Override
    public void init() throws MessagingException {
        MailetParameters.parse(getMailetConfig(), PARAMETERS);
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        if (mail.getAttribute(Mail.SENT_BY_MAILET_ATTRIBUTE.getName()).isPresent()) {
            return;
        }
        MimeMessage message = mail.getMessage();
        TreeSet<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        Enumeration<Header> headers = message.getAllHeaders();
        while (headers.hasMoreElements()) {
            String name = headers.nextElement().getName();
            if (name.toLowerCase(Locale.ROOT).startsWith(PREFIX)) {
                names.add(name);
            }
        }
        if (names.isEmpty()) {
            return;
        }
        for (String name : new ArrayList<>(names)) {
            message.removeHeader(name);
        }
        LOGGER.info("Removed gateway headers {} from {} received over SMTP", names, mail.getName());
    }

    @Override
    public String getMailetInfo() {
        return "Portcullis StripGatewayHeaders";
    }
}
