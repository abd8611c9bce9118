package io.portcullis.config;

import java.util.Objects;
import java.util.Optional;

/**
 * One documented parameter of a mailet or matcher. The same objects drive validation in {@code init()} and the
 * user documentation (the README tables are checked against them by a test), so docs and code cannot drift.
 *
 * @param name         the parameter name as written in {@code mailetcontainer.xml}
 * @param defaultValue the default, or empty when the parameter is required
 * @param description  one sentence for the administrator, including what values are allowed
 */
public record Parameter(String name, Optional<String> defaultValue, String description) {
    public Parameter {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(defaultValue, "defaultValue");
        Objects.requireNonNull(description, "description");
    }

    public static Parameter required(String name, String description) {
        return new Parameter(name, Optional.empty(), description);
    }

    public static Parameter optional(String name, String defaultValue, String description) {
        return new Parameter(name, Optional.of(defaultValue), description);
    }

    public boolean isRequired() {
        return defaultValue.isEmpty();
    }

    /** The default as shown in the documentation table. */
    public String defaultForDocs() {
        return defaultValue.map(value -> value.isEmpty() ? "(empty)" : "`" + value + "`").orElse("required");
    }
}
