package io.portcullis.tracking.store;

import java.time.Instant;
import java.util.Map;

import io.portcullis.tracking.EventType;

/** An event as stored: {@code info} keeps the insertion order of its additional information. */
public record StoredEvent(long id, Instant at, EventType type, Map<String, String> info) {
}
