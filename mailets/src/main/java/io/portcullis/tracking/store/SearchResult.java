package io.portcullis.tracking.store;

import java.util.List;

/** One page of a search, newest first, with the total number of matching messages. */
public record SearchResult(long total, int page, int pageSize, List<TrackedMessage> messages) {
}
