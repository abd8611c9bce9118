package io.portcullis.tracking;

import java.util.Map;
import java.util.Optional;

/**
 * How an event changes the current status of its message (the status icons of the tracking view). Events that only
 * document something (viewed, expiry set, a copy sent) leave the status as it is.
 */
public final class StatusRules {
    private StatusRules() {
    }

    /** The status after {@code type}; empty when the event does not change it. */
    public static Optional<MessageStatus> statusAfter(EventType type, Map<String, String> info) {
        switch (type) {
            case RECEIVED_BY_MTA:
            case ACCEPTED:
            case ACCEPTED_FOR_OUTBOUND:
            case SUCCESSFULLY_PROCESSED:
            case RELEASED:
            case REPROCESSED:
                return Optional.of(MessageStatus.PROCESSING);
            case REJECTED:
                return Optional.of(MessageStatus.REJECTED);
            case HELD:
            case PLACED_IN_PROBLEM_AREA:
                return Optional.of(MessageStatus.HELD);
            case DELETED:
            case MARKED_FOR_DELETION:
                return Optional.of(MessageStatus.DELETED);
            case DISCARDED:
            case MESSAGE_DISCARDED:
            case FINISHED_DELIVERY_ATTEMPTS:
            case NON_DELIVERED:
            case NOTIFY_SENDER:
                return Optional.of(MessageStatus.BLOCKED);
            case DELIVERED:
            case DELIVERED_LOCALLY:
                return Optional.of(MessageStatus.DELIVERED);
            case DELIVERY_FAILED:
                return Optional.of("false".equalsIgnoreCase(info.getOrDefault(TrackingInfo.RETRY, "true").trim())
                    ? MessageStatus.BLOCKED : MessageStatus.DEFERRED);
            case SPLIT:
                return Optional.of(MessageStatus.SPLIT);
            case USER_RELEASE:
            case USER_DELETE:
                return Optional.of(MessageStatus.USER_ACTION);
            default:
                return Optional.empty();
        }
    }
}
