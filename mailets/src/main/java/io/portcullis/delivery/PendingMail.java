package io.portcullis.delivery;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One message of the Pending log: still being worked on (in the spool), waiting for a retry or
 * undeliverable so far (in a delivery queue).
 */
public record PendingMail(String queue, String mailName, Optional<String> trackingId, String sender, List<String> recipients,
                          Optional<String> subject, Instant since, Optional<String> direction, int attempts,
                          Optional<Instant> nextAttempt, Optional<String> lastError, Optional<String> lastErrorExplanation,
                          String state) {
}
