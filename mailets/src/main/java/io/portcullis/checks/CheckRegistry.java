package io.portcullis.checks;

import java.util.List;
import java.util.Optional;

import io.portcullis.scoring.CheckDefinition;

/** Every check {@code ScoreFilter} can run, by the name given in {@code check=}. */
public final class CheckRegistry {
    public static final String ATTACHMENTS = "attachments";

    public static final List<CheckDefinition> ALL = List.of(
        DnsblCheck.DEFINITION,
        UriblCheck.DEFINITION,
        SenderDomainCheck.DEFINITION,
        SpfCheck.DEFINITION,
        DkimCheck.DEFINITION,
        DmarcCheck.DEFINITION,
        SpoofedSenderCheck.DEFINITION,
        ContentCheck.DEFINITION,
        AttachmentCheck.DEFINITION,
        PhishingCheck.DEFINITION,
        SizeCheck.DEFINITION,
        SpamAssassinCheck.DEFINITION);

    private CheckRegistry() {
    }

    public static List<String> names() {
        return ALL.stream().map(CheckDefinition::name).toList();
    }

    public static Optional<CheckDefinition> find(String name) {
        return ALL.stream().filter(d -> d.name().equalsIgnoreCase(name.trim())).findFirst();
    }
}
