package io.portcullis.config;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

import javax.mail.MessagingException;

import org.apache.james.util.DurationParser;
import org.apache.mailet.MailetConfig;

/**
 * Strict, typed access to a mailet's parameters. Built once in {@code init()} from the mailet's declared
 * {@link Parameter} list: an undeclared parameter, a missing required one or a value that does not parse is a
 * {@link MessagingException} naming the component, the parameter, the value and what is allowed, so a
 * misconfigured server does not start. Never falls back to a default on a bad value.
 */
public final class MailetParameters {
    private final String component;
    private final Map<String, Parameter> declared;
    private final Map<String, String> values;

    private MailetParameters(String component, Map<String, Parameter> declared, Map<String, String> values) {
        this.component = component;
        this.declared = declared;
        this.values = values;
    }

    public static MailetParameters parse(MailetConfig config, List<Parameter> parameters) throws MessagingException {
        Map<String, String> values = new LinkedHashMap<>();
        Iterator<String> names = config.getInitParameterNames();
        while (names.hasNext()) {
            String name = names.next();
            values.put(name, config.getInitParameter(name));
        }
        return parse(config.getMailetName(), values, parameters);
    }

    public static MailetParameters parse(String component, Map<String, String> values, List<Parameter> parameters) throws MessagingException {
        Map<String, Parameter> declared = new LinkedHashMap<>();
        parameters.forEach(p -> declared.put(p.name(), p));
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(declared.keySet());
        if (!unknown.isEmpty()) {
            throw new MessagingException(component + ": unknown parameter(s) " + unknown
                + "; allowed parameters are " + declared.keySet());
        }
        for (Parameter p : parameters) {
            if (p.isRequired() && isBlank(values.get(p.name()))) {
                throw new MessagingException(component + ": parameter '" + p.name() + "' is required (" + p.description() + ")");
            }
        }
        return new MailetParameters(component, declared, new LinkedHashMap<>(values));
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    private Parameter declared(String name) {
        Parameter parameter = declared.get(name);
        if (parameter == null) {
            throw new IllegalArgumentException(component + " reads undeclared parameter " + name);
        }
        return parameter;
    }

    /** The raw value, or the declared default; empty only for an optional parameter whose default is empty. */
    public String string(String name) {
        Parameter parameter = declared(name);
        String value = values.get(name);
        if (value == null) {
            return parameter.defaultValue().orElse("");
        }
        return value.trim();
    }

    public Optional<String> optionalString(String name) {
        String value = string(name);
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    public boolean isSet(String name) {
        declared(name);
        return values.containsKey(name);
    }

    public MessagingException invalid(String name, String value, String expected) {
        return new MessagingException(component + ": parameter '" + name + "' has invalid value '" + value + "': expected " + expected);
    }

    public int integer(String name, int min, int max) throws MessagingException {
        String value = string(name);
        try {
            int parsed = Integer.parseInt(value);
            if (parsed < min || parsed > max) {
                throw invalid(name, value, "an integer between " + min + " and " + max);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw invalid(name, value, "an integer between " + min + " and " + max);
        }
    }

    public boolean bool(String name) throws MessagingException {
        String value = string(name);
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("yes")) {
            return true;
        }
        if (value.equalsIgnoreCase("false") || value.equalsIgnoreCase("no")) {
            return false;
        }
        throw invalid(name, value, "true or false");
    }

    /** A duration such as {@code 14d}, {@code 12h}, {@code 30m}, {@code 5s}; a bare number means {@code defaultUnit}. */
    public Duration duration(String name, ChronoUnit defaultUnit) throws MessagingException {
        String value = string(name);
        try {
            Duration duration = DurationParser.parse(value, defaultUnit);
            if (duration.isNegative()) {
                throw invalid(name, value, "a positive duration such as 14d, 12h, 30m or 5s");
            }
            return duration;
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw invalid(name, value, "a positive duration such as 14d, 12h, 30m or 5s");
        }
    }

    /** A comma separated list; blank items are dropped. */
    public List<String> list(String name) {
        String value = string(name);
        if (value.isEmpty()) {
            return List.of();
        }
        return Arrays.stream(value.split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .collect(Collectors.toUnmodifiableList());
    }

    /** One of a fixed set of values (case-insensitive); returns the canonical spelling from {@code allowed}. */
    public String oneOf(String name, List<String> allowed) throws MessagingException {
        String value = string(name);
        return allowed.stream()
            .filter(a -> a.equalsIgnoreCase(value))
            .findFirst()
            .orElseThrow(() -> invalid(name, value, "one of " + allowed));
    }

    /** Parses with {@code parser}; any exception it throws becomes a start-up error naming the parameter. */
    public <T> T parsed(String name, Function<String, T> parser, String expected) throws MessagingException {
        String value = string(name);
        try {
            return parser.apply(value);
        } catch (RuntimeException e) {
            throw invalid(name, value, expected + (e.getMessage() != null ? " (" + e.getMessage() + ")" : ""));
        }
    }

    public List<String> names() {
        return new ArrayList<>(values.keySet());
    }
}
