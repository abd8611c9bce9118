package io.portcullis.storage;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

import org.apache.james.util.DurationParser;
import org.apache.james.util.Size;

import io.portcullis.store.KnownKeys;

/**
 * The free-space thresholds of {@link StorageGuard}, from {@code conf/portcullis.properties}:
 *
 * <pre>
 * storage.minFree=100m              fixed part of the SMTP threshold
 * storage.messageSizeFactor=2       the SMTP threshold is at least this many times the largest accepted message
 * storage.queuedFactor=3            ... plus this many times the bytes waiting in the mail queues
 * storage.spoolMinFree=20m          below this the spooler stops taking mail from the queues
 * storage.checkInterval=1s          how long a measure of the free space is reused
 * </pre>
 *
 * SMTP refuses new mail when the free space of a watched filesystem is below
 * {@code max(minFree, messageSizeFactor x largest message) + queuedFactor x queued bytes}: room for the spool to
 * finish what it already holds (each queued message is written again to a mailbox, a quarantine area or a
 * repository, with database overhead) plus one more message of the largest size. A bad value is an
 * {@link IllegalArgumentException} naming the key, the value and what is allowed.
 */
public record StorageConfiguration(long minFreeBytes, double messageSizeFactor, double queuedFactor, long spoolMinFreeBytes,
                                   Duration checkInterval) {
    public static final String MIN_FREE = "storage.minFree";
    public static final String MESSAGE_SIZE_FACTOR = "storage.messageSizeFactor";
    public static final String QUEUED_FACTOR = "storage.queuedFactor";
    public static final String SPOOL_MIN_FREE = "storage.spoolMinFree";
    public static final String CHECK_INTERVAL = "storage.checkInterval";
    public static final String PREFIX = "storage.";
    /** Every key read; any other {@code storage.*} key is refused. */
    public static final Set<String> KEYS = Set.of(MIN_FREE, MESSAGE_SIZE_FACTOR, QUEUED_FACTOR, SPOOL_MIN_FREE, CHECK_INTERVAL);

    public static final long DEFAULT_MIN_FREE = 100L * 1024 * 1024;
    public static final double DEFAULT_MESSAGE_SIZE_FACTOR = 2;
    public static final double DEFAULT_QUEUED_FACTOR = 3;
    public static final long DEFAULT_SPOOL_MIN_FREE = 20L * 1024 * 1024;
    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(1);

    private static final String SIZE = "a size in bytes with an optional unit (k, m, g), e.g. 100m";
    private static final String FACTOR = "a number >= 0, e.g. 2 or 1.5";

    public StorageConfiguration {
        if (minFreeBytes < 0 || spoolMinFreeBytes < 0 || messageSizeFactor < 0 || queuedFactor < 0
            || Double.isNaN(messageSizeFactor) || Double.isNaN(queuedFactor)) {
            throw new IllegalArgumentException("storage thresholds must not be negative");
        }
        if (spoolMinFreeBytes > 0 && spoolMinFreeBytes >= minFreeBytes) {
            throw new IllegalArgumentException("portcullis.properties: " + SPOOL_MIN_FREE + " has invalid value '" + spoolMinFreeBytes
                + "': expected less than " + MIN_FREE + " (" + minFreeBytes + " bytes), or SMTP would accept mail the spooler does not process");
        }
        if (checkInterval.isNegative()) {
            throw new IllegalArgumentException("storage.checkInterval must not be negative");
        }
    }

    public static StorageConfiguration defaults() {
        return new StorageConfiguration(DEFAULT_MIN_FREE, DEFAULT_MESSAGE_SIZE_FACTOR, DEFAULT_QUEUED_FACTOR, DEFAULT_SPOOL_MIN_FREE,
            DEFAULT_CHECK_INTERVAL);
    }

    public static StorageConfiguration from(Properties properties) {
        KnownKeys.refuseUnknown(properties, PREFIX, KEYS);
        return new StorageConfiguration(
            value(properties, MIN_FREE).map(v -> size(MIN_FREE, v)).orElse(DEFAULT_MIN_FREE),
            value(properties, MESSAGE_SIZE_FACTOR).map(v -> factor(MESSAGE_SIZE_FACTOR, v)).orElse(DEFAULT_MESSAGE_SIZE_FACTOR),
            value(properties, QUEUED_FACTOR).map(v -> factor(QUEUED_FACTOR, v)).orElse(DEFAULT_QUEUED_FACTOR),
            value(properties, SPOOL_MIN_FREE).map(v -> size(SPOOL_MIN_FREE, v)).orElse(DEFAULT_SPOOL_MIN_FREE),
            value(properties, CHECK_INTERVAL).map(v -> duration(CHECK_INTERVAL, v)).orElse(DEFAULT_CHECK_INTERVAL));
    }

    /** The free space SMTP needs on every watched filesystem before it takes a message. */
    public long smtpThreshold(long maxMessageSize, long queuedBytes) {
        long forOneMessage = maxMessageSize > 0 ? (long) Math.ceil(messageSizeFactor * maxMessageSize) : 0;
        return Math.max(minFreeBytes, forOneMessage) + (long) Math.ceil(queuedFactor * Math.max(0, queuedBytes));
    }

    private static long size(String key, String value) {
        try {
            long bytes = Size.parse(value.toUpperCase(Locale.ROOT), Size.Unit.NoUnit).asBytes();
            if (bytes < 0) {
                throw invalid(key, value, SIZE);
            }
            return bytes;
        } catch (IllegalArgumentException e) {
            throw invalid(key, value, SIZE);
        }
    }

    private static double factor(String key, String value) {
        try {
            double parsed = Double.parseDouble(value);
            if (parsed < 0 || Double.isNaN(parsed) || Double.isInfinite(parsed)) {
                throw invalid(key, value, FACTOR);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw invalid(key, value, FACTOR);
        }
    }

    private static Duration duration(String key, String value) {
        try {
            Duration duration = DurationParser.parse(value, ChronoUnit.SECONDS);
            if (duration.isNegative()) {
                throw invalid(key, value, "a duration >= 0 such as 1s or 500ms");
            }
            return duration;
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw invalid(key, value, "a duration >= 0 such as 1s or 500ms");
        }
    }

    private static Optional<String> value(Properties properties, String key) {
        return Optional.ofNullable(properties.getProperty(key)).map(String::trim).filter(s -> !s.isEmpty());
    }

    private static IllegalArgumentException invalid(String key, String value, String expected) {
        return new IllegalArgumentException("portcullis.properties: " + key + " has invalid value '" + value + "': expected " + expected);
    }
}
