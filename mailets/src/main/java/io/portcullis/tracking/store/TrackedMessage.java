package io.portcullis.tracking.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.portcullis.tracking.EventType;
import io.portcullis.tracking.MessageStatus;

/**
 * One message as the tracking store knows it (a search result line, or the upper panel of the detail page).
 *
 * @param sender     the sender address, {@code <>} for the null sender
 * @param recipients in search results the recipients as stored for display (possibly truncated); in the
 *                   detail, the full list
 * @param lastEvent  the most recent event
 */
public record TrackedMessage(String trackingId, Instant firstSeen, Instant lastUpdate, String node, String sender,
                             List<String> recipients, Optional<String> subject, Optional<String> messageId,
                             Optional<String> sendingHost, Optional<String> sendingIp, Optional<String> helo,
                             Optional<Long> size, List<String> attachments, String messageSecurity, boolean tls,
                             Optional<String> authUser, MessageStatus status, String action, Optional<String> outcome,
                             Optional<String> rejectReason, Optional<EventType> lastEvent) {
}
