package io.portcullis.checks;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.jdkim.DKIMVerifier;
import org.apache.james.jdkim.api.BodyHasher;
import org.apache.james.jdkim.api.Headers;
import org.apache.james.jdkim.api.SignatureRecord;
import org.apache.james.jdkim.exceptions.FailException;
import org.apache.james.jdkim.exceptions.TempFailException;
import org.apache.james.jdkim.mailets.CRLFOutputStream;
import org.apache.james.jdkim.mailets.HeaderSkippingOutputStream;
import org.apache.mailet.Mail;

import io.portcullis.dns.DnsLookupService;
import io.portcullis.mail.PortcullisAttributes;
import io.portcullis.scoring.ScoreSheet;

/**
 * Verifies the DKIM signatures of a message one by one with James's jDKIM verifier, keys fetched through the
 * Portcullis DNS service, and records the outcome for DMARC and the sender lists:
 * {@code portcullis.dkim.result} (pass when any signature verifies, else temperror when a key could not be
 * fetched, else fail; none without signature), {@code portcullis.dkim.domains} (the d= of the signatures that
 * verified) and {@code portcullis.dkim.temperrorDomains} (the d= of the signatures whose key could not be
 * fetched).
 *
 * <p>Only the first {@link #MAX_SIGNATURES} signatures (from the top of the header) are checked: each costs a
 * DNS lookup and a pass over the body, and a sender can add hundreds. The others are counted in
 * {@link Outcome#unchecked()} and reported by {@code check=dkim}.
 */
public final class DkimEvaluator {
    /** Signatures checked per message; the rest are reported as not checked. */
    public static final int MAX_SIGNATURES = 5;
    private static final String DKIM_SIGNATURE = "dkim-signature";

    /** One signature: its d= (empty when the signature cannot be parsed), pass / fail / temperror, why. */
    public record Signature(String domain, String result, String detail) {
    }

    /**
     * @param detail    why it failed, for fail and temperror
     * @param unchecked signatures beyond {@link #MAX_SIGNATURES}, not checked
     */
    public record Outcome(String result, List<String> domains, String detail, List<String> temperrorDomains, int unchecked) {
        public Outcome {
            domains = List.copyOf(domains);
            temperrorDomains = List.copyOf(temperrorDomains);
        }

        public Outcome(String result, List<String> domains, String detail) {
            this(result, domains, detail, List.of(), 0);
        }
    }

    private final DKIMVerifier verifier;

    public DkimEvaluator(DnsLookupService dns) {
        this.verifier = new DKIMVerifier(new DnsPublicKeyRetriever(dns));
    }

    public Outcome outcome(Mail mail) throws Exception {
        Optional<String> result = ScoreSheet.string(mail, PortcullisAttributes.DKIM_RESULT);
        if (result.isPresent()) {
            return new Outcome(result.get(), ScoreSheet.strings(mail, PortcullisAttributes.DKIM_DOMAINS), "",
                ScoreSheet.strings(mail, PortcullisAttributes.DKIM_TEMPERROR_DOMAINS), 0);
        }
        return evaluate(mail);
    }

    public Outcome evaluate(Mail mail) throws Exception {
        Outcome outcome = evaluate(mail.getMessage());
        ScoreSheet.setString(mail, PortcullisAttributes.DKIM_RESULT, outcome.result());
        ScoreSheet.setStrings(mail, PortcullisAttributes.DKIM_DOMAINS, outcome.domains());
        ScoreSheet.setStrings(mail, PortcullisAttributes.DKIM_TEMPERROR_DOMAINS, outcome.temperrorDomains());
        return outcome;
    }

    private Outcome evaluate(MimeMessage message) throws MessagingException {
        List<String> lines = new ArrayList<>();
        List<String> signatures = new ArrayList<>();
        Enumeration<String> all = message.getAllHeaderLines();
        while (all.hasMoreElements()) {
            String line = all.nextElement();
            lines.add(line);
            if (nameOf(line).equals(DKIM_SIGNATURE)) {
                signatures.add(line);
            }
        }
        if (signatures.isEmpty()) {
            return new Outcome("none", List.of(), "");
        }
        List<Signature> checked = new ArrayList<>();
        for (String signature : signatures.subList(0, Math.min(MAX_SIGNATURES, signatures.size()))) {
            if (Thread.currentThread().isInterrupted()) {
                break;
            }
            checked.add(verify(message, lines, signature));
        }
        int unchecked = signatures.size() - checked.size();
        List<String> passed = checked.stream().filter(s -> s.result().equals("pass")).map(Signature::domain).distinct().toList();
        List<String> temperror = checked.stream().filter(s -> s.result().equals("temperror")).map(Signature::domain)
            .filter(d -> !d.isEmpty()).distinct().toList();
        if (!passed.isEmpty()) {
            return new Outcome("pass", passed, "", temperror, unchecked);
        }
        boolean anyTemperror = checked.stream().anyMatch(s -> s.result().equals("temperror"));
        String result = anyTemperror ? "temperror" : "fail";
        String detail = checked.stream().filter(s -> s.result().equals(result))
            .map(s -> (s.domain().isEmpty() || anyTemperror ? "" : "signature of " + s.domain() + ": ") + s.detail())
            .distinct().reduce((a, b) -> a + "; " + b).orElse("no signature checked");
        return new Outcome(result, List.of(), detail, temperror, unchecked);
    }

    private Signature verify(MimeMessage message, List<String> lines, String signature) {
        String domain = domainOf(signature);
        try {
            BodyHasher hasher = verifier.newBodyHasher(new OneSignatureHeaders(lines, signature));
            if (hasher == null) {
                return new Signature(domain, "fail", "signature could not be read");
            }
            try (OutputStream body = hasher.getOutputStream()) {
                message.writeTo(new HeaderSkippingOutputStream(new CRLFOutputStream(body)));
            }
            List<SignatureRecord> verified = verifier.verify(hasher);
            if (verified == null || verified.isEmpty()) {
                return new Signature(domain, "fail", "signature does not verify");
            }
            return new Signature(verified.get(0).getDToken().toString().toLowerCase(Locale.ROOT), "pass", "");
        } catch (TempFailException e) {
            return new Signature(domain, "temperror", String.valueOf(e.getMessage()));
        } catch (FailException e) {
            return new Signature(domain, "fail", String.valueOf(e.getMessage()));
        } catch (IOException | MessagingException | RuntimeException e) {
            return new Signature(domain, "fail", "signature could not be checked: " + e.getMessage());
        }
    }

    /** The d= tag of a DKIM-Signature field, lower case; empty when absent. */
    static String domainOf(String field) {
        int colon = field.indexOf(':');
        String value = colon < 0 ? field : field.substring(colon + 1);
        for (String tag : value.split(";")) {
            int equals = tag.indexOf('=');
            if (equals > 0 && tag.substring(0, equals).strip().equalsIgnoreCase("d")) {
                return tag.substring(equals + 1).replaceAll("\\s+", "").toLowerCase(Locale.ROOT);
            }
        }
        return "";
    }

    private static String nameOf(String line) {
        int colon = line.indexOf(':');
        return colon < 0 ? "" : line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
    }

    /** The message's header fields as jDKIM reads them, showing one DKIM-Signature only. */
    private static final class OneSignatureHeaders implements Headers {
        private final List<String> lines;
        private final String signature;

        OneSignatureHeaders(List<String> lines, String signature) {
            this.lines = lines;
            this.signature = signature;
        }

        @Override
        public List<String> getFields() {
            return Collections.unmodifiableList(lines);
        }

        @Override
        public List<String> getFields(String name) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals(DKIM_SIGNATURE)) {
                return List.of(signature);
            }
            return lines.stream().filter(line -> nameOf(line).equals(lower)).toList();
        }
    }
}
