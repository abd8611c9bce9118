package io.portcullis.quarantine;

/** Life of one quarantine entry (one recipient of one held message). */
public enum EntryState {
    /** In the area, waiting for an action or for expiry. */
    HELD,
    /** Release, retry or force committed; the copy is being (or was) put back into the mail flow. */
    DISPATCHING,
    RELEASED,
    RETRIED,
    FORCED,
    DELETED,
    DISCARDED;

    public boolean isTerminal() {
        return this != HELD && this != DISPATCHING;
    }
}
