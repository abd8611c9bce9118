package io.portcullis.tracking.route;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import io.portcullis.tracking.MessageStatus;
import io.portcullis.tracking.RejectReason;
import io.portcullis.tracking.store.Periods;
import io.portcullis.tracking.store.SearchCriteria;

/**
 * Turns the query parameters of the tracking routes into a {@link SearchCriteria} and a page, strictly: an
 * unknown parameter, a value that does not parse, a page size not offered or contradicting criteria throw
 * {@link IllegalArgumentException} naming the parameter, the value and what is allowed (the routes answer 400).
 */
public final class TrackingQuery {
    public static final List<Integer> PAGE_SIZES = List.of(20, 50, 100, 150, 200, 300);
    public static final List<String> CRITERIA = List.of("sender", "recipient", "subject", "sendingHost", "attachment", "rejectReason",
        "messageSecurity", "transportSecurity", "action", "period", "from", "to", "node", "status");
    public static final List<String> PAGING = List.of("page", "pageSize");
    private static final int MAX_LENGTH = 320;

    public record Page(int page, int pageSize) {
    }

    private TrackingQuery() {
    }

    /** The criteria from {@code parameters} (name → first value); {@code allowed} lists the parameter names accepted. */
    public static SearchCriteria criteria(Map<String, String> parameters, Set<String> allowed, Periods periods) {
        Set<String> unknown = new TreeSet<>(parameters.keySet());
        unknown.removeAll(allowed);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("Unknown parameter(s) " + unknown + "; allowed: " + new LinkedHashSet<>(allowed));
        }
        SearchCriteria.Builder builder = SearchCriteria.builder();
        value(parameters, "sender").ifPresent(sender -> builder.sender(address("sender", sender, true)));
        value(parameters, "recipient").ifPresent(recipient -> builder.recipient(address("recipient", recipient, false)));
        value(parameters, "subject").ifPresent(builder::subjectContains);
        value(parameters, "sendingHost").ifPresent(host -> {
            if (!host.matches("[A-Za-z0-9.:_\\-\\[\\]]+")) {
                throw invalid("sendingHost", host, "a host name or an IP address");
            }
            builder.sendingHost(host.replace("[", "").replace("]", ""));
        });
        value(parameters, "attachment").ifPresent(builder::attachment);
        value(parameters, "rejectReason").ifPresent(reason -> builder.rejectReason(RejectReason.parse(reason)
            .orElseThrow(() -> invalid("rejectReason", reason, "one of " + Arrays.stream(RejectReason.values())
                .map(RejectReason::systemName).collect(Collectors.toList())))));
        value(parameters, "messageSecurity").ifPresent(security -> builder.messageSecurity(oneOf("messageSecurity", security,
            List.of("pgp", "smime", "password", "none", "any"))));
        value(parameters, "transportSecurity").ifPresent(tls -> {
            String value = oneOf("transportSecurity", tls, List.of("tls", "none", "any"));
            if (!value.equals("any")) {
                builder.tls(value.equals("tls"));
            }
        });
        value(parameters, "action").ifPresent(action -> {
            String value = oneOf("action", action, List.of("accepted", "rejected", "any"));
            if (!value.equals("any")) {
                builder.action(value);
            }
        });
        value(parameters, "node").ifPresent(builder::node);
        value(parameters, "status").ifPresent(status -> builder.status(Arrays.stream(MessageStatus.values())
            .filter(s -> s.name().equalsIgnoreCase(status)).findFirst()
            .orElseThrow(() -> invalid("status", status, "one of " + Arrays.stream(MessageStatus.values())
                .map(s -> s.name().toLowerCase(Locale.ROOT)).collect(Collectors.toList())))));
        Optional<String> period = value(parameters, "period");
        Optional<String> from = value(parameters, "from");
        Optional<String> to = value(parameters, "to");
        if (period.isPresent() && (from.isPresent() || to.isPresent())) {
            throw new IllegalArgumentException("Parameter 'period' cannot be combined with 'from' / 'to': use a preset or a custom range");
        }
        period.ifPresent(p -> {
            Periods.Range range = periods.resolve(Periods.Preset.parse(p)
                .orElseThrow(() -> invalid("period", p, "one of " + Periods.Preset.parameters())));
            builder.from(range.from()).to(range.to());
        });
        Optional<Instant> fromInstant = from.map(value -> instant("from", value, periods, false));
        Optional<Instant> toInstant = to.map(value -> instant("to", value, periods, true));
        if (fromInstant.isPresent() && toInstant.isPresent() && !fromInstant.get().isBefore(toInstant.get())) {
            throw new IllegalArgumentException("Parameter 'from' (" + from.get() + ") must be before 'to' (" + to.get() + ")");
        }
        fromInstant.ifPresent(builder::from);
        toInstant.ifPresent(builder::to);
        return builder.build();
    }

    public static Page page(Map<String, String> parameters) {
        int page = value(parameters, "page").map(value -> {
            try {
                int parsed = Integer.parseInt(value);
                if (parsed < 1 || parsed > 1_000_000) {
                    throw invalid("page", value, "a page number from 1");
                }
                return parsed;
            } catch (NumberFormatException e) {
                throw invalid("page", value, "a page number from 1");
            }
        }).orElse(1);
        int pageSize = value(parameters, "pageSize").map(value -> PAGE_SIZES.stream().filter(size -> String.valueOf(size).equals(value))
            .findFirst().orElseThrow(() -> invalid("pageSize", value, "one of " + PAGE_SIZES))).orElse(PAGE_SIZES.get(0));
        return new Page(page, pageSize);
    }

    private static Optional<String> value(Map<String, String> parameters, String name) {
        String value = parameters.get(name);
        if (value == null) {
            return Optional.empty();
        }
        String trimmed = value.trim();
        if (trimmed.isEmpty()) {
            return Optional.empty();
        }
        if (trimmed.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("Parameter '" + name + "' is too long (" + trimmed.length() + " characters, at most " + MAX_LENGTH + ")");
        }
        return Optional.of(trimmed);
    }

    private static String address(String name, String value, boolean nullAllowed) {
        if (value.equals(SearchCriteria.NULL_SENDER)) {
            if (nullAllowed) {
                return value;
            }
            throw invalid(name, value, "an address or @domain");
        }
        boolean valid = value.matches("[^\\s@<>]*@[^\\s@<>]+") && (value.startsWith("@") || value.indexOf('@') > 0);
        if (!valid) {
            throw invalid(name, value, nullAllowed ? "an address, @domain or <> for the null sender" : "an address or @domain");
        }
        return value;
    }

    private static String oneOf(String name, String value, List<String> allowed) {
        return allowed.stream().filter(a -> a.equalsIgnoreCase(value)).findFirst()
            .orElseThrow(() -> invalid(name, value, "one of " + allowed));
    }

    /** ISO-8601: an instant ({@code 2026-11-18T10:00:00Z}), with an offset, a local date-time or a date (in the server's zone). */
    private static Instant instant(String name, String value, Periods periods, boolean endOfDay) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException ignored) {
            // next format
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException ignored) {
            // next format
        }
        try {
            return LocalDateTime.parse(value).atZone(periods.zone()).toInstant();
        } catch (DateTimeParseException ignored) {
            // next format
        }
        try {
            LocalDate date = LocalDate.parse(value);
            return (endOfDay ? date.plusDays(1) : date).atStartOfDay(periods.zone()).toInstant();
        } catch (DateTimeParseException e) {
            throw invalid(name, value, "an ISO-8601 date or date-time, e.g. 2026-11-18 or 2026-11-18T10:00:00Z");
        }
    }

    private static IllegalArgumentException invalid(String name, String value, String expected) {
        return new IllegalArgumentException("Parameter '" + name + "' has invalid value '" + value + "': expected " + expected);
    }
}
