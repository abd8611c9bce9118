package io.portcullis.checks;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import javax.mail.internet.InternetAddress;

import org.apache.mailet.Mail;

import io.portcullis.config.Parameter;
import io.portcullis.dns.DnsAnswer;
import io.portcullis.dns.DnsLookupService;
import io.portcullis.mail.PortcullisAttributes;
import io.portcullis.scoring.Check;
import io.portcullis.scoring.CheckDefinition;
import io.portcullis.scoring.Finding;
import io.portcullis.scoring.ScoreSheet;

/**
 * {@code check=dmarc}: looks up the DMARC policy of the From header's domain ({@code _dmarc.<domain>}, then the
 * organizational domain) and checks that SPF or DKIM passed for a domain aligned with it (relaxed or strict as
 * the record says). SPF and DKIM results recorded by earlier {@code check=spf} / {@code check=dkim} filters are
 * reused; otherwise they are evaluated here. Not aligned under {@code p=reject}: "DMARC policy reject of
 * sender.example: From domain is aligned with neither SPF (fail, bad.example) nor DKIM (none): +100", rule
 * {@code spam:dmarcreject}.
 */
public final class DmarcCheck implements Check {
    public static final CheckDefinition DEFINITION = new CheckDefinition("dmarc",
        "DMARC policy of the From domain and its alignment with the SPF and DKIM results",
        List.of(
            Parameter.optional("scoreReject", "100", "points when alignment fails and the domain's policy is p=reject (rule spam:dmarcreject)"),
            Parameter.optional("scoreQuarantine", "60", "points when alignment fails and the policy is p=quarantine (rule spam:dmarcquarantine)"),
            Parameter.optional("scoreMonitor", "0", "points when alignment fails and the policy is p=none (rule spam:dmarcfail)")),
        (parameters, environment) -> new DmarcCheck(environment.dns(), new SpfEvaluator(environment.dns()), new DkimEvaluator(environment.dns()),
            parameters.integer("scoreReject", -1000, 1000), parameters.integer("scoreQuarantine", -1000, 1000),
            parameters.integer("scoreMonitor", -1000, 1000)));

    private final DnsLookupService dns;
    private final SpfEvaluator spf;
    private final DkimEvaluator dkim;
    private final int scoreReject;
    private final int scoreQuarantine;
    private final int scoreMonitor;

    public DmarcCheck(DnsLookupService dns, SpfEvaluator spf, DkimEvaluator dkim, int scoreReject, int scoreQuarantine, int scoreMonitor) {
        this.dns = dns;
        this.spf = spf;
        this.dkim = dkim;
        this.scoreReject = scoreReject;
        this.scoreQuarantine = scoreQuarantine;
        this.scoreMonitor = scoreMonitor;
    }

    private record Policy(Map<String, String> tags, boolean fromOrganizationalDomain) {
        String policyFor() {
            String p = tags.getOrDefault("p", "none");
            if (fromOrganizationalDomain && tags.containsKey("sp")) {
                return tags.get("sp");
            }
            return p;
        }
    }

    @Override
    public List<Finding> evaluate(Mail mail) throws Exception {
        String[] fromHeaders = mail.getMessage().getHeader("From");
        Optional<String> fromDomain = Optional.ofNullable(fromHeaders).filter(h -> h.length > 0)
            .flatMap(h -> Domains.firstAddress(h[0]))
            .map(InternetAddress::getAddress)
            .flatMap(Domains::domainOf);
        if (fromDomain.isEmpty()) {
            return List.of();
        }
        String domain = fromDomain.get();
        Optional<Policy> policy;
        try {
            policy = lookupPolicy(domain, false);
            String organizational = Domains.registeredDomain(domain);
            if (policy.isEmpty() && !organizational.equals(domain)) {
                policy = lookupPolicy(organizational, true);
            }
        } catch (PolicyLookupFailed e) {
            ScoreSheet.setString(mail, PortcullisAttributes.DMARC_RESULT, "temperror");
            return List.of(Finding.couldNotRun("DMARC policy of " + domain + " could not be fetched: " + e.getMessage()));
        }
        if (policy.isEmpty()) {
            ScoreSheet.setString(mail, PortcullisAttributes.DMARC_RESULT, "none");
            return List.of();
        }
        Map<String, String> tags = policy.get().tags();
        boolean strictSpf = "s".equalsIgnoreCase(tags.get("aspf"));
        boolean strictDkim = "s".equalsIgnoreCase(tags.get("adkim"));

        SpfEvaluator.Outcome spfOutcome = spf.outcome(mail);
        DkimEvaluator.Outcome dkimOutcome = dkim.outcome(mail);
        boolean spfAligned = spfOutcome.result().equals("pass") && Domains.aligned(spfOutcome.domain(), domain, strictSpf);
        boolean dkimAligned = dkimOutcome.domains().stream().anyMatch(d -> Domains.aligned(d, domain, strictDkim));
        if (spfAligned || dkimAligned) {
            ScoreSheet.setString(mail, PortcullisAttributes.DMARC_RESULT, "pass");
            return List.of();
        }
        if (spfOutcome.result().equals("temperror") || dkimOutcome.result().equals("temperror")) {
            ScoreSheet.setString(mail, PortcullisAttributes.DMARC_RESULT, "temperror");
            return List.of(Finding.couldNotRun("DMARC of " + domain + " could not be evaluated: SPF " + spfOutcome.result()
                + ", DKIM " + dkimOutcome.result()));
        }
        ScoreSheet.setString(mail, PortcullisAttributes.DMARC_RESULT, "fail");
        String requested = policy.get().policyFor().toLowerCase(Locale.ROOT);
        String why = "DMARC policy " + requested + " of " + domain + ": From domain is aligned with neither SPF ("
            + spfOutcome.result() + ", " + spfOutcome.domain() + ") nor DKIM ("
            + (dkimOutcome.domains().isEmpty() ? dkimOutcome.result() : dkimOutcome.result() + ", " + String.join(", ", dkimOutcome.domains())) + ")";
        return switch (requested) {
            case "reject" -> List.of(new Finding(scoreReject, why, "spam:dmarcreject"));
            case "quarantine" -> List.of(new Finding(scoreQuarantine, why, "spam:dmarcquarantine"));
            default -> scoreMonitor == 0 ? List.of() : List.of(new Finding(scoreMonitor, why, "spam:dmarcfail"));
        };
    }

    private static final class PolicyLookupFailed extends Exception {
        PolicyLookupFailed(String message) {
            super(message);
        }
    }

    private Optional<Policy> lookupPolicy(String domain, boolean organizational) throws PolicyLookupFailed {
        DnsAnswer answer = dns.txt("_dmarc." + domain);
        if (answer.isFailed()) {
            throw new PolicyLookupFailed(answer.failure());
        }
        return answer.records().stream()
            .filter(record -> record.trim().regionMatches(true, 0, "v=DMARC1", 0, 8))
            .findFirst()
            .map(DmarcCheck::tags)
            .map(tags -> new Policy(tags, organizational));
    }

    static Map<String, String> tags(String record) {
        Map<String, String> tags = new HashMap<>();
        for (String item : record.split(";")) {
            int equals = item.indexOf('=');
            if (equals > 0) {
                tags.put(item.substring(0, equals).trim().toLowerCase(Locale.ROOT), item.substring(equals + 1).trim());
            }
        }
        return tags;
    }
}
