package io.portcullis.stalled;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

import javax.mail.MessagingException;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;

import com.google.common.collect.ImmutableList;

import io.portcullis.config.MailetParameters;
import io.portcullis.config.Parameter;
import io.portcullis.direction.Direction;
import io.portcullis.mail.PortcullisAttributes;

/**
 * Looks for what the filters cannot scan (see {@link UnscannableDetector}) and records it on the mail:
 * {@code portcullis.unscannable} (the reasons, when there are any) and {@code portcullis.messageSecurity}
 * (pgp, smime, password or none, always). The matcher {@code IsUnscannable} then sends such mail to
 * {@code Quarantine(area=stalled)}. A message whose MIME structure does not parse is unscannable with the parse
 * error as its reason: it is held, never dropped.
 *
 * <p>Encrypted mail (S/MIME, PGP) is treated per direction ({@code portcullis.direction}, inbound when unset):
 * {@code unscannable} (default) stalls it; {@code allow} lets encrypted mail to the listed addresses or domains
 * bypass stalling (those recipients go in {@code portcullis.unscannableBypass}). Archives with passwords,
 * macros and parse errors always stall.
 */
public class DetectUnscannable extends GenericMailet {
    public static final List<String> TREATMENTS = List.of("unscannable", "allow");
    public static final List<Parameter> PARAMETERS = List.of(
        Parameter.optional("inboundEncrypted", "unscannable", "treatment of inbound encrypted mail: unscannable (stall it) or "
            + "allow (encrypted mail to the addresses of `inboundAllow` bypasses stalling)"),
        Parameter.optional("inboundAllow", "", "comma-separated addresses (`bob@example.com`) or domains (`example.com`, "
            + "`@example.com`) whose inbound encrypted mail is allowed; required when inboundEncrypted is allow"),
        Parameter.optional("outboundEncrypted", "unscannable", "treatment of outbound encrypted mail: unscannable or allow"),
        Parameter.optional("outboundAllow", "", "comma-separated addresses or domains to which outbound encrypted mail is "
            + "allowed; required when outboundEncrypted is allow"));

    private final UnscannableDetector detector = new UnscannableDetector();
    private Optional<List<String>> inboundAllow;
    private Optional<List<String>> outboundAllow;

    @Override
    public void init() throws MessagingException {
        MailetParameters parameters = MailetParameters.parse(getMailetConfig(), PARAMETERS);
        inboundAllow = treatment(parameters, "inboundEncrypted", "inboundAllow");
        outboundAllow = treatment(parameters, "outboundEncrypted", "outboundAllow");
    }

    private static Optional<List<String>> treatment(MailetParameters parameters, String treatmentName, String listName) throws MessagingException {
        String treatment = parameters.oneOf(treatmentName, TREATMENTS);
        List<String> list = parameters.list(listName);
        for (String item : list) {
            validate(parameters, listName, item);
        }
        if (treatment.equals("allow")) {
            if (list.isEmpty()) {
                throw parameters.invalid(listName, "", "at least one address or domain when " + treatmentName + " is allow");
            }
            return Optional.of(list.stream().map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toList()));
        }
        if (!list.isEmpty()) {
            throw parameters.invalid(listName, String.join(",", list), "nothing unless " + treatmentName + " is allow");
        }
        return Optional.empty();
    }

    private static void validate(MailetParameters parameters, String listName, String item) throws MessagingException {
        try {
            if (item.contains("@") && !item.startsWith("@")) {
                new MailAddress(item);
            } else {
                Domain.of(item.startsWith("@") ? item.substring(1) : item);
            }
        } catch (Exception e) {
            throw parameters.invalid(listName, item, "email addresses or domains");
        }
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        List<Finding> findings;
        try {
            findings = detector.inspect(mail.getMessage());
        } catch (MessagingException | RuntimeException e) {
            findings = List.of(new Finding(Finding.Kind.PARSE_ERROR, "MIME parse error: " + e.getMessage()));
        }
        mail.setAttribute(new Attribute(PortcullisAttributes.MESSAGE_SECURITY, AttributeValue.of(security(findings))));
        if (findings.isEmpty()) {
            return;
        }
        String reason = findings.stream().map(Finding::reason).distinct().collect(Collectors.joining("; "));
        mail.setAttribute(new Attribute(PortcullisAttributes.UNSCANNABLE_REASON, AttributeValue.of(reason)));
        boolean onlyEncryptedMail = findings.stream().allMatch(f -> f.kind().isEncryptedMail());
        Direction direction = Direction.of(mail).orElse(Direction.INBOUND);
        Optional<List<String>> allow = direction == Direction.INBOUND ? inboundAllow : outboundAllow;
        if (onlyEncryptedMail && allow.isPresent()) {
            List<AttributeValue<?>> bypass = mail.getRecipients().stream()
                .filter(recipient -> allowed(allow.get(), recipient))
                .map(recipient -> AttributeValue.of(recipient.asString()))
                .collect(ImmutableList.toImmutableList());
            if (!bypass.isEmpty()) {
                mail.setAttribute(new Attribute(PortcullisAttributes.UNSCANNABLE_BYPASS, AttributeValue.of(bypass)));
            }
        }
    }

    static String security(List<Finding> findings) {
        for (Finding.Kind kind : List.of(Finding.Kind.PGP, Finding.Kind.SMIME, Finding.Kind.PASSWORD)) {
            if (findings.stream().anyMatch(f -> f.kind() == kind)) {
                return kind.security();
            }
        }
        return "none";
    }

    private static boolean allowed(List<String> allow, MailAddress recipient) {
        String address = recipient.asString().toLowerCase(Locale.ROOT);
        String domain = recipient.getDomain().asString().toLowerCase(Locale.ROOT);
        return allow.stream().anyMatch(item -> item.equals(address) || item.equals(domain) || item.equals("@" + domain));
    }

    @Override
    public String getMailetInfo() {
        return "Portcullis DetectUnscannable";
    }
}
