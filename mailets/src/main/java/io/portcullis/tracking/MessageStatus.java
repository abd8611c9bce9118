package io.portcullis.tracking;

/** Current status of a tracked message (the status icons of the tracking view). */
public enum MessageStatus {
    PROCESSING, DELIVERED, REJECTED, SPLIT, DEFERRED, BLOCKED, DELETED, HELD, USER_ACTION
}
