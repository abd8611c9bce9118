package io.portcullis.quarantine;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A held message area ("message area"): its name, how long messages stay before they are discarded
 * (empty = never) and whether end users may release their own messages from it (threat: admin only).
 */
public record Area(String name, Optional<Duration> retention, boolean userRelease) {
    public static final String SPAM = "spam";
    public static final String THREAT = "threat";
    public static final String POLICY = "policy";
    public static final String STALLED = "stalled";

    public Area {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(retention, "retention");
    }
}
