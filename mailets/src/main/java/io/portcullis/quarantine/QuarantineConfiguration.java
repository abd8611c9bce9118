package io.portcullis.quarantine;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;
import org.apache.james.util.DurationParser;

/**
 * Quarantine settings, read from {@code conf/portcullis.properties} (every key optional):
 *
 * <pre>
 * quarantine.area.spam.retention=14d          # how long before expiry discards it; "never" = kept until acted on
 * quarantine.area.spam.userRelease=true       # may end users release their own messages from this area
 * quarantine.area.threat.retention=30d
 * quarantine.area.threat.userRelease=false
 * quarantine.area.newsletters.retention=7d    # any other name defines an extra area usable in Quarantine(area=...)
 * quarantine.release.processor=deliver        # where release re-injects (after the filters)
 * quarantine.retry.processor=filter           # where retry re-injects (the filters run again)
 * quarantine.force.processor=deliver          # where force re-injects (with portcullis.forced=true)
 * quarantine.expiry.interval=1h               # how often expired entries are discarded
 * quarantine.notify.digest.interval=1h        # how often the digest of newly held entries (notify=digest) is sent
 * quarantine.notify.to=                       # who gets held-mail notifications (default: the postmaster)
 * </pre>
 *
 * Built-in areas: spam (14 days, user release), threat (30 days, admin only), policy (30 days, user release),
 * stalled (30 days, admin only). A bad value is an error naming the key, the value and what is allowed.
 */
public record QuarantineConfiguration(Map<String, Area> areas, String releaseProcessor, String retryProcessor,
                                      String forceProcessor, Duration expiryInterval, Duration digestInterval,
                                      Optional<MailAddress> notifyTo) {
    public static final String PREFIX = "quarantine.";
    private static final Pattern AREA_KEY = Pattern.compile("quarantine\\.area\\.([A-Za-z0-9_-]+)\\.(retention|userRelease)");
    private static final Pattern AREA_NAME = Pattern.compile("[a-z0-9_-]{1,64}");
    /** The keys read besides the per-area ones ({@code quarantine.area.<name>.retention} / {@code .userRelease}). */
    public static final Set<String> KEYS = Set.of("quarantine.release.processor", "quarantine.retry.processor",
        "quarantine.force.processor", "quarantine.expiry.interval", "quarantine.notify.digest.interval", "quarantine.notify.to");

    public QuarantineConfiguration {
        areas = Map.copyOf(areas);
        Objects.requireNonNull(releaseProcessor);
        Objects.requireNonNull(retryProcessor);
        Objects.requireNonNull(forceProcessor);
        Objects.requireNonNull(expiryInterval);
        Objects.requireNonNull(digestInterval);
        Objects.requireNonNull(notifyTo);
    }

    /** Whether {@code key} is one this class reads (a fixed key, or an area's retention or user-release key). */
    public static boolean isKey(String key) {
        return KEYS.contains(key) || AREA_KEY.matcher(key).matches();
    }

    public static QuarantineConfiguration defaults() {
        return from(new Properties());
    }

    private static Map<String, Area> defaultAreas() {
        Map<String, Area> areas = new LinkedHashMap<>();
        areas.put(Area.SPAM, new Area(Area.SPAM, Optional.of(Duration.ofDays(14)), true));
        areas.put(Area.THREAT, new Area(Area.THREAT, Optional.of(Duration.ofDays(30)), false));
        areas.put(Area.POLICY, new Area(Area.POLICY, Optional.of(Duration.ofDays(30)), true));
        areas.put(Area.STALLED, new Area(Area.STALLED, Optional.of(Duration.ofDays(30)), false));
        return areas;
    }

    /** Reads the {@code quarantine.*} keys; other keys are ignored (they belong to other capabilities). */
    public static QuarantineConfiguration from(Properties properties) {
        Map<String, Area> areas = defaultAreas();
        Set<String> names = new TreeSet<>(properties.stringPropertyNames());
        for (String key : names) {
            if (!key.startsWith(PREFIX)) {
                continue;
            }
            String value = properties.getProperty(key).trim();
            Matcher matcher = AREA_KEY.matcher(key);
            if (matcher.matches()) {
                String name = matcher.group(1);
                if (!AREA_NAME.matcher(name).matches()) {
                    throw invalid(key, name, "an area name of lower-case letters, digits, '-' or '_'");
                }
                Area current = areas.getOrDefault(name, new Area(name, Optional.of(Duration.ofDays(30)), false));
                if (matcher.group(2).equals("retention")) {
                    areas.put(name, new Area(name, retention(key, value), current.userRelease()));
                } else {
                    areas.put(name, new Area(name, current.retention(), bool(key, value)));
                }
            } else if (!KEYS.contains(key)) {
                throw invalid(key, value, "a known key: quarantine.area.<name>.retention, quarantine.area.<name>.userRelease, " + new TreeSet<>(KEYS));
            }
        }
        return new QuarantineConfiguration(areas,
            processor(properties, "quarantine.release.processor", "deliver"),
            processor(properties, "quarantine.retry.processor", "filter"),
            processor(properties, "quarantine.force.processor", "deliver"),
            interval(properties, "quarantine.expiry.interval", "1h"),
            interval(properties, "quarantine.notify.digest.interval", "1h"),
            Optional.ofNullable(properties.getProperty("quarantine.notify.to")).map(String::trim).filter(s -> !s.isEmpty())
                .map(value -> {
                    try {
                        return new MailAddress(value);
                    } catch (AddressException e) {
                        throw invalid("quarantine.notify.to", value, "an email address");
                    }
                }));
    }

    private static IllegalArgumentException invalid(String key, String value, String expected) {
        return new IllegalArgumentException("portcullis.properties: " + key + " has invalid value '" + value + "': expected " + expected);
    }

    private static Optional<Duration> retention(String key, String value) {
        if (value.equalsIgnoreCase("never")) {
            return Optional.empty();
        }
        Duration duration = duration(key, value);
        if (duration.isZero()) {
            throw invalid(key, value, "a positive duration such as 14d or 12h, or never");
        }
        return Optional.of(duration);
    }

    private static Duration duration(String key, String value) {
        try {
            Duration duration = DurationParser.parse(value, ChronoUnit.DAYS);
            if (duration.isNegative()) {
                throw invalid(key, value, "a positive duration such as 14d or 12h");
            }
            return duration;
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw invalid(key, value, "a positive duration such as 14d, 12h, 30m or never");
        }
    }

    private static Duration interval(Properties properties, String key, String defaultValue) {
        String value = properties.getProperty(key, defaultValue).trim();
        Duration duration = duration(key, value);
        if (duration.compareTo(Duration.ofSeconds(1)) < 0) {
            throw invalid(key, value, "at least 1s, such as 1h or 10m");
        }
        return duration;
    }

    private static boolean bool(String key, String value) {
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        if (value.equalsIgnoreCase("false")) {
            return false;
        }
        throw invalid(key, value, "true or false");
    }

    private static String processor(Properties properties, String key, String defaultValue) {
        String value = properties.getProperty(key, defaultValue).trim();
        if (value.isEmpty() || value.contains(" ")) {
            throw invalid(key, value, "a processor name of mailetcontainer.xml");
        }
        return value;
    }

    public Optional<Area> area(String name) {
        return Optional.ofNullable(areas.get(name.trim().toLowerCase(java.util.Locale.ROOT)));
    }

    public String processorFor(DispatchAction action) {
        switch (action) {
            case RELEASE:
                return releaseProcessor;
            case RETRY:
                return retryProcessor;
            default:
                return forceProcessor;
        }
    }
}
