package io.portcullis.delivery;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.portcullis.tracking.EventType;
import io.portcullis.tracking.MessageTracker;
import io.portcullis.tracking.TrackedEvent;

/** Keeps the tracking events in memory for assertions (the tracking store is another capability's). */
final class RecordingTracker implements MessageTracker {
    private final List<TrackedEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void record(TrackedEvent event) {
        events.add(event);
    }

    List<TrackedEvent> events() {
        return List.copyOf(events);
    }

    List<EventType> typesOf(String trackingId) {
        return events.stream().filter(event -> event.trackingId().equals(trackingId)).map(TrackedEvent::type).toList();
    }
}
