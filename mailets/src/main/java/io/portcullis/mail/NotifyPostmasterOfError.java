package io.portcullis.mail;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;

import javax.mail.Message;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.portcullis.config.MailetParameters;
import io.portcullis.config.Parameter;
import io.portcullis.store.StoredText;

/**
 * Tells the postmaster that a mail could not be processed and was kept for an administrator: a short plain-text
 * notice naming the mail (tracking id, mail name, envelope, size, sending host, the error and where it is kept),
 * never its subject, body or attachments, and never anything to the sender. It replaces the bounce to the sender in
 * the {@code error} processor: the sender of inbound mail is usually forged, and a bounce carrying the content is
 * backscatter. A notice that itself fails is not noticed again (no loop); a notice that cannot be sent is logged, never thrown.
 */
public class NotifyPostmasterOfError extends GenericMailet {
    private static final Logger LOGGER = LoggerFactory.getLogger(NotifyPostmasterOfError.class);
    /** Longest error text quoted in a notice (an exception message may quote a value the sender chose). */
    public static final int MAX_ERROR = 500;
    public static final List<Parameter> PARAMETERS = List.of(
        Parameter.optional("repository", "file://var/mail/error/",
            "where the mail is kept, named in the notice so that the administrator can find it (the `ToRepository` of the same processor)"));

    private String repository;

    @Override
    public void init() throws MessagingException {
        MailetParameters parameters = MailetParameters.parse(getMailetConfig(), PARAMETERS);
        repository = parameters.string("repository");
        if (repository.isBlank()) {
            throw parameters.invalid("repository", repository, "a mail repository URL such as file://var/mail/error/");
        }
    }

    @Override
    public void service(Mail mail) {
        if (mail.getAttribute(PortcullisAttributes.ERROR_NOTICE).isPresent()) {
            return;
        }
        try {
            notify(mail);
        } catch (MessagingException | RuntimeException e) {
            // the mail is kept already; a failed notice must not send it round the error processor again
            LOGGER.error("Could not send the postmaster the notice of {} kept in {}", mail.getName(), repository, e);
        }
    }

    private void notify(Mail mail) throws MessagingException {
        MailAddress postmaster = getMailetContext().getPostmaster();
        String trackingId = mail.getAttribute(PortcullisAttributes.TRACKING_ID).map(a -> String.valueOf(a.getValue().value())).orElse("(none)");
        MimeMessage notice = new MimeMessage(Session.getDefaultInstance(new Properties()));
        notice.setFrom(postmaster.toInternetAddress().orElseThrow());
        notice.setRecipients(Message.RecipientType.TO, postmaster.asString());
        notice.setSubject("[Portcullis] mail " + oneLine(trackingId, 64) + " kept in " + oneLine(repository, 200) + " after an error", "UTF-8");
        notice.setText(text(mail, trackingId), "UTF-8");
        notice.setHeader("Auto-Submitted", "auto-generated");
        notice.saveChanges();
        MailImpl noticeMail = MailImpl.builder()
            .name("portcullis-error-notice-" + mail.getName())
            .sender(postmaster)
            .addRecipient(postmaster)
            .mimeMessage(notice)
            .addAttribute(new Attribute(PortcullisAttributes.ERROR_NOTICE, AttributeValue.of(true)))
            .build();
        try {
            getMailetContext().sendMail(noticeMail);
        } finally {
            noticeMail.dispose();
        }
    }

    private String text(Mail mail, String trackingId) {
        String recipients = mail.getRecipients().stream().map(MailAddress::asString).collect(Collectors.joining(", "));
        long size;
        try {
            size = mail.getMessageSize();
        } catch (MessagingException e) {
            size = -1;
        }
        return "A mail could not be processed and is kept for you; nothing was sent to its sender.\n\n"
            + "Tracking id:  " + oneLine(trackingId, 64) + "\n"
            + "Mail name:    " + oneLine(mail.getName(), 255) + "\n"
            + "Sender:       " + oneLine(mail.getMaybeSender().asString(), 320) + "\n"
            + "Recipients:   " + oneLine(recipients, 2000) + "\n"
            + "Size (bytes): " + size + "\n"
            + "From host:    " + oneLine(mail.getRemoteHost() + " [" + mail.getRemoteAddr() + "]", 300) + "\n"
            + "Error:        " + oneLine(mail.getErrorMessage() == null ? "(not given)" : mail.getErrorMessage(), MAX_ERROR) + "\n"
            + "Kept in:      " + oneLine(repository, 200) + "\n\n"
            + "Look it up in message tracking (GET /portcullis/tracking/" + oneLine(trackingId, 64) + ") and in the repository\n"
            + "(GET /mailRepositories/" + URLEncoder.encode(repository.replaceFirst("^file://", ""), StandardCharsets.UTF_8)
            + "/mails); its content is not repeated here.\n";
    }

    /** {@code value} on one line (control characters become spaces) and at most {@code max} characters. */
    static String oneLine(String value, int max) {
        StringBuilder out = new StringBuilder(Math.min(value.length(), max + 1));
        for (int i = 0; i < value.length() && out.length() <= max; i++) {
            char c = value.charAt(i);
            out.append(Character.isISOControl(c) ? ' ' : c);
        }
        return StoredText.fit(out.toString(), max);
    }

    @Override
    public String getMailetInfo() {
        return "Portcullis NotifyPostmasterOfError";
    }
}
