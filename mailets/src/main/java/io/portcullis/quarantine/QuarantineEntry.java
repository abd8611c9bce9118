package io.portcullis.quarantine;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** One recipient of one held message: what is listed, released, deleted and expires. */
public record QuarantineEntry(String entryId, HeldMessage message, String recipient, EntryState state,
                             Optional<Instant> expiry, Instant stateChanged, Optional<DispatchAction> dispatchAction,
                             Optional<String> dispatchProcessor, Optional<String> dispatchedCopy, Optional<String> actionedBy) {
    public QuarantineEntry {
        Objects.requireNonNull(entryId);
        Objects.requireNonNull(message);
        Objects.requireNonNull(recipient);
        Objects.requireNonNull(state);
    }
}
