package io.portcullis.checks;

import java.util.Locale;
import java.util.Optional;

import org.apache.james.jspf.executor.SPFResult;
import org.apache.james.jspf.impl.SPF;
import org.apache.mailet.Mail;

import io.portcullis.dns.DnsLookupService;
import io.portcullis.mail.PortcullisAttributes;
import io.portcullis.scoring.ScoreSheet;

/**
 * Evaluates SPF (RFC 7208) with jSPF for the connecting IP, the envelope sender (or postmaster@HELO for a null
 * sender) and the HELO name, and records the outcome on the mail ({@code portcullis.spf.result},
 * {@code portcullis.spf.domain}) so that DMARC reuses it.
 */
public final class SpfEvaluator {
    /** @param detail for temperror, what failed (e.g. "timeout looking up sender.example") */
    public record Outcome(String result, String domain, String ip, Optional<String> detail) {
    }

    private final SPF spf;

    public SpfEvaluator(DnsLookupService dns) {
        this.spf = new SPF(new JspfDnsAdapter(dns));
        this.spf.setUseBestGuess(false);
    }

    /** The outcome recorded on the mail by an earlier SPF evaluation, else a new evaluation (recorded). */
    public Outcome outcome(Mail mail) {
        Optional<String> result = ScoreSheet.string(mail, PortcullisAttributes.SPF_RESULT);
        Optional<String> domain = ScoreSheet.string(mail, PortcullisAttributes.SPF_DOMAIN);
        if (result.isPresent() && domain.isPresent()) {
            return new Outcome(result.get(), domain.get(), String.valueOf(mail.getRemoteAddr()), Optional.empty());
        }
        return evaluate(mail);
    }

    public Outcome evaluate(Mail mail) {
        String ip = mail.getRemoteAddr();
        String helo = ScoreSheet.string(mail, Mail.SMTP_HELO).orElse(Optional.ofNullable(mail.getRemoteHost()).orElse(""));
        String sender = mail.getMaybeSender().asOptional().map(Object::toString).orElse("");
        String domain = sender.isEmpty() ? helo : Domains.domainOf(sender).orElse(helo);
        JspfDnsAdapter.clearFailure();
        SPFResult result = spf.checkSPF(ip, sender, helo);
        String value = result.getResult() == null ? "none" : result.getResult().toLowerCase(Locale.ROOT);
        Optional<String> detail = value.equals("temperror") ? Optional.ofNullable(JspfDnsAdapter.lastFailure()) : Optional.empty();
        JspfDnsAdapter.clearFailure();
        ScoreSheet.setString(mail, PortcullisAttributes.SPF_RESULT, value);
        ScoreSheet.setString(mail, PortcullisAttributes.SPF_DOMAIN, domain.toLowerCase(Locale.ROOT));
        return new Outcome(value, domain.toLowerCase(Locale.ROOT), ip, detail);
    }
}
