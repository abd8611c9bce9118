package io.portcullis.tracking;

import java.net.InetAddress;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

import org.apache.james.util.DurationParser;

import io.portcullis.store.KnownKeys;

/**
 * Tracking settings read from {@code conf/portcullis.properties} (keys {@code tracking.*}); a bad value is an
 * {@link IllegalArgumentException} naming the key, the value and what is allowed, so the server does not start.
 */
public record TrackingSettings(String node, DayOfWeek weekStart, ZoneId timeZone, long csvMaxRows, Duration retention,
                               Duration purgeInterval, int commitMaxBatch, Duration commitMaxWait) {
    public static final String NODE = "tracking.node";
    public static final String WEEK_START = "tracking.weekStart";
    public static final String TIME_ZONE = "tracking.timeZone";
    public static final String CSV_MAX_ROWS = "tracking.csv.maxRows";
    public static final String RETENTION = "tracking.retention";
    public static final String PURGE_INTERVAL = "tracking.purge.interval";
    public static final String COMMIT_MAX_BATCH = "tracking.commit.maxBatch";
    public static final String COMMIT_MAX_WAIT = "tracking.commit.maxWait";
    public static final String PREFIX = "tracking.";
    /** Every key read; any other {@code tracking.*} key is refused. */
    public static final Set<String> KEYS = Set.of(NODE, WEEK_START, TIME_ZONE, CSV_MAX_ROWS, RETENTION, PURGE_INTERVAL,
        COMMIT_MAX_BATCH, COMMIT_MAX_WAIT);

    public static TrackingSettings defaults() {
        return from(new Properties());
    }

    public static TrackingSettings from(Properties properties) {
        KnownKeys.refuseUnknown(properties, PREFIX, KEYS);
        String node = value(properties, NODE).orElseGet(TrackingSettings::hostName);
        if (node.length() > 128) {
            throw invalid(NODE, node, "a node name of at most 128 characters");
        }
        DayOfWeek weekStart = value(properties, WEEK_START).map(v -> Arrays.stream(DayOfWeek.values())
            .filter(d -> d.name().equalsIgnoreCase(v)).findFirst()
            .orElseThrow(() -> invalid(WEEK_START, v, "a day of the week, e.g. MONDAY or SUNDAY"))).orElse(DayOfWeek.MONDAY);
        ZoneId zone = value(properties, TIME_ZONE).map(v -> {
            try {
                return ZoneId.of(v);
            } catch (RuntimeException e) {
                throw invalid(TIME_ZONE, v, "a time zone id such as Europe/Paris or UTC");
            }
        }).orElse(ZoneId.systemDefault());
        long csvMaxRows = value(properties, CSV_MAX_ROWS).map(v -> {
            try {
                long parsed = Long.parseLong(v);
                if (parsed < 1) {
                    throw invalid(CSV_MAX_ROWS, v, "a positive number of rows");
                }
                return parsed;
            } catch (NumberFormatException e) {
                throw invalid(CSV_MAX_ROWS, v, "a positive number of rows");
            }
        }).orElse(1_000_000L);
        Duration retention = duration(properties, RETENTION, "90d", ChronoUnit.DAYS);
        Duration purgeInterval = duration(properties, PURGE_INTERVAL, "1d", ChronoUnit.HOURS);
        int maxBatch = value(properties, COMMIT_MAX_BATCH).map(v -> {
            try {
                int parsed = Integer.parseInt(v);
                if (parsed < 1 || parsed > 10_000) {
                    throw invalid(COMMIT_MAX_BATCH, v, "1 to 10000");
                }
                return parsed;
            } catch (NumberFormatException e) {
                throw invalid(COMMIT_MAX_BATCH, v, "1 to 10000");
            }
        }).orElse(500);
        Duration maxWait = duration(properties, COMMIT_MAX_WAIT, "10s", ChronoUnit.SECONDS);
        return new TrackingSettings(node, weekStart, zone, csvMaxRows, retention, purgeInterval, maxBatch, maxWait);
    }

    private static Duration duration(Properties properties, String key, String defaultValue, ChronoUnit unit) {
        String value = value(properties, key).orElse(defaultValue);
        try {
            Duration duration = DurationParser.parse(value, unit);
            if (duration.isNegative() || duration.isZero()) {
                throw invalid(key, value, "a positive duration such as 90d, 12h, 30m or 10s");
            }
            return duration;
        } catch (IllegalArgumentException | ArithmeticException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("portcullis.properties")) {
                throw e;
            }
            throw invalid(key, value, "a positive duration such as 90d, 12h, 30m or 10s");
        }
    }

    private static Optional<String> value(Properties properties, String key) {
        return Optional.ofNullable(properties.getProperty(key)).map(String::trim).filter(s -> !s.isEmpty());
    }

    private static IllegalArgumentException invalid(String key, String value, String expected) {
        return new IllegalArgumentException("portcullis.properties: " + key + " has invalid value '" + value + "': expected " + expected);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
        } catch (Exception e) {
            return "portcullis";
        }
    }
}
