package io.portcullis.quarantine;

import java.time.Instant;
import java.util.Optional;

/**
 * Search of held entries. Every criterion is optional; {@code state} defaults to {@link EntryState#HELD}.
 * Recipient and sender are exact addresses (case-insensitive) or {@code @domain}; sender {@code <>} is the
 * null sender. {@code page} counts from 1.
 */
public record ListCriteria(Optional<String> recipient, Optional<String> area, Optional<String> sender,
                           Optional<Instant> from, Optional<Instant> to, Optional<EntryState> state, int page, int pageSize) {
    public static final int MAX_PAGE_SIZE = 300;

    public ListCriteria {
        if (page < 1) {
            throw new IllegalArgumentException("page must be 1 or more");
        }
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("pageSize must be between 1 and " + MAX_PAGE_SIZE);
        }
    }

    public static ListCriteria all() {
        return new ListCriteria(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), 1, 20);
    }

    public ListCriteria withRecipient(String value) {
        return new ListCriteria(Optional.of(value), area, sender, from, to, state, page, pageSize);
    }

    public ListCriteria withArea(String value) {
        return new ListCriteria(recipient, Optional.of(value), sender, from, to, state, page, pageSize);
    }

    public ListCriteria withState(EntryState value) {
        return new ListCriteria(recipient, area, sender, from, to, Optional.of(value), page, pageSize);
    }

    public ListCriteria withPage(int newPage, int newPageSize) {
        return new ListCriteria(recipient, area, sender, from, to, state, newPage, newPageSize);
    }
}
