package io.portcullis.checks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.apache.james.jdkim.api.SignatureRecord;
import org.apache.james.jdkim.exceptions.FailException;
import org.apache.james.jdkim.exceptions.TempFailException;
import org.apache.james.jdkim.mailets.DKIMVerifier;
import org.apache.mailet.Mail;

import io.portcullis.dns.DnsLookupService;
import io.portcullis.mail.PortcullisAttributes;
import io.portcullis.scoring.ScoreSheet;

/**
 * Verifies the DKIM signatures of a message with James's jDKIM verifier, keys fetched through the Portcullis
 * DNS service, and records the outcome ({@code portcullis.dkim.result}: pass / fail / none / temperror, and
 * {@code portcullis.dkim.domains}: the d= of the signatures that verified) for DMARC.
 */
public final class DkimEvaluator {
    /** @param detail why it failed, for fail and temperror */
    public record Outcome(String result, List<String> domains, String detail) {
    }

    private final DKIMVerifier verifier;

    public DkimEvaluator(DnsLookupService dns) {
        this.verifier = new DKIMVerifier(new DnsPublicKeyRetriever(dns));
    }

    public Outcome outcome(Mail mail) throws Exception {
        Optional<String> result = ScoreSheet.string(mail, PortcullisAttributes.DKIM_RESULT);
        if (result.isPresent()) {
            return new Outcome(result.get(), ScoreSheet.strings(mail, PortcullisAttributes.DKIM_DOMAINS), "");
        }
        return evaluate(mail);
    }

    public Outcome evaluate(Mail mail) throws Exception {
        Outcome outcome;
        if (mail.getMessage().getHeader("DKIM-Signature") == null) {
            outcome = new Outcome("none", List.of(), "");
        } else {
            try {
                List<SignatureRecord> verified = verifier.verify(mail.getMessage(), true);
                List<String> domains = new ArrayList<>();
                if (verified != null) {
                    verified.forEach(record -> domains.add(record.getDToken().toString().toLowerCase(Locale.ROOT)));
                }
                outcome = domains.isEmpty() ? new Outcome("none", List.of(), "") : new Outcome("pass", domains, "");
            } catch (TempFailException e) {
                outcome = new Outcome("temperror", List.of(), e.getMessage());
            } catch (FailException e) {
                String identity = e.getRelatedRecordIdentity();
                outcome = new Outcome("fail", List.of(), (identity == null ? "" : "signature of " + identity + ": ") + e.getMessage());
            }
        }
        ScoreSheet.setString(mail, PortcullisAttributes.DKIM_RESULT, outcome.result());
        ScoreSheet.setStrings(mail, PortcullisAttributes.DKIM_DOMAINS, outcome.domains());
        return outcome;
    }
}
