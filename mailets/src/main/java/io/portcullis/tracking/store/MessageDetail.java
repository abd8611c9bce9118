package io.portcullis.tracking.store;

import java.util.List;

/** A message and its events, oldest first. */
public record MessageDetail(TrackedMessage message, List<StoredEvent> events) {
}
