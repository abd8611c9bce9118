package io.portcullis.checks;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.mail.internet.InternetAddress;

import org.apache.mailet.Mail;

import io.portcullis.config.Parameter;
import io.portcullis.scoring.Check;
import io.portcullis.scoring.CheckDefinition;
import io.portcullis.scoring.Finding;

/**
 * {@code check=phishing}: two heuristics, rule {@code spam:suspectedphishingemail}. A link whose text shows one
 * domain while it goes to another ("link text shows www.bank.example but the link goes to evil.example: +50"),
 * and a From display name holding an address other than the sender's ("display name "support@bank.example"
 * hides the sender address evil@bad.example: +40"). Domains are compared by registered domain, so
 * {@code www.bank.example} and {@code login.bank.example} match.
 */
public final class PhishingCheck implements Check {
    public static final String RULE = "spam:suspectedphishingemail";
    private static final int MAX_LINK_FINDINGS = 3;
    private static final Pattern DOMAIN_IN_TEXT = Pattern.compile(
        "(?i)^(?:https?://)?((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,})(?:[/:?#].*)?$");
    private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}");

    public static final CheckDefinition DEFINITION = new CheckDefinition("phishing",
        "Links whose text shows another domain than their target; display names holding another address",
        List.of(
            Parameter.optional("scoreLinkMismatch", "50", "points for each link (at most 3) whose text shows a domain other than the one it goes to"),
            Parameter.optional("scoreDisplayName", "40", "points when the From display name holds an address other than the sender's")),
        (parameters, environment) -> new PhishingCheck(parameters.integer("scoreLinkMismatch", -1000, 1000),
            parameters.integer("scoreDisplayName", -1000, 1000)));

    private final int scoreLinkMismatch;
    private final int scoreDisplayName;

    public PhishingCheck(int scoreLinkMismatch, int scoreDisplayName) {
        this.scoreLinkMismatch = scoreLinkMismatch;
        this.scoreDisplayName = scoreDisplayName;
    }

    /** The domain a link text shows ({@code www.bank.example}, {@code https://bank.example/login}), lower case. */
    static Optional<String> domainInText(String text) {
        String trimmed = text.trim();
        if (!mayShowDomain(trimmed)) {
            return Optional.empty();
        }
        Matcher shown = DOMAIN_IN_TEXT.matcher(trimmed);
        return shown.matches() ? Optional.of(shown.group(1).toLowerCase(Locale.ROOT)) : Optional.empty();
    }

    /**
     * A quick test {@link #DOMAIN_IN_TEXT} can only pass: its domain (or the {@code http} of its scheme) starts the text
     * and is made of ASCII letters, digits, dots and dashes up to the end or to one of {@code / : ? #}. Link texts such
     * as "Read more on www.bank.example" fail it at their first space, without running the pattern.
     */
    private static boolean mayShowDomain(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-')) {
                return c == '/' || c == ':' || c == '?' || c == '#';
            }
        }
        return true;
    }

    @Override
    public List<Finding> evaluate(Mail mail) throws Exception {
        List<Finding> findings = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (MessageContent.Link link : MessageContent.of(mail).links()) {
            if (link.text().isEmpty() || findings.size() >= MAX_LINK_FINDINGS) {
                continue;
            }
            Optional<String> shown = domainInText(link.text());
            if (shown.isEmpty()) {
                continue;
            }
            Optional<String> target = MessageContent.host(link.href());
            if (target.isEmpty()) {
                continue;
            }
            String shownHost = shown.get();
            if (!Domains.registeredDomain(shownHost).equals(Domains.registeredDomain(target.get()))
                    && seen.add(shownHost + " " + target.get())) {
                findings.add(new Finding(scoreLinkMismatch, "link text shows " + shownHost + " but the link goes to " + target.get(), RULE));
            }
        }
        String[] from = mail.getMessage().getHeader("From");
        if (from != null && from.length > 0) {
            Optional<InternetAddress> address = Domains.firstAddress(from[0]);
            if (address.isPresent() && address.get().getPersonal() != null && address.get().getAddress() != null) {
                Matcher inName = ADDRESS.matcher(address.get().getPersonal());
                if (inName.find() && !inName.group().equalsIgnoreCase(address.get().getAddress())) {
                    findings.add(new Finding(scoreDisplayName, "display name \"" + address.get().getPersonal()
                        + "\" hides the sender address " + address.get().getAddress(), RULE));
                }
            }
        }
        return findings;
    }
}
