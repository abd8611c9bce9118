package io.portcullis.tracking;

/**
 * Keys of the additional information of an event ({@link TrackedEvent#info()}), the labels an administrator sees.
 * Components use these constants so that the administrator sees one vocabulary.
 */
public final class TrackingInfo {
    public static final String ACTIONED_BY = "Actioned by";
    public static final String ADDRESS_ROUTE = "Address Route";
    public static final String ATTACHMENTS = "Attachments";
    public static final String DELIVERY_FAILED = "Delivery failed";
    public static final String HELD_AREA = "Held area";
    public static final String HOSTNAME = "Hostname";
    public static final String NEW_MESSAGE_ID = "New MessageID";
    public static final String RECIPIENTS = "Recipients";
    public static final String SENDING_HOST = "Sending Host";
    public static final String SMTP_AUTH = "SMTP Auth";
    public static final String THREATS_FOUND = "Threats Found";
    public static final String TRANSPORT_SECURITY = "Transport Security";
    public static final String TRIGGERED_RULES = "Triggered Rules";
    public static final String USER = "User";
    /** System name of a {@link RejectReason} (REJECTED events); also sets the message's reject reason. */
    public static final String REJECT_REASON = "Reject Reason";
    /** The SMTP reply sent with a refusal, e.g. {@code 550 5.7.1 Requested action not taken: relaying denied}. */
    public static final String SMTP_RESPONSE = "SMTP Response";
    /** Free text given by the administrator in {@code mailetcontainer.xml} ({@code TrackEvent}'s {@code info}). */
    public static final String DETAILS = "Details";
    /** Readable reasons of the score ({@code portcullis.reasons}). */
    public static final String REASONS = "Reasons";
    /** On DELIVERY_FAILED: {@code true} when another attempt follows (status deferred), {@code false} when final. */
    public static final String RETRY = "Retry";

    private TrackingInfo() {
    }
}
