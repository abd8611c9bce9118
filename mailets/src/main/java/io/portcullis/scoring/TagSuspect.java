package io.portcullis.scoring;

import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeUtility;

import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;

import io.portcullis.config.MailetParameters;
import io.portcullis.config.Parameter;

/**
 * Marks a suspect message for its reader: prefixes the subject (once) and adds {@code X-Portcullis-Score}
 * (the total) and {@code X-Portcullis-Reasons} (the readable reasons, separated by "; ") headers, from the
 * attributes the {@link ScoreFilter}s wrote.
 */
public class TagSuspect extends GenericMailet {
    public static final String SCORE_HEADER = "X-Portcullis-Score";
    public static final String REASONS_HEADER = "X-Portcullis-Reasons";
    public static final List<Parameter> PARAMETERS = List.of(
        Parameter.optional("subjectPrefix", "[SUSPECT]", "text put in front of the subject (once; empty to leave the subject alone)"),
        Parameter.optional("addHeaders", "true", "true to add the X-Portcullis-Score and X-Portcullis-Reasons headers; true or false"));

    private String subjectPrefix;
    private boolean addHeaders;

    @Override
    public void init() throws MessagingException {
        MailetParameters parameters = MailetParameters.parse(getMailetConfig(), PARAMETERS);
        subjectPrefix = parameters.string("subjectPrefix");
        addHeaders = parameters.bool("addHeaders");
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        MimeMessage message = mail.getMessage();
        if (!subjectPrefix.isEmpty()) {
            String subject = message.getSubject() == null ? "" : message.getSubject();
            if (!subject.startsWith(subjectPrefix)) {
                message.setSubject(subject.isEmpty() ? subjectPrefix : subjectPrefix + " " + subject, StandardCharsets.UTF_8.name());
            }
        }
        if (addHeaders) {
            message.setHeader(SCORE_HEADER, String.valueOf(ScoreSheet.score(mail)));
            String reasons = String.join("; ", ScoreSheet.reasons(mail));
            if (!reasons.isEmpty()) {
                message.setHeader(REASONS_HEADER, encode(reasons));
            } else {
                message.removeHeader(REASONS_HEADER);
            }
        }
        message.saveChanges();
    }

    private static String encode(String value) {
        try {
            String encoded = value.chars().allMatch(c -> c >= 32 && c < 127) ? value : MimeUtility.encodeText(value, "UTF-8", "Q");
            return MimeUtility.fold(REASONS_HEADER.length() + 2, encoded);
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String getMailetInfo() {
        return "Portcullis TagSuspect";
    }
}
