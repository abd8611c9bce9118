package io.portcullis.lists;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

import io.portcullis.mail.PortcullisAttributes;

/**
 * What an allow or block list decided for a message, recorded in {@code portcullis.listDecision}, and which
 * scoring checks it spares: a blocked message is scored by nothing but {@code check=attachments} (it is junk
 * already, threats are still looked for); an allowed message skips only the reputation checks of the sending
 * server and domain ({@value #REPUTATION_CHECKS_DOC}): the allow was authenticated, but content, links,
 * phishing and attachments are still examined, since a trusted partner's account can be stolen.
 */
public enum ListDecision {
    ALLOW, BLOCK;

    static final String REPUTATION_CHECKS_DOC = "dnsbl, senderdomain, spoofing";
    /** Checks an allowed message skips. */
    public static final Set<String> SKIPPED_WHEN_ALLOWED = Set.of("dnsbl", "senderdomain", "spoofing");
    /** The one check a blocked message still gets. */
    public static final String RUN_WHEN_BLOCKED = "attachments";

    /** Whether a message with this decision skips the check of that name. */
    public boolean skips(String checkName) {
        return this == BLOCK ? !checkName.equals(RUN_WHEN_BLOCKED) : SKIPPED_WHEN_ALLOWED.contains(checkName);
    }

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ListDecision> of(Mail mail) {
        return mail.getAttribute(PortcullisAttributes.LIST_DECISION)
            .map(attribute -> String.valueOf(attribute.getValue().value()))
            .flatMap(ListDecision::parse);
    }

    public static Optional<ListDecision> parse(String value) {
        for (ListDecision decision : values()) {
            if (decision.value().equalsIgnoreCase(value.trim())) {
                return Optional.of(decision);
            }
        }
        return Optional.empty();
    }

    public Attribute asAttribute() {
        return new Attribute(PortcullisAttributes.LIST_DECISION, AttributeValue.of(value()));
    }
}
