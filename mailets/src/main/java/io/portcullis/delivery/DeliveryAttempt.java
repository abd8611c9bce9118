package io.portcullis.delivery;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One attempt to hand a message to a receiving server, as the Delivery log shows it.
 *
 * @param host  the server's name as tried (the configured downstream / smarthost, or the MX), if known
 * @param ip    the address connected to, if a connection was made
 * @param tls   whether the conversation was protected by TLS (STARTTLS accepted, or SMTPS)
 * @param reply the remote reply (or the local error when no reply came, e.g. connection refused)
 */
public record DeliveryAttempt(long id, Instant at, Optional<String> trackingId, String mailName, String sender,
                              List<String> recipients, int attemptNumber, Optional<String> host, Optional<String> ip,
                              Tls tls, SmtpReply reply, Outcome outcome) {
    public DeliveryAttempt {
        Objects.requireNonNull(at);
        recipients = List.copyOf(recipients);
    }

    public enum Outcome {
        DELIVERED, DEFERRED, FAILED;

        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<Outcome> parse(String value) {
            for (Outcome outcome : values()) {
                if (outcome.value().equalsIgnoreCase(value.trim())) {
                    return Optional.of(outcome);
                }
            }
            return Optional.empty();
        }
    }

    /** TLS of the conversation; {@code UNKNOWN} when no conversation was observed. */
    public enum Tls {
        YES, NO, UNKNOWN;

        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The failure reason in words, next to the raw reply. */
    public String explanation() {
        return FailureReasons.explain(reply);
    }
}
