package io.portcullis.direction;

import java.util.Optional;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

import io.portcullis.mail.PortcullisAttributes;

/**
 * Which way a message travels. Outbound: sent by an SMTP-authenticated user or from a relay network
 * (the SMTP server's {@code authorizedAddresses}); inbound: everything else.
 */
public enum Direction {
    INBOUND, OUTBOUND;

    /** Set by James's SMTP server on mail from an authenticated session. */
    static final AttributeName SMTP_AUTH_USER = AttributeName.of("org.apache.james.SMTPAuthUser");
    /** Set by James's SMTP server on mail from a relay network. */
    static final AttributeName SMTP_AUTH_NETWORK = AttributeName.of("org.apache.james.SMTPIsAuthNetwork");

    public String value() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Optional<Direction> parse(String value) {
        for (Direction direction : values()) {
            if (direction.value().equalsIgnoreCase(value.trim())) {
                return Optional.of(direction);
            }
        }
        return Optional.empty();
    }

    /** What the SMTP session says about this mail. */
    public static Direction detect(Mail mail) {
        boolean authenticated = mail.getAttribute(SMTP_AUTH_USER).isPresent();
        boolean relayNetwork = mail.getAttribute(SMTP_AUTH_NETWORK)
            .map(attribute -> Boolean.TRUE.equals(attribute.getValue().value()) || "true".equals(String.valueOf(attribute.getValue().value())))
            .orElse(false);
        return authenticated || relayNetwork ? OUTBOUND : INBOUND;
    }

    /** The direction recorded on the mail by {@link SetDirection}, if any. */
    public static Optional<Direction> of(Mail mail) {
        return mail.getAttribute(PortcullisAttributes.DIRECTION)
            .map(attribute -> String.valueOf(attribute.getValue().value()))
            .flatMap(Direction::parse);
    }

    public Attribute asAttribute() {
        return new Attribute(PortcullisAttributes.DIRECTION, AttributeValue.of(value()));
    }
}
