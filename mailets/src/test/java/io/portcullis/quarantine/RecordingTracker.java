package io.portcullis.quarantine;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import io.portcullis.tracking.EventType;
import io.portcullis.tracking.MessageTracker;
import io.portcullis.tracking.TrackedEvent;

/** Keeps the recorded events in memory (unit tests of the quarantine only; the real tracker is in the tracking capability). */
public class RecordingTracker implements MessageTracker {
    private final List<TrackedEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void record(TrackedEvent event) {
        events.add(event);
    }

    public List<TrackedEvent> events() {
        return List.copyOf(events);
    }

    public List<EventType> types(String trackingId) {
        return events.stream().filter(e -> e.trackingId().equals(trackingId)).map(TrackedEvent::type).collect(Collectors.toList());
    }

    public List<TrackedEvent> of(EventType type) {
        return events.stream().filter(e -> e.type() == type).collect(Collectors.toList());
    }
}
