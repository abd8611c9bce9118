package io.portcullis.tracking;

import java.util.Arrays;
import java.util.Optional;

/**
 * Message events, named as in the message tracking seed (004) where they apply to this gateway. The
 * {@link #label()} is what administrators see; the enum name is the stable identifier stored and used in
 * {@code mailetcontainer.xml} ({@code <event>HELD</event>} or {@code <event>Held</event>} both work).
 */
public enum EventType {
    RECEIVED_BY_MTA("Received by MTA"),
    ACCEPTED("Accepted"),
    REJECTED("Rejected"),
    HELD("Held"),
    RELEASED("Released from message area"),
    DELETED("Deleted from message area"),
    MARKED_FOR_DELETION("Marked for deletion from message area"),
    EXPIRY_SET("Expiry time set"),
    DISCARDED("Discarded"),
    MESSAGE_DISCARDED("Message discarded"),
    DELIVERED("Delivered to destination SMTP server"),
    DELIVERED_LOCALLY("Delivered to local mailbox"),
    DELIVERY_FAILED("Delivery failed to destination SMTP server"),
    FINISHED_DELIVERY_ATTEMPTS("Finished delivery attempts"),
    NON_DELIVERED("Non-delivered"),
    NOTIFY_SENDER("Notify sender about unreachable recipients"),
    ACCEPTED_FOR_OUTBOUND("Accepted for processing by SMTP outbound transport service"),
    SPLIT("Split into multiple messages"),
    VIEWED("Viewed in message area"),
    VIEWED_BODY("Viewed message body"),
    VIEWED_RAW("Viewed raw message"),
    DOWNLOADED_ATTACHMENT("Downloaded attachment"),
    FORWARDED("Forwarded from message area"),
    REPROCESSED("Reprocessed from message area"),
    SEND_COPY_BCC("Send a copy (BCC)"),
    PLACED_IN_PROBLEM_AREA("Placed in problem message area"),
    SUCCESSFULLY_PROCESSED("Successfully processed"),
    USER_RELEASE("PMM Release"),
    USER_DELETE("PMM Delete"),
    REPORT_REQUESTED("Quarantine report requested");

    private final String label;

    EventType(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Parses an enum name or a label, case-insensitively. */
    public static Optional<EventType> parse(String value) {
        String trimmed = value.trim();
        return Arrays.stream(values())
            .filter(t -> t.name().equalsIgnoreCase(trimmed) || t.label.equalsIgnoreCase(trimmed))
            .findFirst();
    }
}
