package io.portcullis.report.render;

import java.util.Map;

import io.portcullis.quarantine.QuarantineEntry;

/**
 * One held message in a report with its action links, keyed by action label ("release", "request release",
 * "delete", "always allow sender").
 */
public record ReportItem(QuarantineEntry entry, Map<String, String> links) {
    public ReportItem {
        links = Map.copyOf(links);
    }
}
