package io.portcullis.scoring;

import org.apache.james.filesystem.api.FileSystem;
import org.apache.mailet.MailetContext;

import io.portcullis.dns.DnsLookupService;

/** The services a check may use, handed to its factory when {@link ScoreFilter} starts. */
public record CheckEnvironment(DnsLookupService dns, FileSystem fileSystem, MailetContext mailetContext) {
}
