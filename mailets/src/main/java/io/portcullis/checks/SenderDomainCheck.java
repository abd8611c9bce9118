package io.portcullis.checks;

import java.util.List;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;

import io.portcullis.config.Parameter;
import io.portcullis.dns.DnsAnswer;
import io.portcullis.dns.DnsLookupService;
import io.portcullis.scoring.Check;
import io.portcullis.scoring.CheckDefinition;
import io.portcullis.scoring.Finding;

/**
 * {@code check=senderdomain}: the envelope sender's domain must resolve (MX, else A, else AAAA), as RFC 5321
 * requires of a domain that can receive replies. "sender domain nowhere.example has no MX or A record: +30",
 * rule {@code spam:unresolvablesenderdomain}. The null sender (bounces) is not checked.
 */
public final class SenderDomainCheck implements Check {
    public static final String RULE = "spam:unresolvablesenderdomain";
    public static final CheckDefinition DEFINITION = new CheckDefinition("senderdomain",
        "The envelope sender's domain has an MX or A record",
        List.of(Parameter.optional("score", "30", "points when the sender's domain has no MX, A or AAAA record")),
        (parameters, environment) -> new SenderDomainCheck(environment.dns(), parameters.integer("score", -1000, 1000)));

    private final DnsLookupService dns;
    private final int score;

    public SenderDomainCheck(DnsLookupService dns, int score) {
        this.dns = dns;
        this.score = score;
    }

    @Override
    public List<Finding> evaluate(Mail mail) {
        if (!mail.getMaybeSender().asOptional().isPresent()) {
            return List.of();
        }
        MailAddress sender = mail.getMaybeSender().get();
        String domain = sender.getDomain().asString();
        DnsAnswer mx = dns.mx(domain);
        if (mx.isFound()) {
            return List.of();
        }
        DnsAnswer a = dns.a(domain);
        if (a.isFound()) {
            return List.of();
        }
        DnsAnswer aaaa = dns.aaaa(domain);
        if (aaaa.isFound()) {
            return List.of();
        }
        for (DnsAnswer answer : List.of(mx, a, aaaa)) {
            if (answer.isFailed()) {
                return List.of(Finding.couldNotRun("sender domain " + domain + " could not be resolved: " + answer.failure()));
            }
        }
        return List.of(new Finding(score, "sender domain " + domain + " has no MX or A record", RULE));
    }
}
