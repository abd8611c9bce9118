package io.portcullis.tracking;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the tracking store keeps about a message (its "Message Information"), captured when the message
 * is first seen. An event for a tracking id the store does not know yet creates the message row from this.
 *
 * @param sender          the envelope sender; empty for the null sender {@code <>}
 * @param recipients      envelope recipients
 * @param messageSecurity {@code pgp}, {@code smime}, {@code password} or {@code none}
 * @param tls             true when the message arrived over TLS
 */
public record MessageInfo(Optional<String> sender, List<String> recipients, Optional<String> subject,
                          Optional<String> messageId, Optional<String> sendingHost, Optional<String> sendingIp,
                          Optional<String> helo, Optional<Long> size, List<String> attachments,
                          String messageSecurity, boolean tls, Optional<String> authUser) {
    public static final List<String> MESSAGE_SECURITIES = List.of("pgp", "smime", "password", "none");

    public MessageInfo {
        Objects.requireNonNull(sender, "sender");
        recipients = List.copyOf(recipients);
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(sendingHost, "sendingHost");
        Objects.requireNonNull(sendingIp, "sendingIp");
        Objects.requireNonNull(helo, "helo");
        Objects.requireNonNull(size, "size");
        attachments = List.copyOf(attachments);
        Objects.requireNonNull(authUser, "authUser");
        if (!MESSAGE_SECURITIES.contains(messageSecurity)) {
            throw new IllegalArgumentException("messageSecurity '" + messageSecurity + "': expected one of " + MESSAGE_SECURITIES);
        }
    }

    /** Nothing known (the store fills in what the event's additional information carries). */
    public static MessageInfo unknown() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private Optional<String> sender = Optional.empty();
        private List<String> recipients = List.of();
        private Optional<String> subject = Optional.empty();
        private Optional<String> messageId = Optional.empty();
        private Optional<String> sendingHost = Optional.empty();
        private Optional<String> sendingIp = Optional.empty();
        private Optional<String> helo = Optional.empty();
        private Optional<Long> size = Optional.empty();
        private List<String> attachments = List.of();
        private String messageSecurity = "none";
        private boolean tls;
        private Optional<String> authUser = Optional.empty();

        public Builder sender(Optional<String> value) {
            sender = value;
            return this;
        }

        public Builder sender(String value) {
            return sender(Optional.ofNullable(value).filter(s -> !s.isBlank()));
        }

        public Builder recipients(List<String> value) {
            recipients = value;
            return this;
        }

        public Builder subject(String value) {
            subject = Optional.ofNullable(value);
            return this;
        }

        public Builder messageId(String value) {
            messageId = Optional.ofNullable(value);
            return this;
        }

        public Builder sendingHost(String value) {
            sendingHost = Optional.ofNullable(value);
            return this;
        }

        public Builder sendingIp(String value) {
            sendingIp = Optional.ofNullable(value);
            return this;
        }

        public Builder helo(String value) {
            helo = Optional.ofNullable(value);
            return this;
        }

        public Builder size(Long value) {
            size = Optional.ofNullable(value);
            return this;
        }

        public Builder attachments(List<String> value) {
            attachments = value;
            return this;
        }

        public Builder messageSecurity(String value) {
            messageSecurity = value;
            return this;
        }

        public Builder tls(boolean value) {
            tls = value;
            return this;
        }

        public Builder authUser(String value) {
            authUser = Optional.ofNullable(value);
            return this;
        }

        public MessageInfo build() {
            return new MessageInfo(sender, recipients, subject, messageId, sendingHost, sendingIp, helo, size, attachments,
                messageSecurity, tls, authUser);
        }
    }
}
