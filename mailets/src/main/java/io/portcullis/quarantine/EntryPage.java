package io.portcullis.quarantine;

import java.util.List;

/** One page of a search, newest first, with the total number of matching entries. */
public record EntryPage(int page, int pageSize, long total, List<QuarantineEntry> entries) {
    public EntryPage {
        entries = List.copyOf(entries);
    }
}
