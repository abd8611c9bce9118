package io.portcullis.quarantine;

import java.util.Locale;
import java.util.Optional;

import io.portcullis.tracking.EventType;

/** The three ways a held entry goes back into the mail flow. */
public enum DispatchAction {
    /** Deliver: re-inject after the filters (default processor {@code deliver}). */
    RELEASE(EntryState.RELEASED, EventType.RELEASED),
    /** Run the filters again (default processor {@code filter}). */
    RETRY(EntryState.RETRIED, EventType.REPROCESSED),
    /** Deliver ignoring the verdict: the copy carries {@code portcullis.forced} which stalling and Quarantine honour. */
    FORCE(EntryState.FORCED, EventType.RELEASED);

    private final EntryState done;
    private final EventType event;

    DispatchAction(EntryState done, EventType event) {
        this.done = done;
        this.event = event;
    }

    public EntryState done() {
        return done;
    }

    public EventType event() {
        return event;
    }

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<DispatchAction> parse(String value) {
        for (DispatchAction action : values()) {
            if (action.value().equalsIgnoreCase(value.trim())) {
                return Optional.of(action);
            }
        }
        return Optional.empty();
    }
}
