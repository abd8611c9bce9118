package io.portcullis.checks;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

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
    /** How much of a From display name (characters) is searched for an address. */
    public static final int MAX_DISPLAY_NAME = 256;

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

    /**
     * The domain a link text shows ({@code www.bank.example}, {@code https://bank.example/login}), lower case: what
     * {@code (?i)^(?:https?://)?((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,})(?:[/:?#].*)?$} captures of the trimmed
     * text, read by a scanner in one pass (the expression backtracks over the labels of a long text).
     */
    static Optional<String> domainInText(String text) {
        String trimmed = text.trim();
        int length = trimmed.length();
        int start = 0;
        if (startsWithAsciiIgnoreCase(trimmed, "http://")) {
            start = 7;
        } else if (startsWithAsciiIgnoreCase(trimmed, "https://")) {
            start = 8;
        }
        int end = start;
        while (end < length && isDomainCharacter(trimmed.charAt(end))) {
            end++;
        }
        if (end < length) {
            char stop = trimmed.charAt(end);
            if (stop != '/' && stop != ':' && stop != '?' && stop != '#') {
                return Optional.empty();
            }
            for (int i = end + 1; i < length; i++) {
                char c = trimmed.charAt(i);
                if (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
                    return Optional.empty();
                }
            }
        }
        String domain = trimmed.substring(start, end);
        return isShownDomain(domain) ? Optional.of(domain.toLowerCase(Locale.ROOT)) : Optional.empty();
    }

    /** {@code prefix} (lower case) in ASCII letters of any case: what {@code (?i)} without {@code (?u)} compares. */
    private static boolean startsWithAsciiIgnoreCase(String text, String prefix) {
        if (text.length() < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            char c = text.charAt(i);
            if ((c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDomainCharacter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-';
    }

    private static boolean isLetterOrDigit(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }

    private static boolean isLetter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    /**
     * Whether {@code domain} (ASCII letters, digits, dots and dashes) is two or more labels, each but the last starting
     * and ending with a letter or digit, the last two or more letters.
     */
    private static boolean isShownDomain(String domain) {
        int lastDot = domain.lastIndexOf('.');
        if (lastDot < 1 || domain.length() - lastDot - 1 < 2) {
            return false;
        }
        for (int i = lastDot + 1; i < domain.length(); i++) {
            if (!isLetter(domain.charAt(i))) {
                return false;
            }
        }
        int labelStart = 0;
        for (int i = 0; i <= lastDot; i++) {
            if (domain.charAt(i) == '.') {
                if (i == labelStart || !isLetterOrDigit(domain.charAt(labelStart)) || !isLetterOrDigit(domain.charAt(i - 1))) {
                    return false;
                }
                labelStart = i + 1;
            }
        }
        return true;
    }

    /**
     * The first address in a display name, read from its first {@value #MAX_DISPLAY_NAME} characters: what
     * {@code [A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}} finds first, read by a scanner in one pass.
     */
    static Optional<String> addressInName(String name) {
        String text = name.length() > MAX_DISPLAY_NAME ? name.substring(0, MAX_DISPLAY_NAME) : name;
        int length = text.length();
        int localStart = 0;
        for (int at = 0; at < length; at++) {
            char c = text.charAt(at);
            if (c == '@') {
                if (at > localStart) {
                    int domainEnd = at + 1;
                    while (domainEnd < length && isDomainCharacter(text.charAt(domainEnd))) {
                        domainEnd++;
                    }
                    // the last dot of the domain run with at least one character before it (after the @) and two letters after it
                    for (int dot = domainEnd - 3; dot >= at + 2; dot--) {
                        if (text.charAt(dot) == '.' && isLetter(text.charAt(dot + 1)) && isLetter(text.charAt(dot + 2))) {
                            int end = dot + 3;
                            while (end < domainEnd && isLetter(text.charAt(end))) {
                                end++;
                            }
                            return Optional.of(text.substring(localStart, end));
                        }
                    }
                }
                localStart = at + 1;
            } else if (!(isLetterOrDigit(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-')) {
                localStart = at + 1;
            }
        }
        return Optional.empty();
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
                Optional<String> inName = addressInName(address.get().getPersonal());
                if (inName.isPresent() && !inName.get().equalsIgnoreCase(address.get().getAddress())) {
                    findings.add(new Finding(scoreDisplayName, "display name \"" + address.get().getPersonal()
                        + "\" hides the sender address " + address.get().getAddress(), RULE));
                }
            }
        }
        return findings;
    }
}
