package io.portcullis.checks;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.mail.MessagingException;

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
 * reused; otherwise they are evaluated here. Every verified DKIM signature counts: one aligned signature is an
 * aligned DKIM pass. Not aligned under {@code p=reject}: "DMARC policy reject of sender.example: From domain is
 * aligned with neither SPF (fail, bad.example) nor DKIM (none): +100", rule {@code spam:dmarcreject}. The result
 * is "could not be evaluated" (+0) only when an identifier aligned with the From domain failed temporarily
 * (SPF temperror for an aligned envelope domain, a DKIM key of an aligned d= that could not be fetched); a
 * temporary failure of an unrelated domain leaves the result a fail. A message without a single From domain
 * (several From headers, addresses of several domains, none readable) scores {@code scoreAmbiguousFrom}.
 */
public final class DmarcCheck implements Check {
    public static final CheckDefinition DEFINITION = new CheckDefinition("dmarc",
        "DMARC policy of the From domain and its alignment with the SPF and DKIM results",
        List.of(
            Parameter.optional("scoreReject", "100", "points when alignment fails and the domain's policy is p=reject (rule spam:dmarcreject)"),
            Parameter.optional("scoreQuarantine", "60", "points when alignment fails and the policy is p=quarantine (rule spam:dmarcquarantine)"),
            Parameter.optional("scoreMonitor", "0", "points when alignment fails and the policy is p=none (rule spam:dmarcfail)"),
            Parameter.optional("scoreAmbiguousFrom", "60", "points when no single From domain can be found: several From headers, "
                + "addresses of several domains in From, or no readable From address (rule spam:ambiguousfrom)")),
        (parameters, environment) -> new DmarcCheck(environment.dns(), new SpfEvaluator(environment.dns()), new DkimEvaluator(environment.dns()),
            parameters.integer("scoreReject", -1000, 1000), parameters.integer("scoreQuarantine", -1000, 1000),
            parameters.integer("scoreMonitor", -1000, 1000), parameters.integer("scoreAmbiguousFrom", -1000, 1000)));
    public static final String RULE_AMBIGUOUS_FROM = "spam:ambiguousfrom";

    private final DnsLookupService dns;
    private final SpfEvaluator spf;
    private final DkimEvaluator dkim;
    private final int scoreReject;
    private final int scoreQuarantine;
    private final int scoreMonitor;
    private final int scoreAmbiguousFrom;

    public DmarcCheck(DnsLookupService dns, SpfEvaluator spf, DkimEvaluator dkim, int scoreReject, int scoreQuarantine, int scoreMonitor,
            int scoreAmbiguousFrom) {
        this.dns = dns;
        this.spf = spf;
        this.dkim = dkim;
        this.scoreReject = scoreReject;
        this.scoreQuarantine = scoreQuarantine;
        this.scoreMonitor = scoreMonitor;
        this.scoreAmbiguousFrom = scoreAmbiguousFrom;
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

    /** The From header's domain, or why there is no single one (several From headers or domains, none parseable). */
    record FromDomain(Optional<String> domain, String problem) {
        static FromDomain of(Mail mail) throws MessagingException {
            String[] headers = mail.getMessage().getHeader("From");
            if (headers == null || headers.length == 0) {
                return new FromDomain(Optional.empty(), "message has no From header");
            }
            if (headers.length > 1) {
                return new FromDomain(Optional.empty(), "message has " + headers.length + " From headers");
            }
            List<String> addresses = Domains.addresses(headers[0]);
            Set<String> domains = new LinkedHashSet<>();
            for (String address : addresses) {
                Domains.domainOf(address).ifPresent(domains::add);
            }
            if (domains.isEmpty()) {
                return new FromDomain(Optional.empty(), "From header holds no readable address");
            }
            if (domains.size() > 1) {
                return new FromDomain(Optional.empty(), "From header names addresses of several domains ("
                    + Domains.shorten(String.join(", ", domains)) + ")");
            }
            return new FromDomain(Optional.of(domains.iterator().next()), "");
        }
    }

    @Override
    public List<Finding> evaluate(Mail mail) throws Exception {
        FromDomain from = FromDomain.of(mail);
        if (from.domain().isEmpty()) {
            ScoreSheet.setString(mail, PortcullisAttributes.DMARC_RESULT, "permerror");
            return List.of(new Finding(scoreAmbiguousFrom, from.problem() + ": no single domain whose DMARC policy applies", RULE_AMBIGUOUS_FROM));
        }
        String domain = from.domain().get();
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
        // Only a temporary failure of an identifier that could have aligned leaves the result open; the
        // failure of an unrelated domain (the sender's own, chosen freely) must not turn a fail into "+0".
        boolean spfAlignedTemperror = spfOutcome.result().equals("temperror") && Domains.aligned(spfOutcome.domain(), domain, strictSpf);
        List<String> dkimAlignedTemperror = dkimOutcome.temperrorDomains().stream()
            .filter(d -> Domains.aligned(d, domain, strictDkim)).toList();
        if (spfAlignedTemperror || !dkimAlignedTemperror.isEmpty()) {
            ScoreSheet.setString(mail, PortcullisAttributes.DMARC_RESULT, "temperror");
            return List.of(Finding.couldNotRun("DMARC of " + domain + " could not be evaluated: SPF " + spfOutcome.result()
                + (spfAlignedTemperror ? " (" + spfOutcome.domain() + ")" : "")
                + ", DKIM " + (dkimAlignedTemperror.isEmpty() ? dkimOutcome.result() : "temperror (" + String.join(", ", dkimAlignedTemperror) + ")")));
        }
        ScoreSheet.setString(mail, PortcullisAttributes.DMARC_RESULT, "fail");
        String requested = policy.get().policyFor().toLowerCase(Locale.ROOT);
        List<String> dkimDomains = dkimOutcome.domains().isEmpty() ? dkimOutcome.temperrorDomains() : dkimOutcome.domains();
        String why = "DMARC policy " + requested + " of " + domain + ": From domain is aligned with neither SPF ("
            + spfOutcome.result() + ", " + spfOutcome.domain() + ") nor DKIM ("
            + (dkimDomains.isEmpty() ? dkimOutcome.result() : dkimOutcome.result() + ", " + Domains.shorten(String.join(", ", dkimDomains))) + ")";
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
