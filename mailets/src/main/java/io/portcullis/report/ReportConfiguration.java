package io.portcullis.report;

import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.james.core.MailAddress;

import io.portcullis.report.schedule.CronExpression;

/**
 * The {@code report.*} keys of {@code conf/portcullis.properties}. Unknown {@code report.*} keys and bad values
 * fail start-up with a message naming key, value and what is allowed.
 *
 * @param publicBaseUrl   base of the action links (the WebAdmin listener as users reach it)
 * @param schedules       scheduled runs (cron, several allowed, separated by ';'); empty = no scheduled reports
 * @param onlyNew         scheduled runs report only what was held since the recipient's previous report,
 *                        and only to recipients with something new
 * @param days            on-demand reports list what was held in the last N days ("nothing held" reply names N)
 * @param maxPerHour      on-demand requests per requester address per hour
 * @param maxPerHourTotal on-demand requests per hour for the whole gateway (all nodes sharing the store)
 * @param keyFile         HMAC key of the action links (generated at first start, mode 600; relative = in the var directory)
 * @param adminAddress    who "request release" notifies (empty = the postmaster)
 */
public record ReportConfiguration(String publicBaseUrl, List<CronExpression> schedules, boolean onlyNew, int days,
                                  int maxPerHour, int maxPerHourTotal, Path keyFile, Optional<MailAddress> adminAddress, ZoneId zone) {
    public static final String PREFIX = "report.";
    public static final Set<String> KEYS = Set.of("report.publicBaseUrl", "report.schedule", "report.schedule.onlyNew",
        "report.days", "report.request.maxPerHour", "report.request.maxPerHourTotal", "report.keyFile", "report.adminAddress", "report.zone");

    public ReportConfiguration {
        schedules = List.copyOf(schedules);
    }

    public static ReportConfiguration defaults() {
        return from(new Properties());
    }

    public static ReportConfiguration from(Properties properties) {
        for (String key : properties.stringPropertyNames()) {
            if (key.startsWith(PREFIX) && !KEYS.contains(key)) {
                throw new IllegalArgumentException("Unknown key '" + key + "' in portcullis.properties: allowed report keys are "
                    + KEYS.stream().sorted().collect(Collectors.joining(", ")));
            }
        }
        String base = value(properties, "report.publicBaseUrl", "http://127.0.0.1:8000");
        if (!base.matches("https?://[^\\s\"<>]+")) {
            throw bad("report.publicBaseUrl", base, "an http:// or https:// URL");
        }
        String scheduleText = value(properties, "report.schedule", "0 8,13 * * *");
        List<CronExpression> schedules;
        try {
            schedules = scheduleText.isBlank() ? List.of()
                : java.util.Arrays.stream(scheduleText.split(";")).map(String::trim).filter(s -> !s.isEmpty())
                    .map(CronExpression::parse).collect(Collectors.toList());
        } catch (IllegalArgumentException e) {
            throw bad("report.schedule", scheduleText, "cron expressions separated by ';' (" + e.getMessage() + ")");
        }
        Optional<MailAddress> admin;
        String adminText = value(properties, "report.adminAddress", "");
        try {
            admin = adminText.isBlank() ? Optional.empty() : Optional.of(new MailAddress(adminText));
        } catch (Exception e) {
            throw bad("report.adminAddress", adminText, "an email address, or empty for the postmaster");
        }
        ZoneId zone;
        String zoneText = value(properties, "report.zone", "UTC");
        try {
            zone = ZoneId.of(zoneText);
        } catch (Exception e) {
            throw bad("report.zone", zoneText, "a time zone id such as UTC or Europe/Berlin");
        }
        return new ReportConfiguration(base.replaceAll("/+$", ""), schedules,
            bool(properties, "report.schedule.onlyNew", true),
            integer(properties, "report.days", 14, 1, 3650),
            integer(properties, "report.request.maxPerHour", 5, 1, 10000),
            integer(properties, "report.request.maxPerHourTotal", 500, 1, 1_000_000),
            Path.of(value(properties, "report.keyFile", "portcullis-report.key")), admin, zone);
    }

    private static String value(Properties properties, String key, String defaultValue) {
        return properties.getProperty(key, defaultValue).trim();
    }

    private static boolean bool(Properties properties, String key, boolean defaultValue) {
        String v = value(properties, key, String.valueOf(defaultValue));
        if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
            throw bad(key, v, "true or false");
        }
        return Boolean.parseBoolean(v);
    }

    private static int integer(Properties properties, String key, int defaultValue, int min, int max) {
        String v = value(properties, key, String.valueOf(defaultValue));
        try {
            int parsed = Integer.parseInt(v);
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw bad(key, v, "an integer between " + min + " and " + max);
    }

    private static IllegalArgumentException bad(String key, String value, String allowed) {
        return new IllegalArgumentException("Bad value '" + value + "' for " + key + " in portcullis.properties: expected " + allowed);
    }
}
