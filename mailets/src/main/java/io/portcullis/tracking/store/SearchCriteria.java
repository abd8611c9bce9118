package io.portcullis.tracking.store;

import java.time.Instant;
import java.util.Optional;

import io.portcullis.tracking.MessageStatus;
import io.portcullis.tracking.RejectReason;

/**
 * A message tracking search. Every criterion is optional; present ones are combined with
 * AND. Values are already validated (see {@code TrackingQuery}, which builds them from the route parameters).
 *
 * @param sender            an address, {@code @domain}, or {@code <>} for the null sender
 * @param recipient         an address or {@code @domain}
 * @param subjectContains   text the subject contains (case-insensitive)
 * @param sendingHost       host name or IP address of the sending host
 * @param attachment        an attachment file name (case-insensitive, exact)
 * @param messageSecurity   pgp, smime, password, none, or {@code any} for any encrypted
 * @param tls               true: came over TLS; false: did not
 * @param action            accepted or rejected ({@code any} = empty)
 * @param from              first seen at or after (inclusive)
 * @param to                first seen before (exclusive)
 */
public record SearchCriteria(Optional<String> sender, Optional<String> recipient, Optional<String> subjectContains,
                             Optional<String> sendingHost, Optional<String> attachment, Optional<RejectReason> rejectReason,
                             Optional<String> messageSecurity, Optional<Boolean> tls, Optional<String> action,
                             Optional<Instant> from, Optional<Instant> to, Optional<String> node,
                             Optional<MessageStatus> status) {
    public static final String NULL_SENDER = "<>";

    public static SearchCriteria all() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private Optional<String> sender = Optional.empty();
        private Optional<String> recipient = Optional.empty();
        private Optional<String> subjectContains = Optional.empty();
        private Optional<String> sendingHost = Optional.empty();
        private Optional<String> attachment = Optional.empty();
        private Optional<RejectReason> rejectReason = Optional.empty();
        private Optional<String> messageSecurity = Optional.empty();
        private Optional<Boolean> tls = Optional.empty();
        private Optional<String> action = Optional.empty();
        private Optional<Instant> from = Optional.empty();
        private Optional<Instant> to = Optional.empty();
        private Optional<String> node = Optional.empty();
        private Optional<MessageStatus> status = Optional.empty();

        public Builder sender(String value) {
            sender = Optional.of(value);
            return this;
        }

        public Builder recipient(String value) {
            recipient = Optional.of(value);
            return this;
        }

        public Builder subjectContains(String value) {
            subjectContains = Optional.of(value);
            return this;
        }

        public Builder sendingHost(String value) {
            sendingHost = Optional.of(value);
            return this;
        }

        public Builder attachment(String value) {
            attachment = Optional.of(value);
            return this;
        }

        public Builder rejectReason(RejectReason value) {
            rejectReason = Optional.of(value);
            return this;
        }

        public Builder messageSecurity(String value) {
            messageSecurity = Optional.of(value);
            return this;
        }

        public Builder tls(boolean value) {
            tls = Optional.of(value);
            return this;
        }

        public Builder action(String value) {
            action = Optional.of(value);
            return this;
        }

        public Builder from(Instant value) {
            from = Optional.of(value);
            return this;
        }

        public Builder to(Instant value) {
            to = Optional.of(value);
            return this;
        }

        public Builder node(String value) {
            node = Optional.of(value);
            return this;
        }

        public Builder status(MessageStatus value) {
            status = Optional.of(value);
            return this;
        }

        public SearchCriteria build() {
            return new SearchCriteria(sender, recipient, subjectContains, sendingHost, attachment, rejectReason,
                messageSecurity, tls, action, from, to, node, status);
        }
    }
}
