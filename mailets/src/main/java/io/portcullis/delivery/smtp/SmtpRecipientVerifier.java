package io.portcullis.delivery.smtp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.apache.james.core.MailAddress;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;

import io.portcullis.delivery.DeliveryConfiguration;

/**
 * Recipient verification by an SMTP RCPT probe to the downstream server: connect, EHLO, {@code MAIL FROM:<>},
 * {@code RCPT TO:<recipient>}, QUIT, within {@code verification.timeout}. 2xx = exists, 5xx to RCPT = unknown,
 * anything else (no connection, timeout, 4xx, a refused EHLO / MAIL) = unavailable. Definite answers are cached
 * so that the downstream is not asked for every message: "exists" for {@code verification.cacheTtl}, "unknown" for
 * the shorter {@code verification.negativeCacheTtl} (a mailbox just created downstream is accepted soon), each cache
 * {@code verification.cacheSize} entries at most; "unavailable" never is (the next try asks again).
 */
public class SmtpRecipientVerifier implements RecipientVerifier {
    private final DeliveryConfiguration configuration;
    private final String heloName;
    private final Cache<String, Verdict> exists;
    private final Cache<String, Verdict> unknown;

    @Inject
    public SmtpRecipientVerifier(DeliveryConfiguration configuration) {
        this(configuration, "portcullis.verification");
    }

    public SmtpRecipientVerifier(DeliveryConfiguration configuration, String heloName) {
        this.configuration = configuration;
        this.heloName = heloName;
        this.exists = cache(configuration.verificationCacheTtl().toMillis(), configuration.verificationCacheSize());
        this.unknown = cache(configuration.verificationNegativeCacheTtl().toMillis(), configuration.verificationCacheSize());
    }

    private static Cache<String, Verdict> cache(long ttlMillis, int size) {
        return CacheBuilder.newBuilder().expireAfterWrite(ttlMillis, TimeUnit.MILLISECONDS).maximumSize(size).build();
    }

    @Override
    public Verdict verify(MailAddress recipient) {
        String key = recipient.asString().toLowerCase(Locale.ROOT);
        Verdict cached = exists.getIfPresent(key);
        if (cached == null) {
            cached = unknown.getIfPresent(key);
        }
        if (cached != null) {
            return cached;
        }
        Verdict verdict = probe(recipient);
        if (verdict.answer() == Answer.EXISTS) {
            unknown.invalidate(key);
            exists.put(key, verdict);
        } else if (verdict.answer() == Answer.UNKNOWN) {
            exists.invalidate(key);
            unknown.put(key, verdict);
        }
        return verdict;
    }

    private Verdict probe(MailAddress recipient) {
        DeliveryConfiguration.HostPort downstream = configuration.downstream();
        int timeout = (int) configuration.verificationTimeout().toMillis();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(downstream.host(), downstream.port()), timeout);
            socket.setSoTimeout(timeout);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            String greeting = reply(in);
            if (!greeting.startsWith("2")) {
                return new Verdict(Answer.UNAVAILABLE, "greeting: " + greeting);
            }
            String ehlo = command(out, in, "EHLO " + heloName);
            if (!ehlo.startsWith("2")) {
                ehlo = command(out, in, "HELO " + heloName);
                if (!ehlo.startsWith("2")) {
                    return new Verdict(Answer.UNAVAILABLE, "HELO: " + ehlo);
                }
            }
            String mail = command(out, in, "MAIL FROM:<>");
            if (!mail.startsWith("2")) {
                return new Verdict(Answer.UNAVAILABLE, "MAIL FROM: " + mail);
            }
            String rcpt = command(out, in, "RCPT TO:<" + recipient.asString() + ">");
            try {
                command(out, in, "QUIT");
            } catch (IOException e) {
                // the answer is known
            }
            if (rcpt.startsWith("2")) {
                return new Verdict(Answer.EXISTS, rcpt);
            }
            if (rcpt.startsWith("5")) {
                return new Verdict(Answer.UNKNOWN, rcpt);
            }
            return new Verdict(Answer.UNAVAILABLE, rcpt);
        } catch (IOException | RuntimeException e) {
            return new Verdict(Answer.UNAVAILABLE, "downstream " + downstream + " unreachable: " + e.getMessage());
        }
    }

    private static String command(OutputStream out, BufferedReader in, String command) throws IOException {
        out.write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return reply(in);
    }

    /** Reads a (possibly multi-line) reply; returns its last line. */
    private static String reply(BufferedReader in) throws IOException {
        while (true) {
            String line = in.readLine();
            if (line == null) {
                throw new IOException("connection closed by the downstream server");
            }
            if (line.length() < 4 || line.charAt(3) != '-') {
                return line;
            }
        }
    }
}
