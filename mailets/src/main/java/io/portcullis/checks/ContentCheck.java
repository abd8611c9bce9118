package io.portcullis.checks;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;

import javax.mail.Header;
import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeUtility;

import org.apache.james.filesystem.api.FileSystem;
import org.apache.mailet.Mail;

import io.portcullis.config.MailetParameters;
import io.portcullis.config.ReloadingFile;
import io.portcullis.config.Parameter;
import io.portcullis.scoring.Check;
import io.portcullis.scoring.CheckDefinition;
import io.portcullis.scoring.CheckEnvironment;
import io.portcullis.scoring.Finding;

/**
 * {@code check=content}: header and body regular expressions and keyword lists from a rule file (see
 * {@link ContentRules} and the commented {@code conf/content-rules.conf}). Each matching rule adds its score:
 * "content rule spam:gtube matched the body ('XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X'): +1000",
 * the rule's name is the triggered rule. The file is re-read when it changes; a broken edit keeps the previous
 * rules and says so on each message until fixed.
 */
public final class ContentCheck implements Check {
    private static final int SHOWN = 80;

    public static final CheckDefinition DEFINITION = new CheckDefinition("content",
        "Header and body regular expressions and keyword lists from a rule file",
        List.of(Parameter.optional("rules", "file://conf/content-rules.conf",
            "the rule file (James file URL: file://conf/... is relative to the server's directory)")),
        ContentCheck::create);

    private final ReloadingFile<ContentRules> rules;

    private ContentCheck(ReloadingFile<ContentRules> rules) {
        this.rules = rules;
    }

    private static ContentCheck create(MailetParameters parameters, CheckEnvironment environment) throws MessagingException {
        String location = parameters.string("rules");
        FileSystem fileSystem = environment.fileSystem();
        File file;
        try {
            file = fileSystem.getFile(location);
        } catch (IOException e) {
            throw parameters.invalid("rules", location, "an existing rule file (" + e.getMessage() + ")");
        }
        try {
            return of(file);
        } catch (IOException | IllegalArgumentException e) {
            throw parameters.invalid("rules", location, "a valid rule file: " + e.getMessage());
        }
    }

    /** For tests and programmatic use. */
    public static ContentCheck of(File file) throws IOException {
        return new ContentCheck(ReloadingFile.load(file, "content rules", ContentRules::parse));
    }

    public ContentRules rules() {
        return rules.current();
    }

    @Override
    public List<Finding> evaluate(Mail mail) throws Exception {
        ContentRules current = rules.current();
        List<Finding> findings = new ArrayList<>();
        rules.reloadError().ifPresent(error ->
            findings.add(Finding.couldNotRun("content rules file could not be reloaded, previous rules used: " + error)));
        MimeMessage message = mail.getMessage();
        // Each text is built (and case-folded for the pre-filters) once, however many rules read it.
        ContentRules.Text body = null;
        ContentRules.Text rawBody = null;
        ContentRules.Text headers = null;
        for (ContentRules.Rule rule : current.rules()) {
            Optional<String> matched = Optional.empty();
            String where;
            switch (rule.where()) {
                case "body" -> {
                    body = body == null ? new ContentRules.Text(MessageContent.of(mail).bodyText()) : body;
                    matched = rule.match(body);
                    where = "the body";
                }
                case "rawbody" -> {
                    rawBody = rawBody == null ? new ContentRules.Text(MessageContent.of(mail).rawBody()) : rawBody;
                    matched = rule.match(rawBody);
                    where = "the body";
                }
                case "subject" -> {
                    matched = rule.match(Optional.ofNullable(message.getSubject()).orElse(""));
                    where = "the subject";
                }
                case "headers" -> {
                    headers = headers == null ? new ContentRules.Text(allHeaders(message)) : headers;
                    matched = rule.match(headers);
                    where = "the headers";
                }
                default -> {
                    String name = rule.where().substring("header:".length());
                    String[] values = message.getHeader(name);
                    where = "header " + name;
                    if (values != null) {
                        for (String value : values) {
                            matched = rule.match(decode(value));
                            if (matched.isPresent()) {
                                break;
                            }
                        }
                    }
                }
            }
            if (matched.isPresent()) {
                String shown = matched.get().replaceAll("\\s+", " ");
                if (shown.length() > SHOWN) {
                    shown = shown.substring(0, SHOWN) + "…";
                }
                String what = rule.how().equals("keywords") ? "keyword '" + shown + "'" : "'" + shown + "'";
                findings.add(new Finding(rule.score(), "content rule " + rule.name() + " matched " + where + " (" + what + ")", rule.name()));
            }
        }
        return findings;
    }

    private static String allHeaders(MimeMessage message) throws MessagingException {
        StringBuilder all = new StringBuilder();
        Enumeration<Header> headers = message.getAllHeaders();
        while (headers.hasMoreElements()) {
            Header header = headers.nextElement();
            all.append(header.getName()).append(": ").append(decode(header.getValue())).append('\n');
        }
        return all.toString();
    }

    private static String decode(String value) {
        try {
            return MimeUtility.decodeText(MimeUtility.unfold(value));
        } catch (IOException | RuntimeException e) {
            return value;
        }
    }
}
