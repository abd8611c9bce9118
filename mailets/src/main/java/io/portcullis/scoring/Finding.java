package io.portcullis.scoring;

import java.util.Objects;

/**
 * What one check found: points (may be 0 or negative), a sentence a person can read, and the rule's system
 * name (the tracking's reject-reason names where they exist, e.g. {@code spam:rbllookup}; {@code check:tempfail} when the check
 * could not run).
 */
public record Finding(int points, String reason, String rule) {
    public static final String TEMPFAIL = "check:tempfail";

    public Finding {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(rule, "rule");
    }

    /** A check that could not run: never passes silently, adds nothing to the score. */
    public static Finding couldNotRun(String reason) {
        return new Finding(0, reason, TEMPFAIL);
    }

    /** The reason as recorded on the mail: {@code "<reason>: +40"}. */
    public String describe() {
        return reason + ": " + (points >= 0 ? "+" : "") + points;
    }
}
