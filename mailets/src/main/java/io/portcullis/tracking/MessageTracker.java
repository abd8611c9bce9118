package io.portcullis.tracking;

import java.util.concurrent.CompletableFuture;

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

    /**
     * Queues an event whose fact the caller has already made durable in the gateway store as {@code entry} (an
     * outbox row), and returns without waiting for the event's commit. The event is stored in the same transaction
     * that takes the entry, and not at all if the entry is already taken, so replaying the entries left by a crash
     * never stores an event twice. The future completes when the event is committed (or skipped), exceptionally when
     * it could not be; the entry then stays, for the caller to replay.
     *
     * <p>Trackers without a gateway store (test doubles) record the event at once and leave the entry alone.
     */
    default CompletableFuture<Void> recordQueued(TrackedEvent event, OutboxEntry entry) {
        try {
            record(event);
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
