package io.portcullis.lists;

import java.util.Locale;
import java.util.Optional;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

import io.portcullis.mail.PortcullisAttributes;

/** What an allow or block list decided for a message, recorded in {@code portcullis.listDecision}. */
public enum ListDecision {
    ALLOW, BLOCK;

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
