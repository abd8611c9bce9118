package io.portcullis.checks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import javax.mail.internet.InternetAddress;

import org.apache.james.core.Domain;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;

import io.portcullis.config.Parameter;
import io.portcullis.direction.Direction;
import io.portcullis.scoring.Check;
import io.portcullis.scoring.CheckDefinition;
import io.portcullis.scoring.Finding;

/**
 * {@code check=spoofing}: the From header (or the envelope sender) claims one of our domains, but the message
 * came neither from an SMTP-authenticated session nor from a relay network. "From address ceo@portcullis.test
 * claims our domain portcullis.test but the mail is neither authenticated nor from a relay network: +60", rule
 * {@code spam:spoofedsender}. Our domains are James's domain list ({@code MailetContext.isLocalServer}) plus
 * the {@code domains} parameter.
 */
public final class SpoofedSenderCheck implements Check {
    public static final String RULE = "spam:spoofedsender";
    public static final CheckDefinition DEFINITION = new CheckDefinition("spoofing",
        "From claims one of our domains but the mail is neither authenticated nor from a relay network",
        List.of(
            Parameter.optional("score", "60", "points when an unauthenticated message claims to come from one of our domains"),
            Parameter.optional("domains", "", "comma separated domains counted as ours in addition to James's domain list")),
        (parameters, environment) -> new SpoofedSenderCheck(environment.mailetContext(),
            parameters.list("domains").stream().map(d -> d.toLowerCase(Locale.ROOT)).collect(Collectors.toSet()),
            parameters.integer("score", -1000, 1000)));

    private final MailetContext context;
    private final Set<String> extraDomains;
    private final int score;

    public SpoofedSenderCheck(MailetContext context, Set<String> extraDomains, int score) {
        this.context = context;
        this.extraDomains = Set.copyOf(extraDomains);
        this.score = score;
    }

    @Override
    public List<Finding> evaluate(Mail mail) throws Exception {
        if (Direction.detect(mail) == Direction.OUTBOUND) {
            return List.of();
        }
        List<String> fromAddresses = new ArrayList<>();
        String[] fromHeaders = mail.getMessage().getHeader("From");
        if (fromHeaders != null) {
            for (String header : fromHeaders) {
                try {
                    for (InternetAddress address : InternetAddress.parseHeader(header, false)) {
                        if (address.getAddress() != null) {
                            fromAddresses.add(address.getAddress());
                        }
                    }
                } catch (javax.mail.internet.AddressException e) {
                    Domains.firstAddress(header).map(InternetAddress::getAddress).ifPresent(fromAddresses::add);
                }
            }
        }
        for (String address : fromAddresses) {
            Optional<String> domain = Domains.domainOf(address).filter(this::isOurs);
            if (domain.isPresent()) {
                return List.of(new Finding(score, "From address " + address + " claims our domain " + domain.get()
                    + " but the mail is neither authenticated nor from a relay network", RULE));
            }
        }
        if (mail.getMaybeSender().asOptional().isPresent()) {
            String sender = mail.getMaybeSender().get().asString();
            Optional<String> domain = Domains.domainOf(sender).filter(this::isOurs);
            if (domain.isPresent()) {
                return List.of(new Finding(score, "envelope sender " + sender + " claims our domain " + domain.get()
                    + " but the mail is neither authenticated nor from a relay network", RULE));
            }
        }
        return List.of();
    }

    private boolean isOurs(String domain) {
        if (extraDomains.contains(domain)) {
            return true;
        }
        try {
            return context.isLocalServer(Domain.of(domain));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
