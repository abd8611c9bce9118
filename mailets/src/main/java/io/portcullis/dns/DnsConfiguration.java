package io.portcullis.dns;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

import org.apache.james.util.DurationParser;

import io.portcullis.store.KnownKeys;

/**
 * Where the checks send their DNS queries. Read from {@code conf/portcullis.properties}:
 *
 * <pre>
 * dns.servers=127.0.0.1:5353, 192.0.2.53   (host or host:port, comma separated; empty = the system resolvers)
 * dns.timeout=2s                            (per query and server)
 * dns.cache.maxEntries=10000                (0 disables the answer cache)
 * dns.cache.maxTtl=5m                       (answers are kept min(record TTL, this))
 * dns.cache.failureTtl=30s                  (a timeout or SERVFAIL is kept this long; 0 = never cached)
 * </pre>
 *
 * A bad value is an {@link IllegalArgumentException} naming the key, the value and what is allowed.
 */
public record DnsConfiguration(List<InetSocketAddress> servers, Duration timeout, int cacheMaxEntries, Duration cacheMaxTtl,
        Duration cacheFailureTtl) {
    public static final String SERVERS = "dns.servers";
    public static final String TIMEOUT = "dns.timeout";
    public static final String CACHE_MAX_ENTRIES = "dns.cache.maxEntries";
    public static final String CACHE_MAX_TTL = "dns.cache.maxTtl";
    public static final String CACHE_FAILURE_TTL = "dns.cache.failureTtl";
    public static final String PREFIX = "dns.";
    /** Every key read; any other {@code dns.*} key is refused. */
    public static final Set<String> KEYS = Set.of(SERVERS, TIMEOUT, CACHE_MAX_ENTRIES, CACHE_MAX_TTL, CACHE_FAILURE_TTL);

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_FAILURE_TTL = Duration.ofSeconds(30);

    public DnsConfiguration {
        servers = List.copyOf(servers);
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(cacheMaxTtl, "cacheMaxTtl");
        Objects.requireNonNull(cacheFailureTtl, "cacheFailureTtl");
    }

    /** With the default failure cache ({@link #DEFAULT_FAILURE_TTL}). */
    public DnsConfiguration(List<InetSocketAddress> servers, Duration timeout, int cacheMaxEntries, Duration cacheMaxTtl) {
        this(servers, timeout, cacheMaxEntries, cacheMaxTtl, DEFAULT_FAILURE_TTL);
    }

    /** The system resolvers, default timeout and cache. */
    public static DnsConfiguration systemDefault() {
        return new DnsConfiguration(List.of(), DEFAULT_TIMEOUT, 10_000, Duration.ofMinutes(5));
    }

    /** One server on {@code host:port}, no cache: what tests use. */
    public static DnsConfiguration server(String host, int port, Duration timeout) {
        return new DnsConfiguration(List.of(new InetSocketAddress(host, port)), timeout, 0, Duration.ZERO);
    }

    public static DnsConfiguration from(Properties properties) {
        KnownKeys.refuseUnknown(properties, PREFIX, KEYS);
        List<InetSocketAddress> servers = new ArrayList<>();
        String serverList = value(properties, SERVERS).orElse("");
        for (String item : serverList.split(",")) {
            if (!item.isBlank()) {
                servers.add(parseServer(item.trim()));
            }
        }
        Duration timeout = value(properties, TIMEOUT).map(v -> duration(TIMEOUT, v)).orElse(DEFAULT_TIMEOUT);
        if (timeout.isZero()) {
            throw invalid(TIMEOUT, value(properties, TIMEOUT).orElse(""), "a positive duration such as 2s or 500ms");
        }
        int maxEntries = value(properties, CACHE_MAX_ENTRIES).map(v -> {
            try {
                int parsed = Integer.parseInt(v);
                if (parsed < 0) {
                    throw invalid(CACHE_MAX_ENTRIES, v, "an integer >= 0");
                }
                return parsed;
            } catch (NumberFormatException e) {
                throw invalid(CACHE_MAX_ENTRIES, v, "an integer >= 0");
            }
        }).orElse(10_000);
        Duration maxTtl = value(properties, CACHE_MAX_TTL).map(v -> duration(CACHE_MAX_TTL, v)).orElse(Duration.ofMinutes(5));
        Duration failureTtl = value(properties, CACHE_FAILURE_TTL).map(v -> duration(CACHE_FAILURE_TTL, v)).orElse(DEFAULT_FAILURE_TTL);
        return new DnsConfiguration(servers, timeout, maxEntries, maxTtl, failureTtl);
    }

    static InetSocketAddress parseServer(String item) {
        String host = item;
        int port = 53;
        int colon = item.lastIndexOf(':');
        if (colon > 0 && item.indexOf(':') == colon) {
            host = item.substring(0, colon);
            try {
                port = Integer.parseInt(item.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw invalid(SERVERS, item, "host or host:port with a port between 1 and 65535");
            }
        } else if (item.startsWith("[") && item.contains("]:")) {
            host = item.substring(1, item.indexOf("]:"));
            try {
                port = Integer.parseInt(item.substring(item.indexOf("]:") + 2));
            } catch (NumberFormatException e) {
                throw invalid(SERVERS, item, "host or host:port with a port between 1 and 65535");
            }
        }
        if (port < 1 || port > 65535 || host.isBlank()) {
            throw invalid(SERVERS, item, "host or host:port with a port between 1 and 65535");
        }
        return new InetSocketAddress(host, port);
    }

    private static Duration duration(String key, String value) {
        try {
            Duration duration = DurationParser.parse(value, ChronoUnit.SECONDS);
            if (duration.isNegative()) {
                throw invalid(key, value, "a positive duration such as 2s or 500ms");
            }
            return duration;
        } catch (IllegalArgumentException | ArithmeticException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("portcullis.properties")) {
                throw e;
            }
            throw invalid(key, value, "a positive duration such as 2s or 500ms");
        }
    }

    private static Optional<String> value(Properties properties, String key) {
        return Optional.ofNullable(properties.getProperty(key)).map(String::trim).filter(s -> !s.isEmpty());
    }

    private static IllegalArgumentException invalid(String key, String value, String expected) {
        return new IllegalArgumentException("portcullis.properties: " + key + " has invalid value '" + value + "': expected " + expected);
    }

    /** For reasons and logs: "127.0.0.1:5353" or "system resolvers". */
    public String describeServers() {
        if (servers.isEmpty()) {
            return "system resolvers";
        }
        return servers.stream().map(s -> s.getHostString() + ":" + s.getPort()).reduce((a, b) -> a + ", " + b).orElse("");
    }
}
