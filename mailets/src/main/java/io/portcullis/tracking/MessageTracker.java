package io.portcullis.tracking;

/**
 * Records tracking events in the gateway store. Every capability that acts on a message (quarantine, release,
 * delivery, reports) records what it did through this interface. {@link #record} returns once the event is
 * durable (implementations group-commit concurrent callers), so a crash never loses an acknowledged event;
 * when it cannot be made durable, {@link TrackingException} is thrown.
 */
public interface MessageTracker {
    void record(TrackedEvent event);

    /**
     * Records an event together with what is known of the message, used when the store does not know the
     * tracking id yet (the first event of a message creates its row from {@code message}). Implementations that
     * keep no message information may ignore {@code message}.
     */
    default void record(TrackedEvent event, MessageInfo message) {
        record(event);
    }
}
