package io.portcullis.dns;

import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The DNS lookups of the Portcullis checks, on dnsjava, pointable at any server on any port (James's stock
 * {@code DNSService} cannot take a port). Each query returns a {@link DnsAnswer} that says whether the name
 * exists or whether the query failed (timeout, SERVFAIL): the checks turn a failure into a visible reason,
 * never into "not listed". Positive and negative answers are cached for min(TTL, {@code dns.cache.maxTtl}),
 * failures are not.
 */
public class DnsLookupService {
    private final DnsConfiguration configuration;
    private final Resolver resolver;
    private final ConcurrentHashMap<String, CachedAnswer> cache = new ConcurrentHashMap<>();

    private record CachedAnswer(DnsAnswer answer, long expiresAtNanos) {
    }

    public DnsLookupService(DnsConfiguration configuration) {
        this.configuration = configuration;
        this.resolver = createResolver(configuration);
    }

    private static Resolver createResolver(DnsConfiguration configuration) {
        List<InetSocketAddress> servers = configuration.servers().isEmpty()
            ? ResolverConfig.getCurrentConfig().servers()
            : configuration.servers();
        if (servers.isEmpty()) {
            servers = List.of(new InetSocketAddress("127.0.0.1", 53));
        }
        List<Resolver> resolvers = new ArrayList<>();
        for (InetSocketAddress server : servers) {
            SimpleResolver simple = new SimpleResolver(server);
            simple.setTimeout(configuration.timeout());
            simple.setEDNS(0, 1232, 0, List.of());
            resolvers.add(simple);
        }
        if (resolvers.size() == 1) {
            return resolvers.get(0);
        }
        ExtendedResolver extended = new ExtendedResolver(resolvers);
        extended.setTimeout(configuration.timeout());
        extended.setRetries(1);
        extended.setLoadBalance(false);
        return extended;
    }

    public DnsConfiguration configuration() {
        return configuration;
    }

    public DnsAnswer a(String name) {
        return lookup(name, Type.A);
    }

    public DnsAnswer aaaa(String name) {
        return lookup(name, Type.AAAA);
    }

    public DnsAnswer mx(String name) {
        return lookup(name, Type.MX);
    }

    public DnsAnswer txt(String name) {
        return lookup(name, Type.TXT);
    }

    public DnsAnswer ptr(String name) {
        return lookup(name, Type.PTR);
    }

    /** Blocking lookup, bounded by the configured timeout (times the number of servers). */
    public DnsAnswer lookup(String name, int type) {
        return await(lookupAsync(name, type));
    }

    /** Waits for an answer of {@link #lookupAsync}, bounded by the configured timeout. */
    public DnsAnswer await(CompletableFuture<DnsAnswer> future) {
        long boundMillis = configuration.timeout().toMillis() * (Math.max(1, configuration.servers().size()) * 2L + 1) + 1000;
        try {
            return future.get(boundMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DnsAnswer.failed("interrupted");
        } catch (ExecutionException e) {
            return DnsAnswer.failed(describe(e.getCause()));
        } catch (java.util.concurrent.TimeoutException e) {
            return DnsAnswer.failed("timeout");
        }
    }

    /** Non-blocking lookup: several zones of a blocklist check are queried in parallel. Never completes exceptionally. */
    public CompletableFuture<DnsAnswer> lookupAsync(String name, int type) {
        String key = type + " " + name.toLowerCase(Locale.ROOT);
        CachedAnswer cached = cache.get(key);
        if (cached != null) {
            if (cached.expiresAtNanos() - System.nanoTime() > 0) {
                return CompletableFuture.completedFuture(cached.answer());
            }
            cache.remove(key, cached);
        }
        Message query;
        try {
            Name qname = Name.fromString(name.endsWith(".") ? name : name + ".");
            query = Message.newQuery(Record.newRecord(qname, type, DClass.IN));
        } catch (TextParseException e) {
            return CompletableFuture.completedFuture(DnsAnswer.notFound("invalid name"));
        }
        return resolver.sendAsync(query).toCompletableFuture()
            .handle((response, error) -> {
                if (error != null) {
                    return DnsAnswer.failed(describe(error));
                }
                return interpret(key, response, type);
            });
    }

    private DnsAnswer interpret(String key, Message response, int type) {
        int rcode = response.getRcode();
        if (rcode == Rcode.NXDOMAIN) {
            DnsAnswer answer = DnsAnswer.notFound("NXDOMAIN");
            remember(key, answer, negativeTtl(response));
            return answer;
        }
        if (rcode != Rcode.NOERROR) {
            return DnsAnswer.failed(Rcode.string(rcode));
        }
        List<String> values = new ArrayList<>();
        long ttl = Long.MAX_VALUE;
        for (Record record : response.getSection(Section.ANSWER)) {
            if (record.getType() != type) {
                continue;
            }
            ttl = Math.min(ttl, record.getTTL());
            values.add(text(record));
        }
        if (values.isEmpty()) {
            DnsAnswer answer = DnsAnswer.notFound("no data");
            remember(key, answer, negativeTtl(response));
            return answer;
        }
        DnsAnswer answer = DnsAnswer.found(values);
        remember(key, answer, ttl);
        return answer;
    }

    private static long negativeTtl(Message response) {
        return response.getSection(Section.AUTHORITY).stream().mapToLong(Record::getTTL).min().orElse(60);
    }

    private void remember(String key, DnsAnswer answer, long ttlSeconds) {
        if (configuration.cacheMaxEntries() <= 0 || configuration.cacheMaxTtl().isZero()) {
            return;
        }
        if (cache.size() >= configuration.cacheMaxEntries()) {
            cache.clear();
        }
        long seconds = Math.min(ttlSeconds, configuration.cacheMaxTtl().toSeconds());
        if (seconds > 0) {
            cache.put(key, new CachedAnswer(answer, System.nanoTime() + Duration.ofSeconds(seconds).toNanos()));
        }
    }

    static String text(Record record) {
        if (record instanceof ARecord a) {
            return a.getAddress().getHostAddress();
        }
        if (record instanceof AAAARecord aaaa) {
            return aaaa.getAddress().getHostAddress();
        }
        if (record instanceof MXRecord mx) {
            return trimDot(mx.getTarget().toString());
        }
        if (record instanceof PTRRecord ptr) {
            return trimDot(ptr.getTarget().toString());
        }
        if (record instanceof TXTRecord txt) {
            return String.join("", txt.getStrings());
        }
        return record.rdataToString();
    }

    private static String trimDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    static String describe(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof SocketTimeoutException || cause instanceof java.util.concurrent.TimeoutException
            || (cause.getMessage() != null && cause.getMessage().toLowerCase(Locale.ROOT).contains("timed out"))) {
            return "timeout";
        }
        if (cause instanceof java.net.PortUnreachableException) {
            return "server unreachable";
        }
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }
}
