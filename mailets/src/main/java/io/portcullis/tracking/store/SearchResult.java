package io.portcullis.tracking.store;

import java.util.List;

/**
 * One page of a search, newest first, with the total number of matching messages. {@code totalIsLowerBound}:
 * the count stopped at a cap (subject "contains" searches, {@link TrackingDao#SUBJECT_COUNT_CAP}); there are at
 * least {@code total} matches.
 */
public record SearchResult(long total, boolean totalIsLowerBound, int page, int pageSize, List<TrackedMessage> messages) {
    public SearchResult(long total, int page, int pageSize, List<TrackedMessage> messages) {
        this(total, false, page, pageSize, messages);
    }
}
