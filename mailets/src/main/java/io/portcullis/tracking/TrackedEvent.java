package io.portcullis.tracking;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One step in the life of a message.
 *
 * @param trackingId the message's tracking id (attribute {@code portcullis.trackingId})
 * @param type       what happened
 * @param at         when
 * @param info       the additional information shown with the event, keyed by its label
 *                   ("Held area", "Recipients", "Sending Host", "Triggered Rules", "Actioned by", ...)
 */
public record TrackedEvent(String trackingId, EventType type, Instant at, Map<String, String> info) {
    public TrackedEvent {
        Objects.requireNonNull(trackingId, "trackingId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(at, "at");
        info = Map.copyOf(info);
    }
}
