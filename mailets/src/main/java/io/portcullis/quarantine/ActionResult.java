package io.portcullis.quarantine;

import java.util.Optional;

/**
 * What an action did to one entry.
 *
 * @param outcome     DONE (this call did it), ALREADY_DONE (an earlier identical action did: nothing sent twice),
 *                    NOT_FOUND, CONFLICT (the entry is in a state where the action makes no sense, e.g. release after delete)
 * @param newMailName name of the mail this call put back into the flow (release, retry, force, forward)
 */
public record ActionResult(String entryId, Outcome outcome, Optional<EntryState> state, Optional<String> newMailName,
                           Optional<String> message) {
    public enum Outcome {
        DONE, ALREADY_DONE, NOT_FOUND, CONFLICT
    }

    static ActionResult notFound(String entryId) {
        return new ActionResult(entryId, Outcome.NOT_FOUND, Optional.empty(), Optional.empty(), Optional.of("no quarantine entry " + entryId));
    }
}
