package io.portcullis.quarantine;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Metadata of a held message, shared by its per-recipient entries.
 *
 * @param sender empty string for the null sender ({@code <>})
 */
public record HeldMessage(String messageId, String mailName, String trackingId, String sender, Optional<String> subject,
                          String area, Optional<Integer> score, List<String> reasons, List<String> triggeredRules,
                          Optional<String> direction, Optional<String> messageSecurity, Optional<String> unscannableReason,
                          Instant arrival, long size) {
    public HeldMessage {
        Objects.requireNonNull(messageId);
        Objects.requireNonNull(mailName);
        Objects.requireNonNull(trackingId);
        Objects.requireNonNull(sender);
        Objects.requireNonNull(area);
        reasons = List.copyOf(reasons);
        triggeredRules = List.copyOf(triggeredRules);
    }
}
