package io.portcullis.delivery;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.james.core.Domain;
import org.apache.james.util.DurationParser;

/**
 * Delivery settings from {@code conf/delivery.properties} (see that file for the administrator's view).
 * Parsing is strict: an unknown key or a bad value stops the server with the key, the value and what is allowed.
 *
 * <pre>
 * default.mode=local|forward|hybrid          mode of domains not listed (default local)
 * domain.&lt;domain&gt;.mode=local|forward|hybrid
 * default.verifyRecipients=true              ask the downstream server at RCPT time (forwarded recipients of
 *                                            forward and hybrid domains; local domains never ask)
 * domain.&lt;domain&gt;.verifyRecipients=true|false
 * downstream=host:port                       the server recipient verification asks (same as the relay gateway)
 * verification.timeout=5s                    connect + conversation timeout of one RCPT probe
 * verification.cacheTtl=10m                  how long "exists" is reused
 * verification.negativeCacheTtl=2m           how long "unknown" is reused (short: a mailbox created downstream
 *                                            is accepted within this time)
 * verification.cacheSize=10000               answers kept at most
 * pending.outboundTimeout=24h                outbound mail still pending after this is bounced
 * pending.inboundTimeout=7d                  inbound mail still pending after this is bounced
 * pending.checkInterval=5m                   how often pending mail is checked for the timeouts
 * pending.queues=spool,outgoing,outbound     queues the Pending log shows
 * </pre>
 */
public record DeliveryConfiguration(DeliveryMode defaultMode, Map<Domain, DeliveryMode> modes,
                                    boolean defaultVerifyRecipients, Map<Domain, Boolean> verifyRecipients,
                                    HostPort downstream, Duration verificationTimeout, Duration verificationCacheTtl,
                                    Duration verificationNegativeCacheTtl, int verificationCacheSize, Duration outboundTimeout, Duration inboundTimeout,
                                    Duration checkInterval, List<String> pendingQueues) {
    public static final String FILE = "delivery";
    private static final Pattern DOMAIN_KEY = Pattern.compile("domain\\.(.+)\\.(mode|verifyRecipients)");
    /** The keys of {@code conf/delivery.properties} read besides the per-domain ones ({@code domain.<domain>.mode} / {@code .verifyRecipients}). */
    public static final List<String> PLAIN_KEYS = List.of("default.mode", "default.verifyRecipients", "downstream",
        "verification.timeout", "verification.cacheTtl", "verification.negativeCacheTtl", "verification.cacheSize", "pending.outboundTimeout",
        "pending.inboundTimeout", "pending.checkInterval", "pending.queues");

    public DeliveryConfiguration {
        Objects.requireNonNull(defaultMode);
        modes = Map.copyOf(modes);
        verifyRecipients = Map.copyOf(verifyRecipients);
        pendingQueues = List.copyOf(pendingQueues);
    }

    /** host:port of a server. */
    public record HostPort(String host, int port) {
        public static HostPort parse(String key, String value) {
            String trimmed = value.trim().split(",")[0].trim();
            int colon = trimmed.lastIndexOf(':');
            try {
                if (colon > 0) {
                    int port = Integer.parseInt(trimmed.substring(colon + 1));
                    if (port >= 1 && port <= 65535) {
                        return new HostPort(trimmed.substring(0, colon), port);
                    }
                } else if (!trimmed.isEmpty()) {
                    return new HostPort(trimmed, 25);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw invalid(key, value, "host:port, port 1 to 65535");
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /** Whether {@code key} is one this class reads (a plain key, or a domain's mode or verification key). */
    public static boolean isKey(String key) {
        return PLAIN_KEYS.contains(key) || DOMAIN_KEY.matcher(key).matches();
    }

    public static DeliveryConfiguration defaults() {
        return parse(Map.of());
    }

    /** Parses the properties; throws {@link IllegalArgumentException} naming key, value and what is allowed. */
    public static DeliveryConfiguration parse(Map<String, String> properties) {
        Map<Domain, DeliveryMode> modes = new LinkedHashMap<>();
        Map<Domain, Boolean> verify = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : properties.entrySet()) {
            String key = entry.getKey().trim();
            if (PLAIN_KEYS.contains(key)) {
                continue;
            }
            Matcher matcher = DOMAIN_KEY.matcher(key);
            if (!matcher.matches()) {
                throw new IllegalArgumentException("delivery.properties: unknown key '" + key + "': expected one of "
                    + PLAIN_KEYS + ", domain.<domain>.mode or domain.<domain>.verifyRecipients");
            }
            Domain domain = Domain.of(matcher.group(1));
            if (matcher.group(2).equals("mode")) {
                modes.put(domain, mode(key, entry.getValue()));
            } else {
                verify.put(domain, bool(key, entry.getValue()));
            }
        }
        return new DeliveryConfiguration(
            mode("default.mode", properties.getOrDefault("default.mode", "local")),
            modes,
            bool("default.verifyRecipients", properties.getOrDefault("default.verifyRecipients", "true")),
            verify,
            HostPort.parse("downstream", properties.getOrDefault("downstream", "127.0.0.1:10025")),
            duration("verification.timeout", properties.getOrDefault("verification.timeout", "5s")),
            duration("verification.cacheTtl", properties.getOrDefault("verification.cacheTtl", "10m")),
            duration("verification.negativeCacheTtl", properties.getOrDefault("verification.negativeCacheTtl", "2m")),
            integer("verification.cacheSize", properties.getOrDefault("verification.cacheSize", "10000"), 1, 10_000_000),
            duration("pending.outboundTimeout", properties.getOrDefault("pending.outboundTimeout", "24h")),
            duration("pending.inboundTimeout", properties.getOrDefault("pending.inboundTimeout", "7d")),
            duration("pending.checkInterval", properties.getOrDefault("pending.checkInterval", "5m")),
            queues(properties.getOrDefault("pending.queues", "spool,outgoing,outbound")));
    }

    public DeliveryMode modeOf(Domain domain) {
        return modes.getOrDefault(domain, defaultMode);
    }

    /**
     * Whether RCPT of a forwarded recipient of {@code domain} asks the downstream server first: on by default for
     * forward and hybrid domains (an unverified recipient would be accepted, refused downstream, and bounced to a
     * sender that is often forged); never for local domains (their users are known here).
     */
    public boolean verifiesRecipients(Domain domain) {
        if (modeOf(domain) == DeliveryMode.LOCAL) {
            return false;
        }
        return verifyRecipients.getOrDefault(domain, defaultVerifyRecipients);
    }

    /** The route of a recipient of one of our domains, knowing whether a local user (or alias) exists. */
    public DeliveryRoute route(Domain domain, boolean localUser) {
        return route(domain, () -> localUser);
    }

    /**
     * As {@link #route(Domain, boolean)}, asking {@code localUser} (a user repository lookup) only when the domain's
     * mode needs the answer: never for forward domains.
     */
    public DeliveryRoute route(Domain domain, BooleanSupplier localUser) {
        switch (modeOf(domain)) {
            case FORWARD:
                return DeliveryRoute.FORWARD;
            case LOCAL:
                return localUser.getAsBoolean() ? DeliveryRoute.LOCAL : DeliveryRoute.NONE;
            default:
                return localUser.getAsBoolean() ? DeliveryRoute.LOCAL : DeliveryRoute.FORWARD;
        }
    }

    private static DeliveryMode mode(String key, String value) {
        return DeliveryMode.parse(value).orElseThrow(() -> invalid(key, value, "local, forward or hybrid"));
    }

    private static boolean bool(String key, String value) {
        String trimmed = value.trim().toLowerCase(Locale.ROOT);
        if (trimmed.equals("true") || trimmed.equals("false")) {
            return Boolean.parseBoolean(trimmed);
        }
        throw invalid(key, value, "true or false");
    }

    private static int integer(String key, String value, int min, int max) {
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid(key, value, "an integer from " + min + " to " + max);
    }

    private static Duration duration(String key, String value) {
        try {
            Duration parsed = DurationParser.parse(value.trim());
            if (!parsed.isNegative() && !parsed.isZero()) {
                return parsed;
            }
        } catch (RuntimeException e) {
            // reported below
        }
        throw invalid(key, value, "a positive duration such as 500ms, 30s, 10m, 24h, 7d");
    }

    private static List<String> queues(String value) {
        List<String> queues = java.util.Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (queues.isEmpty()) {
            throw invalid("pending.queues", value, "a comma separated list of mail queue names");
        }
        return queues;
    }

    private static IllegalArgumentException invalid(String key, String value, String expected) {
        return new IllegalArgumentException("delivery.properties: " + key + " has invalid value '" + value + "': expected " + expected);
    }

    public Optional<DeliveryMode> explicitMode(Domain domain) {
        return Optional.ofNullable(modes.get(domain));
    }
}
