package io.portcullis.tracking;

/**
 * Records tracking events in the gateway store. Every capability that acts on a message (quarantine, release,
 * delivery, reports) records what it did through this interface. {@link #record} returns once the event is
 * durable (implementations group-commit concurrent callers), so a crash never loses an acknowledged event.
 */
public interface MessageTracker {
    void record(TrackedEvent event);
}
