package io.portcullis.tracking;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The durable record behind an event queued with {@link MessageTracker#recordQueued}: a row in the gateway store
 * that says the event is still owed (for delivered mail, a row of {@code portcullis_delivery_untracked}). The
 * tracking store takes it in the transaction that stores the event, so the event and the removal of its entry are
 * committed together or not at all; an entry already taken means its event was stored before, and it is not stored
 * again. This is what lets a caller make a fact durable with one small commit and not wait for the group commit.
 */
@FunctionalInterface
public interface OutboxEntry {
    /**
     * Removes the entry, in the transaction of {@code connection}. Returns false when it is already gone (the
     * event is then skipped).
     */
    boolean take(Connection connection) throws SQLException;
}
