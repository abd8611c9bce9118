package io.portcullis.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
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
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The DNS lookups of the Portcullis checks, on dnsjava's message format, pointable at any server on any port
 * (James's stock {@code DNSService} cannot take a port). Each query is a plain blocking UDP exchange in the
 * calling thread (TCP when truncated), so that many mail threads querying at once do not queue behind one
 * shared selector. Each query returns a {@link DnsAnswer} that says whether the name
 * exists or whether the query failed (timeout, SERVFAIL): the checks turn a failure into a visible reason,
 * never into "not listed". Positive and negative answers are cached for min(TTL, {@code dns.cache.maxTtl});
 * a failure (every server timed out or failed) for {@code dns.cache.failureTtl}, so that a zone that never
 * answers costs one timeout per name and period, not one per message. A lookup honours its thread's interrupt:
 * an interrupted thread gets "interrupted" at once (never cached), so a time budget can abandon a check
 * blocked on DNS.
 */
public class DnsLookupService {
    private static final int EDNS_PAYLOAD = 1232;
    private static final DnsAnswer INTERRUPTED = DnsAnswer.failed("interrupted");
    private static final ExecutorService PARALLEL = new ThreadPoolExecutor(0, 64, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
        runnable -> {
            Thread thread = new Thread(runnable, "portcullis-dns");
            thread.setDaemon(true);
            return thread;
        },
        new ThreadPoolExecutor.CallerRunsPolicy());

    private final DnsConfiguration configuration;
    private final List<InetSocketAddress> servers;
    private final ConcurrentHashMap<String, CachedAnswer> cache = new ConcurrentHashMap<>();

    private record CachedAnswer(DnsAnswer answer, long expiresAtNanos) {
    }

    public DnsLookupService(DnsConfiguration configuration) {
        this.configuration = configuration;
        List<InetSocketAddress> configured = configuration.servers().isEmpty()
            ? ResolverConfig.getCurrentConfig().servers()
            : configuration.servers();
        this.servers = configured.isEmpty() ? List.of(new InetSocketAddress("127.0.0.1", 53)) : List.copyOf(configured);
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

    /**
     * Blocking lookup in the calling thread: each server in turn (the next one when a server times out, fails or
     * answers SERVFAIL), each bounded by {@code dns.timeout}. UDP with EDNS, TCP when the answer is truncated.
     */
    public DnsAnswer lookup(String name, int type) {
        String key = key(name, type);
        DnsAnswer cached = cached(key);
        if (cached != null) {
            return cached;
        }
        Message query;
        try {
            Name qname = Name.fromString(name.endsWith(".") ? name : name + ".");
            query = Message.newQuery(Record.newRecord(qname, type, DClass.IN));
            query.addRecord(new OPTRecord(EDNS_PAYLOAD, 0, 0), Section.ADDITIONAL);
        } catch (TextParseException e) {
            return DnsAnswer.notFound("invalid name");
        }
        DnsAnswer answer = DnsAnswer.failed("no server");
        for (InetSocketAddress server : servers) {
            if (Thread.currentThread().isInterrupted()) {
                return INTERRUPTED;
            }
            try {
                answer = interpret(key, exchange(server, query), type);
            } catch (SocketTimeoutException e) {
                answer = DnsAnswer.failed("timeout");
            } catch (IOException e) {
                if (Thread.currentThread().isInterrupted()) {
                    return INTERRUPTED;
                }
                answer = DnsAnswer.failed(describe(e));
            }
            if (!answer.isFailed()) {
                return answer;
            }
        }
        rememberFailure(key, answer);
        return answer;
    }

    private void rememberFailure(String key, DnsAnswer failure) {
        Duration ttl = configuration.cacheFailureTtl();
        if (configuration.cacheMaxEntries() <= 0 || ttl.isZero() || ttl.isNegative()) {
            return;
        }
        if (cache.size() >= configuration.cacheMaxEntries()) {
            cache.clear();
        }
        cache.put(key, new CachedAnswer(failure, System.nanoTime() + ttl.toNanos()));
    }

    /** Waits for an answer of {@link #lookupAsync} (which never completes exceptionally). */
    public DnsAnswer await(CompletableFuture<DnsAnswer> future) {
        long boundMillis = configuration.timeout().toMillis() * (servers.size() + 1) + 1000;
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

    /** The same lookup on a small shared pool, so that the zones of a blocklist check are queried in parallel. */
    public CompletableFuture<DnsAnswer> lookupAsync(String name, int type) {
        DnsAnswer cached = cached(key(name, type));
        if (cached != null) {
            return CompletableFuture.completedFuture(cached);
        }
        return CompletableFuture.supplyAsync(() -> lookup(name, type), PARALLEL);
    }

    private static String key(String name, int type) {
        return type + " " + name.toLowerCase(Locale.ROOT);
    }

    private DnsAnswer cached(String key) {
        CachedAnswer cached = cache.get(key);
        if (cached == null) {
            return null;
        }
        if (cached.expiresAtNanos() - System.nanoTime() > 0) {
            return cached.answer();
        }
        cache.remove(key, cached);
        return null;
    }

    private Message exchange(InetSocketAddress server, Message query) throws IOException {
        byte[] wire = query.toWire();
        int timeout = (int) Math.max(1, Math.min(Integer.MAX_VALUE, configuration.timeout().toMillis()));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout);
        Message response;
        try (DatagramChannel channel = DatagramChannel.open()) {
            DatagramSocket socket = channel.socket();
            socket.connect(server);
            socket.send(new DatagramPacket(wire, wire.length));
            byte[] buffer = new byte[EDNS_PAYLOAD * 4];
            while (true) {
                long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (remaining <= 0) {
                    throw new SocketTimeoutException("timeout");
                }
                socket.setSoTimeout((int) remaining);
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                Message candidate;
                try {
                    candidate = new Message(Arrays.copyOf(packet.getData(), packet.getLength()));
                } catch (IOException e) {
                    continue;
                }
                if (candidate.getHeader().getID() == query.getHeader().getID()
                        && query.getQuestion().equals(candidate.getQuestion())) {
                    response = candidate;
                    break;
                }
            }
        }
        if (response.getHeader().getFlag(Flags.TC)) {
            response = exchangeTcp(server, wire, timeout);
        }
        return response;
    }

    private static Message exchangeTcp(InetSocketAddress server, byte[] wire, int timeout) throws IOException {
        try (SocketChannel channel = SocketChannel.open()) {
            Socket socket = channel.socket();
            socket.connect(server, timeout);
            socket.setSoTimeout(timeout);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeShort(wire.length);
            out.write(wire);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int length = in.readUnsignedShort();
            byte[] response = new byte[length];
            in.readFully(response);
            return new Message(response);
        }
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
